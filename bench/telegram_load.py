"""Benchmark: N simultaneous owners through the real Telegram bot process (run by hand).

    .venv/bin/python bench/telegram_load.py [--chats 20] [--backend sqlite|postgresql|both]

Starts the fake Bot API from the tests on 127.0.0.1, a database with the example directory,
and `madoguchi serve telegram`; every chat plays a whole intake (text and button presses),
sending its next message when the previous reply arrived. Prints intakes completed per
second and the median and p95 time from an update to its reply, per backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from models import Lead  # noqa: E402
from nlp.taxonomy import load_taxonomy  # noqa: E402
from storage import migrate  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.directory.importer import import_directory  # noqa: E402
from storage.directory.validate import load_directory  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, Sent  # noqa: E402

PROBLEMS = [
    "松本市で町工場をやってます。息子が継がないので、店をどうするか悩んでいます",
    "長野県で旅館をしています。予約の管理を紙からシステムに変えたい",
    "東京の八王子で飲食店。来月の支払いが足りなくて融資の相談をしたい",
    "北海道の帯広で農家さんと組んで加工品を作りたい",
]


def database_url(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    name = f"madoguchi_bench_{uuid.uuid4().hex[:8]}"
    admin = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    with create_engine(admin, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop(name: str | None) -> None:
    if name:
        admin = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        with create_engine(admin, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def owner(fake: FakeTelegram, chat: int, problem: str, latencies: list[float], done: list[int]) -> None:
    """One owner: answer each question the simplest way until the case is submitted."""

    def step(push: Callable[[], object]) -> Sent:
        before = len(fake.messages_to(chat))
        start = time.perf_counter()
        push()
        fake.wait_for(lambda: len(fake.messages_to(chat)) > before, timeout=120)
        latencies.append(time.perf_counter() - start)
        time.sleep(0.05)  # let the burst of replies to one update finish
        return fake.messages_to(chat)[-1]

    step(lambda: fake.text(chat, "/start"))
    reply = step(lambda: fake.text(chat, problem))
    for _ in range(20):
        ids = reply.choice_ids()
        pick = next(
            (w for w in ("confirm:yes", "consent:yes", "contact:chat", "skip", "region:関東") if w in ids),
            None,
        )
        if pick is None and any(i.startswith("pref:") for i in ids):
            pick = "pref:東京都"
        if pick is None and any(i.startswith("cat:") for i in ids):
            pick = ids[0]
        current = reply
        if pick is None:
            reply = step(lambda: fake.text(chat, "10人"))
        else:
            reply = step(lambda c=current, p=pick: fake.press(chat, c, p))
        if pick == "confirm:yes":
            done.append(chat)
            return


def run(backend: str, chats: int, home: Path, workdir: Path) -> None:
    url, name = database_url(backend, workdir)
    database = Database.connect(url)
    migrate.upgrade(database)
    directory = load_directory(ROOT / "data/directory/example.yaml", categories=load_taxonomy().ids)
    with database.unit_of_work() as session:
        import_directory(session, directory=directory, actor="bench")
    fake = FakeTelegram().start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "MADOGUCHI_HOME": str(home),
        "MADOGUCHI_DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": "1:bench",
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_FLOOD_LIMIT": "1000",
    }
    bot = subprocess.Popen(
        [str(Path(sys.executable).parent / "madoguchi"), "serve", "telegram"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fake.wait_for(lambda: fake.calls.get("getUpdates", 0) > 0, timeout=120)
        latencies: list[float] = []
        done: list[int] = []
        threads = [
            threading.Thread(
                target=owner, args=(fake, 10_000 + i, PROBLEMS[i % len(PROBLEMS)], latencies, done)
            )
            for i in range(chats)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        with database.session() as session:
            stored = len(session.exec(select(Lead)).all())
        ordered = sorted(latencies)
        median = statistics.median(ordered) * 1000
        p95 = ordered[int(len(ordered) * 0.95)] * 1000
        print(
            f"{backend:<10} chats {chats}  intakes {len(done)}  leads stored {stored}  "
            f"{len(done) / elapsed:5.2f} intakes/s  update->reply median {median:6.1f} ms  p95 {p95:6.1f} ms"
        )
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        fake.stop()
        database.dispose()
        drop(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--home", type=Path, default=ROOT / "var", help="MADOGUCHI_HOME with a model")
    args = parser.parse_args()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"madoguchi-bench-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.chats, args.home.resolve(), workdir)


if __name__ == "__main__":
    main()
