"""The Slack app with slack-bolt: card buttons, the two modals, App Home, `/madoguchi`.

Every listener acks first (Slack wants an answer within 3 seconds) and then does the
work through `CaseDesk`, which makes repeated clicks and Slack's retries harmless. The
outcome is told to the coordinator as an ephemeral message in the card's channel.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.actions import CORRECT_VIEW, DECLINE_VIEW, ModalContext, Press, to_press, to_submission
from bot.slack.card import ACCEPT, CLOSE, CORRECT, DECLINE
from bot.slack.desk import CaseDesk, Result
from bot.slack.views import case_lines, correct_modal, decline_modal, home_view
from nlp.taxonomy import Taxonomy

log = logging.getLogger(__name__)


def web_client(token: str | None, api_url: str | None) -> WebClient:
    """slack_sdk's client, pointed at ``api_url`` (``SLACK_API_URL``) when given."""
    base = api_url.rstrip("/") + "/" if api_url else WebClient.BASE_URL
    return WebClient(token=token, base_url=base)


def _tell(client: WebClient, channel: str | None, user: str, result: Result | str) -> None:
    text = result if isinstance(result, str) else result.message
    if not channel:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not post an ephemeral message in %s: %s", channel, type(exc).__name__)


class SlackActions:
    """The listeners; registered on an `App` by `register`."""

    def __init__(self, desk: CaseDesk, taxonomy: Taxonomy) -> None:
        self.desk = desk
        self.taxonomy = taxonomy

    def register(self, app: App) -> None:
        app.action(ACCEPT)(self.on_accept)
        app.action(CLOSE)(self.on_close)
        app.action(DECLINE)(self.on_decline)
        app.action(CORRECT)(self.on_correct)
        app.view(DECLINE_VIEW)(self.on_submission)
        app.view(CORRECT_VIEW)(self.on_submission)
        app.command("/madoguchi")(self.on_command)
        app.event("app_home_opened")(self.on_home)
        app.error(self.on_error)

    def on_accept(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        press = to_press(body)
        if press is not None:
            _tell(client, press.channel_id, press.user_id, self.desk.accept(press.lead_id, press.user_id))

    def on_close(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        press = to_press(body)
        if press is not None:
            _tell(client, press.channel_id, press.user_id, self.desk.close(press.lead_id, press.user_id))

    def _modal_press(self, body: dict[str, Any], client: WebClient) -> Press | None:
        """A press that opens a modal, once the presser may act (else they are told why)."""
        press = to_press(body)
        if press is None or press.trigger_id is None:
            return None
        refusal = self.desk.authorize(press.lead_id, press.user_id)
        if refusal is not None:
            _tell(client, press.channel_id, press.user_id, refusal)
            return None
        return press

    def on_decline(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        press = self._modal_press(body, client)
        if press is None or press.trigger_id is None:
            return
        context = ModalContext(press.lead_id, press.channel_id, self.desk.pending_id(press.lead_id))
        client.views_open(trigger_id=press.trigger_id, view=decline_modal(context))

    def on_correct(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        press = self._modal_press(body, client)
        if press is None or press.trigger_id is None:
            return
        current = self.desk.label_of(press.lead_id) or ""
        categories = [(category_id, self.taxonomy.name(category_id)) for category_id in self.taxonomy.ids]
        view = correct_modal(ModalContext(press.lead_id, press.channel_id), categories, current)
        client.views_open(trigger_id=press.trigger_id, view=view)

    def on_submission(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # closes the modal; the outcome arrives as an ephemeral message
        submission = to_submission(body)
        if submission is None:
            return
        context, user = submission.context, submission.user_id
        if submission.callback_id == DECLINE_VIEW:
            result = self.desk.decline(context.lead_id, user, reason=submission.reason,
                                       assignment_id=context.assignment_id)
        else:
            result = self.desk.correct(context.lead_id, user, label=submission.label or "")
        _tell(client, context.channel_id, user, result)

    def on_command(self, ack: Ack, body: dict[str, Any]) -> None:
        ack(text=case_lines(self.desk.open_cases(str(body.get("user_id") or ""))))

    def on_home(self, event: dict[str, Any], client: WebClient) -> None:
        user = str(event.get("user") or "")
        if event.get("tab", "home") == "home" and user:
            client.views_publish(user_id=user, view=home_view(self.desk.open_cases(user)))

    def on_error(self, error: Exception, body: dict[str, Any]) -> BoltResponse:
        log.error("slack listener failed (%s) for a %s request", type(error).__name__, body.get("type"))
        return BoltResponse(status=500, body="")


def build_app(
    *,
    actions: SlackActions,
    token: str,
    signing_secret: str | None,
    api_url: str | None,
) -> App:
    """The bolt `App`; without a signing secret (Socket Mode) requests are not signed."""
    app = App(
        client=web_client(token, api_url),
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
    )
    actions.register(app)
    return app
