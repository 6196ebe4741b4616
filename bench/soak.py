"""Soak: many owners for several minutes while workers are killed and Slack fails (by hand).

    .venv/bin/python bench/soak.py [--minutes 3] [--owners 20] [--backend postgresql|sqlite]
                                   [--telegram-workers 2] [--dispatchers 2] [--kill-every 15]
                                   [--slack-fail-every 40] [--slack-fail-for 10]

Runs the fake Telegram Bot API and the fake Slack Web API from the tests on 127.0.0.1, a
fresh database with the example directory, ``--telegram-workers`` real `madoguchi serve
telegram --webhook` processes and ``--dispatchers`` real `madoguchi serve dispatcher`
processes. Each owner thread plays whole intakes one after another (a new chat each time),
delivering every update as Telegram does: POST to a worker's webhook, and on a failure or a
dead worker, again (to the next worker) until it is acknowledged; an update whose reply
never comes is delivered again. Meanwhile a chaos thread SIGKILLs a random worker every
``--kill-every`` seconds (restarting it two seconds later) and makes Slack answer 500/503 or
refuse connections for ``--slack-fail-for`` seconds every ``--slack-fail-every`` seconds.
At the end it waits for the outbox to drain and prints: intakes sent, leads stored, lost,
duplicates, cards delivered, p50/p95 time from the confirming update to the stored lead and
from the stored lead to its card. SQLite suits one process: use one worker of each kind.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.bench_data import messages  # noqa: E402
from models import Hub, Lead, OutboxEvent, OutboxStatus  # noqa: E402
from nlp.taxonomy import load_taxonomy  # noqa: E402
from storage import migrate  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.directory.importer import import_directory  # noqa: E402
from storage.directory.validate import load_directory  # noqa: E402
from tests.fakes.slack_api import FakeSlack, Message  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, Sent  # noqa: E402
from tests.support import ServeProcess, free_port, wait_port  # noqa: E402

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "soak-secret"
REPLY_WAIT = 30.0  # seconds before an unanswered update is delivered again
PLACES = ("長野県松本市で", "長野県上田市で", "松本市の", "長野県で")


def database_url(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'soak.db'}", None
    name = f"madoguchi_soak_{uuid.uuid4().hex[:8]}"
    with create_engine(ADMIN, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop(name: str | None) -> None:
    if name:
        with create_engine(ADMIN, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Worker(ServeProcess):
    """One `madoguchi serve ...` process that the chaos thread may kill."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, port: int | None = None) -> None:
        super().__init__(args, env, log)
        self.port = port

    def start(self) -> None:
        process = self.launch()
        if self.port is not None:
            wait_port(self.port, process, self.log, timeout=120)


