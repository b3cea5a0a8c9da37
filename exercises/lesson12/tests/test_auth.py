# TODO 2: tests of accounts: registering (what is stored is a hash, not the password; a taken name is
#         refused), logging in (the session holds the user's id; a wrong password and an unknown name get the
#         same page), logging out (afterwards the user is really logged out: `with client:` and session).
