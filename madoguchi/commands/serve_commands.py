"""`madoguchi serve ...`: the long-running channel processes."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from bot.telegram.runner import TelegramChannel, TelegramConfig, run
from bot.throttle import Throttle
from madoguchi.context import AppContext
from madoguchi.directory_snapshot import ensure_directory
from madoguchi.errors import UserError
from madoguchi.wiring import build_engine

serve_app = typer.Typer(help="Run a channel: telegram (more to come).", no_args_is_help=True)


@serve_app.command("telegram")
def serve_telegram(
    ctx: typer.Context,
    webhook: Annotated[bool, typer.Option("--webhook", help="Receive updates by webhook.")] = False,
) -> None:
    """The Telegram bot: long polling by default, or a webhook with a secret token."""
    app_ctx: AppContext = ctx.obj
    settings = app_ctx.settings
    if settings.telegram_bot_token is None:
        raise UserError("TELEGRAM_BOT_TOKEN is not set")
    if webhook and (settings.telegram_webhook_secret is None or not settings.telegram_webhook_url):
        raise UserError("--webhook needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token
    database = app_ctx.ready_database()
    ensure_directory(database)
    engine = build_engine(settings, database, app_ctx.understander, app_ctx.taxonomy)
    config = TelegramConfig(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=(
            settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        ),
        webhook_listen=settings.telegram_webhook_listen,
        webhook_port=settings.telegram_webhook_port,
    )
    channel = TelegramChannel(engine, Throttle(limit=settings.telegram_flood_limit))
    try:
        run(config, channel, webhook=webhook)
    finally:
        database.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")