@dataclass
class Tally:
    """What the owners did, shared by their threads."""

    confirmed: dict[str, float] = field(default_factory=dict)  # chat id -> first delivery of 確定
    deliveries: int = 0
    redeliveries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Owners:
    """Owner threads that deliver updates to the webhook workers as Telegram would."""

    def __init__(self, fake: FakeTelegram, workers: list[Worker], problems: list[str], tally: Tally) -> None:
        self.fake, self.workers, self.problems, self.tally = fake, workers, problems, tally
        self.stop = threading.Event()
        self.chats = itertools.count(100_000)
        self.turn = itertools.count()

    def post(self, update: dict[str, Any]) -> None:
        """Deliver until some worker acknowledges it (Telegram retries on any failure)."""
        body = json.dumps(update).encode()
        while True:
            worker = self.workers[next(self.turn) % len(self.workers)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{worker.port}/telegram", data=body, method="POST",
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    if response.status == 200:
                        with self.tally.lock:
                            self.tally.deliveries += 1
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)

    def step(self, chat: int, update: dict[str, Any]) -> Sent | None:
        """Deliver ``update`` and wait for the burst of replies; deliver again when none come."""
        for _ in range(4):
            before = len(self.fake.messages_to(chat))
            self.post(update)
            deadline = time.monotonic() + REPLY_WAIT
            while time.monotonic() < deadline:
                if len(self.fake.messages_to(chat)) > before:
                    time.sleep(0.3)  # every reply to one update arrives in a burst
                    return self.fake.messages_to(chat)[-1]
                time.sleep(0.05)
            with self.tally.lock:
                self.tally.redeliveries += 1
        return None

    def intake(self, rng: random.Random) -> None:
        chat = next(self.chats)
        problem = rng.choice(PLACES) + rng.choice(self.problems)
        reply = self.step(chat, self.fake.text(chat, "/start"))
        reply = reply and self.step(chat, self.fake.text(chat, problem))
        for _ in range(25):
            if reply is None or self.stop.is_set():
                return
            ids = reply.choice_ids()
            pick = next((w for w in ("confirm:yes", "consent:yes", "contact:chat", "skip") if w in ids), None)
            if pick is None and any(i.startswith("pref:") for i in ids):
                places = [i for i in ids if i.startswith("pref:")]
                pick = "pref:長野県" if "pref:長野県" in places else places[0]
            if pick is None and "region:関東" in ids:  # the Kanto bureau's list holds 長野県
                pick = "region:関東"
            if pick is None and any(i.startswith("cat:") for i in ids):
                pick = ids[0]
            if pick is None:  # e.g. not a business matter: this owner gives up
                return
            update = self.fake.press(chat, reply, pick)
            if pick == "confirm:yes":
                with self.tally.lock:
                    self.tally.confirmed[str(chat)] = time.time()
                self.step(chat, update)
                return
            reply = self.step(chat, update)

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            self.intake(rng)


def chaos(workers: list[Worker], slack: FakeSlack, stop: threading.Event, args: argparse.Namespace,
          events: Counter[str]) -> None:
    rng = random.Random(8)
    next_kill = time.monotonic() + args.kill_every
    next_outage = time.monotonic() + args.slack_fail_every
    while not stop.wait(0.2):
        now = time.monotonic()
        if now >= next_kill:
            victim = rng.choice(workers)
            victim.kill()
            events["killed " + victim.args[0]] += 1
            time.sleep(2)
            victim.start()
            next_kill = time.monotonic() + args.kill_every
        if now >= next_outage:
            dark = events["slack outages"] % 2 == 1
            events["slack outages"] += 1
            if dark:
                slack.go_dark()
            else:
                slack.outage = True
            stop.wait(args.slack_fail_for)
            if dark:
                slack.come_back()
            slack.outage = False
            next_outage = time.monotonic() + args.slack_fail_every


def percentile(values: list[float], share: float) -> str:
    if not values:
        return "   n/a"
    ordered = sorted(values)
    return f"{ordered[min(int(len(ordered) * share), len(ordered) - 1)] * 1000:7.0f}"


