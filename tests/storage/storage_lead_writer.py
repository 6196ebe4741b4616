"""A writer process for test_storage_concurrency (run as a script, not collected by pytest).

    python storage_lead_writer.py URL WRITER COUNT START_FILE [--migrate]

Prints "ready", waits for START_FILE to exist (so both writers start together), then
writes COUNT leads, each in its own unit of work with an outbox event and an update of
one conversation row that every writer shares; prints "done".
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from models import LeadBase
from storage import migrate
from storage.database import Database
from storage.repositories import conversations, leads, outbox


def main(url: str, writer: str, count: int, start_file: Path, migrate_first: bool) -> None:
    database = Database.connect(url)
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not start_file.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.002)
    if migrate_first:
        migrate.ensure_schema(database)
    for number in range(count):
        with database.unit_of_work() as session:
            data = LeadBase(
                channel="console", chat_id=f"{writer}-{number}", text="資金繰りの相談", label="financing"
            )
            lead = leads.create_lead(
                session, data=data, actor=f"writer-{writer}", idempotency_key=f"{writer}:{number}"
            )
            outbox.enqueue(
                session, topic="lead.created", payload={"writer": writer, "n": number}, lead_id=lead.id
            )
            shared = conversations.get_or_create_conversation(session, channel="console", chat_id="shared")
            conversations.save_conversation(
                session, conversation=shared, state="counting", data={"last": f"{writer}:{number}"}
            )
    database.dispose()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), "--migrate" in sys.argv[5:])
