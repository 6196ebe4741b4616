"""Building the running pieces from the settings: database, directory, engine.

Only the composition root imports this; nothing below it knows how pieces are made.
"""

from __future__ import annotations

from typing import TextIO

from bot.cases import Assigner
from bot.engine import Engine
from bot.flow import Flow
from bot.slack.app import SlackActions, web_client
from bot.slack.desk import CaseDesk
from bot.slack.dispatcher import Dispatcher
from bot.slack.sinks import CardSink, OwnerSink, PrintSink, SlackCardSink, TelegramOwnerSink
from madoguchi.directory_snapshot import snapshot_in
from madoguchi.settings import Settings
from nlp.taxonomy import Taxonomy
from nlp.understand import Understander
from routing import load_capabilities
from storage.database import Database


def build_engine(
    settings: Settings, database: Database, understander: Understander, taxonomy: Taxonomy
) -> Engine:
    """The dialogue engine every channel shares."""
    flow = Flow(taxonomy, understander.understand, max_chars=settings.max_problem_chars)
    assigner = build_assigner(settings, taxonomy)
    return Engine(database=database, flow=flow, assigner=assigner, taxonomy=taxonomy)


def build_assigner(settings: Settings, taxonomy: Taxonomy) -> Assigner:
    """Routing as the intake and the Slack actions both use it."""
    capabilities = load_capabilities(settings.capabilities_file, taxonomy)
    return Assigner(snapshot_in, capabilities, settings.sla_working_days)


def build_slack_actions(settings: Settings, database: Database, taxonomy: Taxonomy) -> SlackActions:
    """The listeners of the Slack app over one `CaseDesk`."""
    desk = CaseDesk(database=database, assigner=build_assigner(settings, taxonomy), taxonomy=taxonomy)
    return SlackActions(desk, taxonomy)


def build_dispatcher(settings: Settings, database: Database, taxonomy: Taxonomy, out: TextIO) -> Dispatcher:
    """The outbox dispatcher: Slack when ``SLACK_BOT_TOKEN`` is set, else text on ``out``."""
    printer = PrintSink(out)
    cards: CardSink = printer
    if settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
        cards = SlackCardSink(web_client(token, settings.slack_api_url))
    owners: dict[str, OwnerSink] = {"console": printer}
    if settings.telegram_bot_token is not None:
        owners["telegram"] = TelegramOwnerSink(
            settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url
        )
    return Dispatcher(database=database, taxonomy=taxonomy, cards=cards, owners=owners,
                      base_backoff=settings.dispatch_backoff, lease=settings.dispatch_lease,
                      max_backoff=settings.dispatch_max_backoff)
