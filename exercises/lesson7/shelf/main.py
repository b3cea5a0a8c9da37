"""The site's own pages, and the hooks every page shares."""

# TODO 2: make this module the blueprint "main", with no url_prefix (its pages sit at the root), and register
#   it on the app in shelf/app.py for now: app.register_blueprint(main.bp). See "Blueprints".
#   Move these views here from shelf/app.py, on the blueprint (@bp.get instead of @app.get), names unchanged:
#       index  /          about  /about         home  /home          robots  /robots.txt
#       go     /go/<id>   tag    /tags/<tag>    tags_all  /tags/<tags:names>
#       set_theme  /prefs/theme/<...>           recent  /recent      whoami  /whoami
#   Their endpoints become main.index, main.about, ...: rename them wherever url_for names them, in these
#   views (".index" means this blueprint's own) and in the templates (see their TODOs). The views reach the
#   items through get_store() (write it in shelf/store.py: TODO 2 there), not through the module shelf.store.
#
# TODO 5: move the domain filter, the context processor and the two request-id hooks here too. They must apply
#   to every request of the app, not only to this blueprint's views: see "App-wide hooks from a blueprint".
#   With no module-level app to name, the log line uses current_app.logger.
#
# TODO 6: move both error handlers here, registered for the whole app: /nope and /api/nope match no route, so
#   they belong to no blueprint. See "Errors that no blueprint sees". Inside too_large(), read the limit from
#   current_app.config.
