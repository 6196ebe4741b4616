"""`madoguchi serve ...`: the long-running channel processes."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Annotated

import typer

from bot.slack.app import build_app
from bot.slack.runner import SlackRunner
from bot.telegram.inbox import Inbox
from bot.telegram.runner import TelegramChannel, TelegramConfig, run
from bot.throttle import Throttle
from madoguchi.context import AppContext
from madoguchi.directory_snapshot import ensure_directory
from madoguchi.errors import UserError
from madoguchi.wiring import build_dispatcher, build_engine, build_slack_actions
from storage.database import Database

serve_app = typer.Typer(help="Run a channel: telegram, slack, the dispatcher, or all.", no_args_is_help=True)


@serve_app.command("telegram")
def serve_telegram(
    ctx: typer.Context,
    webhook: Annotated[bool, typer.Option("--webhook", help="Receive updates by webhook.")] = False,
) -> None:
    """The Telegram bot: long polling by default, or a webhook with a secret token."""
    app_ctx: AppContext = ctx.obj
    check_telegram_settings(app_ctx, webhook=webhook)
    database = app_ctx.ready_database()
    ensure_directory(database)
    try:
        run_telegram(app_ctx, database, webhook=webhook)
    finally:
        database.dispose()


def check_telegram_settings(app_ctx: AppContext, *, webhook: bool) -> None:
    """Refuse to start when a Telegram setting is missing."""
    settings = app_ctx.settings
    if settings.telegram_bot_token is None:
        raise UserError("TELEGRAM_BOT_TOKEN is not set")
    if webhook and (settings.telegram_webhook_secret is None or not settings.telegram_webhook_url):
        raise UserError("--webhook needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")


def run_telegram(app_ctx: AppContext, database: Database, *, webhook: bool) -> None:
    """Serve the Telegram bot until a stop signal (in the main thread)."""
    settings = app_ctx.settings
    assert settings.telegram_bot_token is not None
    _quiet_logs()
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
        max_rate=settings.telegram_max_rate,
    )
    channel = TelegramChannel(Inbox(engine, database, Throttle(limit=settings.telegram_flood_limit)))
    run(config, channel, webhook=webhook)


def _quiet_logs() -> None:
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token


@serve_app.command("slack")
def serve_slack(
    ctx: typer.Context,
    http: Annotated[bool, typer.Option("--http", help="Receive requests over HTTP.")] = False,
) -> None:
    """The Slack app: Socket Mode (SLACK_APP_TOKEN) or HTTP on SLACK_PORT at /slack/events."""
    app_ctx: AppContext = ctx.obj
    check_slack_settings(app_ctx, http=http)
    stop = _stop_on_signals()
    database = app_ctx.ready_database()
    try:
        ensure_directory(database)
        runner = slack_runner(app_ctx, database, http=http)
        runner.start()
        stop.wait()
        runner.stop()
    finally:
        database.dispose()


@serve_app.command("dispatcher")
def serve_dispatcher(ctx: typer.Context) -> None:
    """Deliver the outbox: cards to Slack (or printed without SLACK_BOT_TOKEN), owner messages."""
    app_ctx: AppContext = ctx.obj
    stop = _stop_on_signals()
    database = app_ctx.ready_database()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token
    try:
        dispatcher = build_dispatcher(app_ctx.settings, database, app_ctx.taxonomy, sys.stdout)
        dispatcher.run(stop, app_ctx.settings.dispatch_interval)
    finally:
        database.dispose()


@serve_app.command("all")
def serve_all(
    ctx: typer.Context,
    http: Annotated[bool, typer.Option("--http", help="Slack over HTTP, not Socket Mode.")] = False,
    webhook: Annotated[bool, typer.Option("--webhook", help="Telegram by webhook.")] = False,
) -> None:
    """Everything configured in one process: the dispatcher, the Slack app when
    SLACK_BOT_TOKEN is set, the Telegram bot when TELEGRAM_BOT_TOKEN is set."""
    app_ctx: AppContext = ctx.obj
    settings = app_ctx.settings
    if settings.slack_bot_token:
        check_slack_settings(app_ctx, http=http)
    if settings.telegram_bot_token:
        check_telegram_settings(app_ctx, webhook=webhook)
    stop = _stop_on_signals()
    database = app_ctx.ready_database()
    _quiet_logs()
    runner = None
    try:
        ensure_directory(database)
        if settings.slack_bot_token:
            runner = slack_runner(app_ctx, database, http=http)
            runner.start()
        dispatcher = build_dispatcher(settings, database, app_ctx.taxonomy, sys.stdout)
        if settings.telegram_bot_token:  # python-telegram-bot wants the main thread
            worker = threading.Thread(target=dispatcher.run, args=(stop, settings.dispatch_interval),
                                      name="dispatcher", daemon=True)
            worker.start()
            run_telegram(app_ctx, database, webhook=webhook)
            stop.set()
            worker.join(timeout=30)
        else:
            dispatcher.run(stop, settings.dispatch_interval)
    finally:
        if runner is not None:
            runner.stop()
        database.dispose()


def check_slack_settings(app_ctx: AppContext, *, http: bool) -> None:
    """Refuse to start (before touching the database) when a Slack setting is missing."""
    settings = app_ctx.settings
    if settings.slack_bot_token is None:
        raise UserError("SLACK_BOT_TOKEN is not set")
    if http and settings.slack_signing_secret is None:
        raise UserError("--http needs SLACK_SIGNING_SECRET")
    if not http and settings.slack_app_token is None:
        raise UserError("Socket Mode needs SLACK_APP_TOKEN (or use --http with SLACK_SIGNING_SECRET)")


def slack_runner(app_ctx: AppContext, database: Database, *, http: bool) -> SlackRunner:
    """Build the app with its transport (settings checked by `check_slack_settings`)."""
    settings = app_ctx.settings
    check_slack_settings(app_ctx, http=http)
    assert settings.slack_bot_token is not None
    _quiet_logs()
    actions = build_slack_actions(settings, database, app_ctx.taxonomy)
    secret = settings.slack_signing_secret
    app = build_app(
        actions=actions,
        token=settings.slack_bot_token.get_secret_value(),
        signing_secret=secret.get_secret_value() if http and secret else None,
        api_url=settings.slack_api_url,
    )
    if http:
        return SlackRunner(app, listen=(settings.slack_listen, settings.slack_port))
    assert settings.slack_app_token is not None
    return SlackRunner(app, app_token=settings.slack_app_token.get_secret_value())


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, for a clean stop of the long-running loops."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop


def register(app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")