def report(database: Database, tally: Tally, posted_at: dict[int, list[float]], events: Counter[str]) -> None:
    with database.session() as session:
        rows = session.exec(select(Lead.id, Lead.chat_id, Lead.created_at, Hub.slack_channel)
                            .join(Hub, col(Lead.hub_id) == Hub.id, isouter=True)).all()
        dead = session.exec(select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.DEAD)).all()
    by_chat = Counter(chat for _, chat, _, _ in rows)
    sent = tally.confirmed
    to_lead = [created.timestamp() - sent[chat] for _, chat, created, _ in rows if chat in sent]
    carded = [(lead_id, created) for lead_id, _, created, channel in rows if channel]
    to_card = [posted_at[lead_id][0] - created.timestamp()
               for lead_id, created in carded if lead_id in posted_at]
    print(f"intakes sent (confirmed)     {len(sent)}")
    print(f"leads stored                 {len(rows)}")
    print(f"lost (confirmed, no lead)    {len([c for c in sent if c not in by_chat])}")
    print(f"duplicate leads              {sum(n - 1 for n in by_chat.values() if n > 1)}")
    print(f"cards delivered              {len(posted_at)} of {len(carded)} leads whose hub has a channel")
    print(f"duplicate cards              {sum(len(t) - 1 for t in posted_at.values() if len(t) > 1)}")
    print(f"dead outbox events           {len(dead)} (hubs without a Slack channel)")
    print(f"update -> stored lead  p50 {percentile(to_lead, 0.5)} ms  p95 {percentile(to_lead, 0.95)} ms")
    print(f"lead -> card           p50 {percentile(to_card, 0.5)} ms  p95 {percentile(to_card, 0.95)} ms")
    print(f"updates acknowledged {tally.deliveries}, "
          f"delivered again for want of a reply {tally.redeliveries}")
    print("chaos: " + ", ".join(f"{name} {count}" for name, count in sorted(events.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--owners", type=int, default=20)
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--telegram-workers", type=int, default=2)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=15.0)
    parser.add_argument("--slack-fail-every", type=float, default=40.0)
    parser.add_argument("--slack-fail-for", type=float, default=10.0)
    parser.add_argument("--home", type=Path, default=ROOT / "var", help="MADOGUCHI_HOME with a model")
    args = parser.parse_args()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"madoguchi-soak-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    url, name = database_url(args.backend, workdir)
    database = Database.connect(url)
    migrate.upgrade(database)
    taxonomy = load_taxonomy()
    with database.unit_of_work() as session:
        import_directory(session, directory=load_directory(ROOT / "data/directory/example.yaml",
                                                           categories=taxonomy.ids), actor="soak")
    telegram, slack = FakeTelegram().start(), FakeSlack().start()
    posted_at: dict[int, list[float]] = {}

    def on_post(message: Message) -> None:
        lead_id = message.lead_id()
        if lead_id is not None:
            posted_at.setdefault(lead_id, []).append(time.time())

    slack.on_post = on_post
    base = {
        "PATH": os.environ.get("PATH", ""), "MADOGUCHI_HOME": str(args.home.resolve()),
        "MADOGUCHI_DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "1:soak",
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_FLOOD_LIMIT": "1000", "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-soak", "SLACK_API_URL": slack.base_url,
        "MADOGUCHI_DISPATCH_INTERVAL": "0.2", "MADOGUCHI_DISPATCH_BACKOFF": "0.5",
        "MADOGUCHI_DISPATCH_MAX_BACKOFF": "5", "MADOGUCHI_DISPATCH_LEASE": "10",
    }
    workers: list[Worker] = []
    for n in range(args.telegram_workers):
        port = free_port()
        env = {**base, "TELEGRAM_WEBHOOK_PORT": str(port),
               "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram"}
        workers.append(Worker(["telegram", "--webhook"], env, workdir / f"telegram-{n}.log", port))
    dispatchers = [Worker(["dispatcher"], base, workdir / f"dispatcher-{n}.log")
                   for n in range(args.dispatchers)]
    events: Counter[str] = Counter()
    tally = Tally()
    owners = Owners(telegram, workers, messages(ROOT / "data/corpus")[:400], tally)
    stop_chaos = threading.Event()
    try:
        for worker in workers + dispatchers:
            worker.start()
        print(f"soak: {args.owners} owners, {args.minutes} min, {args.backend}, "
              f"{len(workers)} telegram workers, {len(dispatchers)} dispatchers; logs in {workdir}",
              flush=True)
        threads = [threading.Thread(target=owners.run, args=(n,), daemon=True) for n in range(args.owners)]
        chaos_thread = threading.Thread(target=chaos,
                                        args=(workers + dispatchers, slack, stop_chaos, args, events))
        for thread in [*threads, chaos_thread]:
            thread.start()
        time.sleep(args.minutes * 60)
        owners.stop.set()
        stop_chaos.set()
        chaos_thread.join()
        for thread in threads:
            thread.join(timeout=4 * REPLY_WAIT)
        slack.outage = False
        for worker in workers + dispatchers:  # every worker up for the drain
            if not worker.alive():
                worker.start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with database.session() as session:
                pending = session.exec(select(OutboxEvent.id).where(
                    OutboxEvent.status == OutboxStatus.PENDING, col(OutboxEvent.topic).startswith("lead.")
                )).all()
            if not pending:
                break
            time.sleep(1)
        report(database, tally, posted_at, events)
    finally:
        for worker in workers + dispatchers:
            worker.stop()
        telegram.stop()
        slack.stop()
        database.dispose()
        drop(name)


if __name__ == "__main__":
    main()
