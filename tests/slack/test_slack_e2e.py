"""End to end: the real `madoguchi serve slack --http` and `madoguchi serve dispatcher`
processes against a fake Slack Web API and a fake Telegram Bot API, with requests signed
by slack_sdk's `SignatureVerifier`: accept (and a replay), close with survey, decline with
re-route, correction with feedback and a new hub, an unauthorised user, a bad and a stale
signature, `/madoguchi` and App Home."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from sqlmodel import select

from models import LabelFeedback, LeadStatus, SatisfactionSurvey
from nlp.taxonomy import Taxonomy
from storage.database import Database
from tests.fakes.slack_api import TEAM, FakeSlack, Message, button, interaction, signed_post, submission
from tests.fakes.telegram_api import FakeTelegram
from tests.slack.slack_world import get, load_example, routed_lead
from tests.support import free_port, wait_port

SECRET = "slack-signing-secret"
FORM = "application/x-www-form-urlencoded"






class Processes:
    """The Slack app and the dispatcher as operating-system processes."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        command = [str(Path(sys.executable).parent / "madoguchi"), "serve", *args]
        with (self.logs / f"{args[0]}.log").open("ab") as out:
            process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_coordinators_work_the_cases_from_slack(
    db: Database, taxonomy: Taxonomy, slack: FakeSlack, telegram: FakeTelegram, tmp_path: Path
) -> None:
    load_example(db, taxonomy)
    lead_a = routed_lead(db, taxonomy, chat_id="4242")
    lead_b = routed_lead(db, taxonomy, label="management", chat_id="4343", text="売上が落ちて利益が出ません")
    lead_c = routed_lead(db, taxonomy, chat_id="4444", text="試作品の品質が安定しません")
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "MADOGUCHI_HOME": str(tmp_path / "home"),
        "MADOGUCHI_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.base_url,
        "SLACK_PORT": str(port), "TELEGRAM_BOT_TOKEN": "123:TEST", "TELEGRAM_API_BASE_URL": telegram.base_url,
        "MADOGUCHI_DISPATCH_INTERVAL": "0.1", "MADOGUCHI_DISPATCH_BACKOFF": "0.1",
    }
    processes = Processes(env, tmp_path)

    def card(lead_id: int, channel: str = "CEXAMPLE01") -> Message:
        slack.wait_for(lambda: any(m.channel == channel for m in slack.cards_of(lead_id)))
        return next(m for m in slack.cards_of(lead_id) if m.channel == channel)

    def press(action_id: str, lead_id: int, user: str, **kwargs: object) -> int:
        message = card(lead_id)
        body = interaction(button(action_id, lead_id, user, message.channel, message.ts))
        status, _ = signed_post(url, SECRET, body, content_type=FORM, **kwargs)
        return status

    def ephemeral_to(user: str, count: int) -> str:
        slack.wait_for(lambda: len([e for e in slack.ephemeral if e["user"] == user]) >= count)
        return str([e for e in slack.ephemeral if e["user"] == user][count - 1]["text"])

    def owner_messages(chat: int) -> list[str]:
        return [s.text for s in telegram.messages_to(chat)]

    try:
        processes.start("dispatcher")
        app = processes.start("slack", "--http")
        wait_port(port, app, tmp_path / "slack.log")

        # the cards: escaped words, a mention of the coordinator, four kinds of button
        first = card(lead_a)
        assert first.text.startswith("<@UEXAMPLE01>") and "<!channel>" not in first.all_text()
        assert "&lt;!channel&gt;" in first.all_text() and "&lt;http://evil.example|ここ&gt;" in first.all_text()
        assert first.action_ids() == ["lead.accept", "lead.decline", "lead.correct"]
        card(lead_b), card(lead_c)

        # refused: a bad signature, a stale (replayed) timestamp, someone of another hub
        assert press("lead.accept", lead_a, "UEXAMPLE01", signature="v0=" + "0" * 64) == 401
        assert press("lead.accept", lead_a, "UEXAMPLE01", timestamp=int(time.time()) - 600) == 401
        assert press("lead.accept", lead_a, "UEXAMPLE04") == 200
        assert "担当のコーディネーター" in ephemeral_to("UEXAMPLE04", 1)
        assert get(db, lead_a).status is LeadStatus.ASSIGNED

        # 受付, then the same request again as Slack's retry: one acceptance, one message
        message = card(lead_a)
        body = interaction(button("lead.accept", lead_a, "UEXAMPLE01", message.channel, message.ts))
        stamp = int(time.time())
        assert signed_post(url, SECRET, body, content_type=FORM, timestamp=stamp)[0] == 200
        assert signed_post(url, SECRET, body, content_type=FORM, timestamp=stamp,
                           headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
        telegram.wait_for(lambda: len(owner_messages(4242)) >= 1)
        assert "中村 恵" in owner_messages(4242)[0] and "お電話" in owner_messages(4242)[0]
        slack.wait_for(lambda: "受付済み" in card(lead_a).all_text())
        ephemeral_to("UEXAMPLE01", 2)
        told = sorted(e["text"] for e in slack.ephemeral if e["user"] == "UEXAMPLE01")
        assert "受付しました" in told[0] + told[1] and "すでに受付済み" in told[0] + told[1]
        assert get(db, lead_a).status is LeadStatus.ACCEPTED

        # 完了: closed, the survey goes to the owner's chat and is stored for hub and coordinator
        assert press("lead.close", lead_a, "UEXAMPLE01") == 200
        telegram.wait_for(lambda: len(owner_messages(4242)) >= 2)
        assert "1〜5" in owner_messages(4242)[1]
        assert telegram.messages_to(4242)[1].choice_ids() == [f"survey:{n}" for n in (5, 4, 3, 2, 1)]
        slack.wait_for(lambda: "完了" in card(lead_a).all_text() and card(lead_a).action_ids() == [])
        with db.session() as session:
            survey = session.exec(select(SatisfactionSurvey)).one()
            assert (survey.lead_id, survey.coordinator_id, survey.score) == (lead_a, "co-nagano-01", None)

        # 辞退: a modal asks why; the case moves to the next coordinator, card edited in place
        opened = len(slack.views_opened)
        assert press("lead.decline", lead_b, "UEXAMPLE01") == 200
        slack.wait_for(lambda: len(slack.views_opened) > opened)
        modal = slack.views_opened[-1]["view"]
        values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "今月は手一杯です"}}}
        body = interaction(submission(modal, "UEXAMPLE01", values))
        assert signed_post(url, SECRET, body, content_type=FORM)[0] == 200
        slack.wait_for(lambda: card(lead_b).text.startswith("<@UEXAMPLE02>"))
        assert get(db, lead_b).coordinator_id == "co-nagano-02" and len(slack.cards_of(lead_b)) == 1

        # 分類を修正: stored as feedback; technology needs the other hub, whose channel gets the card
        opened = len(slack.views_opened)
        assert press("lead.correct", lead_c, "UEXAMPLE01") == 200
        slack.wait_for(lambda: len(slack.views_opened) > opened)
        modal = slack.views_opened[-1]["view"]
        values = {"label": {"label_select": {"type": "static_select", "selected_option": {"value": "technology"}}}}
        body = interaction(submission(modal, "UEXAMPLE01", values))
        assert signed_post(url, SECRET, body, content_type=FORM)[0] == 200
        moved = card(lead_c, "CEXAMPLE02")
        assert moved.text.startswith("<@UEXAMPLE03>")
        slack.wait_for(lambda: "引き継がれました" in card(lead_c).all_text())
        with db.session() as session:
            row = session.exec(select(LabelFeedback)).one()
            assert (row.lead_id, row.label, row.predicted_label) == (lead_c, "technology", "succession")

        # /madoguchi and App Home list the open cases with their deadlines
        command = urllib.parse.urlencode({"command": "/madoguchi", "text": "", "user_id": "UEXAMPLE02",
                                          "channel_id": "CEXAMPLE01", "team_id": TEAM, "trigger_id": "t",
                                          "response_url": slack.base_url + "response"})
        status, answer = signed_post(url, SECRET, command, content_type=FORM)
        assert status == 200 and f"#{lead_b}" in answer and "受付期限" in answer
        event = {"type": "event_callback", "team_id": TEAM, "api_app_id": "AEXAMPLE", "event_id": "Ev1",
                 "event_time": int(time.time()), "event": {"type": "app_home_opened", "user": "UEXAMPLE02",
                                                           "channel": "D1", "tab": "home", "event_ts": "1.1"}}
        assert signed_post(url, SECRET, json.dumps(event), content_type="application/json")[0] == 200
        slack.wait_for(lambda: len(slack.views_published) == 1)
        assert f"#{lead_b}" in json.dumps(slack.views_published[0]["view"], ensure_ascii=False)
    finally:
        processes.stop()
    assert len(owner_messages(4242)) == 2 and owner_messages(4343) == []
    assert len([m for m in slack.posted if m.lead_id() == lead_a]) == 1
