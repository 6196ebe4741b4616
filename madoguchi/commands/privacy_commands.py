"""`madoguchi privacy erase`: answer a deletion request that came another way than /delete."""

from __future__ import annotations

from typing import Annotated

import typer

from madoguchi.context import AppContext
from madoguchi.errors import UserError

privacy_app = typer.Typer(help="Owners' personal data (APPI): deletion requests.", no_args_is_help=True)

CHANNELS = ("telegram", "console")


@privacy_app.command("erase")
def privacy_erase(
    ctx: typer.Context,
    channel: Annotated[str, typer.Option("--channel", help="telegram or console.")],
    chat_id: Annotated[str, typer.Option("--chat-id", help="The owner's chat id on that channel.")],
    actor: Annotated[str, typer.Option("--actor", help="Who answers (for the audit row).")] = "admin",
) -> None:
    """Withdraw the chat's cases and erase the owner's personal data everywhere; the Slack
    cards are edited by the dispatcher. An audit row without personal data remains."""
    from storage.repositories import privacy

    if channel not in CHANNELS:
        raise UserError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if not chat_id.strip():
        raise UserError("--chat-id is empty")
    app_ctx: AppContext = ctx.obj
    database = app_ctx.ready_database()
    try:
        with database.unit_of_work() as session:
            erased = privacy.erase_chat(
                session, channel=channel, chat_id=chat_id.strip(), actor=f"cli:{actor}"
            )
    finally:
        database.dispose()
    if erased:
        typer.echo(f"erased {erased} case(s) of {channel} chat {chat_id}; "
                   "the dispatcher edits their cards to say they were withdrawn")
    else:
        typer.echo(f"no case of {channel} chat {chat_id}; its conversation data (if any) was cleared")


def register(app: typer.Typer) -> None:
    """Attach these commands to the root CLI."""
    app.add_typer(privacy_app, name="privacy")
