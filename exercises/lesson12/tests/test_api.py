# TODO 2: tests of the API: no token → 401; with a token, POST /api/items → 201 and a Location, PATCH,
#         DELETE → 204; pagination links; the throttle at its limit (set a small THROTTLE_DEFAULT_LIMIT).
