"""The site's own pages, and the hooks every page shares."""

# TODO 5: make this module the blueprint "main". It has no url_prefix: its pages sit at the root.
#       from flask import Blueprint
#       bp = Blueprint("main", __name__)
#   Move these views here from shelf/app.py, replacing @app. by @bp. (their names stay the same):
#       index  /          about  /about         home  /home          robots  /robots.txt
#       go     /go/<id>   tag    /tags/<tag>    tags_all  /tags/<tags:names>
#       set_theme  /prefs/theme/<...>           recent  /recent      whoami  /whoami
#   Their endpoints become main.index, main.about, ... In these views, url_for("index") becomes
#   url_for(".index") (a leading dot: this blueprint's endpoint), and store.xxx(...) becomes
#   get_store().xxx(...) (from shelf.store import get_store).
#
# TODO 7: move the domain filter, the context processor and the two request-id hooks here too. They must
#   apply to every request of the app, not only to this blueprint's views, so use the app_ decorators:
#       @bp.app_template_filter("domain")     instead of @app.template_filter("domain")
#       @bp.app_context_processor             instead of @app.context_processor
#       @bp.before_app_request                instead of @app.before_request
#       @bp.after_app_request                 instead of @app.after_request
#   (@bp.before_request, without app_, would only run for main's own views.) The log line of the
#   after-request hook uses current_app.logger: there is no module-level app to name any more.
#
# TODO 8: move both error handlers here, as @bp.app_errorhandler(RequestEntityTooLarge) and
#   @bp.app_errorhandler(HTTPException). /nope and /api/nope match no route, so they belong to no
#   blueprint: only a handler registered for the whole app sees their 404. Inside too_large(), use
#   current_app.config: there is no module-level app to read it from any more.
