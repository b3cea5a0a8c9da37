"""Shelf's own ``flask`` commands: ``flask --app shelf init-db`` and ``flask --app shelf seed``."""

import click
from flask import Flask
from flask.cli import with_appcontext

from shelf.db import init_db
from shelf.store import get_store

# TODO 7: two click commands. The flask command runs them inside an app context, so get_db(),
#   get_store() and current_app work in them; app.test_cli_runner() does not push one for commands
#   added with add_command, so decorate each with @with_appcontext (below @click.command and its options).
#
#   init-db: @click.command("init-db") on a function init_db_command() that calls init_db() and then
#     click.echo("Initialized the database.").
#
#   seed: @click.command("seed") with @click.option("--count", default=3, show_default=True,
#     type=click.IntRange(min=0), help="How many items to add."). The function takes count, adds that many
#     items through get_store().add(...) (title f"Example item {number}", url f"https://example.com/{number}",
#     tags ["example"]), then echoes f"Seeded {count} items.". With IntRange, click itself refuses
#     --count abc or --count -1 (a usage error, exit code 2) before your function runs.


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``: a command that is only defined is "No such command"."""
    # TODO 7: app.cli.add_command(init_db_command), then the same for seed_command.
    raise NotImplementedError("TODO 7: register the commands in commands.init_app(app)")
