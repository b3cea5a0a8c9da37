"""Shelf's own ``flask`` commands: ``flask --app shelf init-db`` and ``flask --app shelf seed``."""

import click
from flask import Flask
from flask.cli import with_appcontext

from shelf.db import init_db
from shelf.store import get_store


@click.command("init-db")
@with_appcontext  # `flask` pushes an app context anyway; app.test_cli_runner() does not
def init_db_command():
    """Start over: recreate the tables (deleting every item) with the three starter items."""
    init_db()
    click.echo("Initialized the database.")


@click.command("seed")
@click.option("--count", default=3, show_default=True, type=click.IntRange(min=0), help="How many items to add.")
@with_appcontext
def seed_command(count):
    """Add COUNT example items, to try the pages with more data."""
    store = get_store()
    for number in range(1, count + 1):
        store.add(f"Example item {number}", f"https://example.com/{number}", ["example"])
    click.echo(f"Seeded {count} items.")


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``: a command that is only defined is "No such command"."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
