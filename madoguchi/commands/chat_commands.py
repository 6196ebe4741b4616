"""`madoguchi chat`: the console intake (the README's main command)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated

import typer

from bot.console import ConsoleChannel
from madoguchi.context import AppContext
from madoguchi.directory_snapshot import ensure_directory
from madoguchi.wiring import build_dispatcher, build_engine


def chat(
    ctx: typer.Context,
    chat_id: Annotated[str, typer.Option("--chat-id", help="Whose conversation this is.")] = "local",
) -> None:
    """Talk to the intake desk in this terminal (or pipe one message per line)."""
    app_ctx: AppContext = ctx.obj
    database = app_ctx.ready_database()
    try:
        ensure_directory(database)
        engine = build_engine(app_ctx.settings, database, app_ctx.understander, app_ctx.taxonomy)
        interactive = sys.stdin.isatty()
        if interactive:
            sys.stdout.write("（終了は Ctrl+D。選択肢は番号で答えられます）\n\n")
        announce = None
        if app_ctx.settings.slack_bot_token is None:
            # no Slack: the hub's card is printed here, so the whole flow is visible locally
            dispatcher = build_dispatcher(app_ctx.settings, database, app_ctx.taxonomy, sys.stdout)
            announce = dispatcher.drain
        channel = ConsoleChannel(engine, sys.stdout, chat_id, announce)
        prompt = "> " if interactive else None
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        channel.run(_lines(), prompt)
    finally:
        database.dispose()


def _lines() -> Iterator[str]:
    """stdin lines; undecodable bytes become U+FFFD instead of stopping the chat."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace")


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
