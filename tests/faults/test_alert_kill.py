"""SIGKILL an ingest between storing its alerts and sending them, or half-way through sending:
no alert is lost and none is mailed twice.

The real ``python -m ingest seeds`` runs in a subprocess with an apprise ``mailto://`` URL
pointing at an SMTP server on loopback (aiosmtpd). The server holds the Nth connection open
at RCPT, before any message is accepted, while the test kills the ingest; that connection's
mail was never accepted, so it is still owed. ``watch check`` then delivers what is owed.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import signal
import sqlite3
import subprocess
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.faults.conftest import cli_args, cli_env, corpus, count, integrity, run_cli, write_seeds
from tests.test_alerts import free_port

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

DOCS = 20  # 4 actors x 5 partners in turn: twenty pairs, twenty "new pair" alerts


class HoldingMailbox:
    """Accepts mail, but holds the ``hold_at``-th session at RCPT until ``release``."""

    def __init__(self, hold_at: int) -> None:
        self.hold_at, self.sessions, self.messages = hold_at, 0, []
        self.holding, self.released = threading.Event(), threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        self.sessions += 1
        if self.sessions == self.hold_at:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=monitor@example.org&to=desk@example.org"

    def subjects(self) -> list[str]:
        return [str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
                for raw in self.messages]


def alert_titles(db) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [f"[{name}] {summary}" for name, summary in conn.execute(
            "SELECT watch_name, summary FROM alerts ORDER BY id")]


@pytest.mark.parametrize("hold_at", [1, 6], ids=["before-any-mail", "after-five-mails"])
def test_a_kill_between_storing_and_sending_neither_loses_nor_duplicates(tmp_path, hold_at):
    db = tmp_path / "monitor.db"
    folder = write_seeds(tmp_path / "seeds", corpus(DOCS, prefix="alerts"), per_file=DOCS)
    added = run_cli("watch", "add", "pairs", "--trigger", "new-pair", "--db", str(db))
    assert added.returncode == 0, added.stderr
    box = HoldingMailbox(hold_at)
    box.controller.start()
    try:
        ingest = subprocess.Popen(
            cli_args("seeds", str(folder), "--db", str(db)), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=cli_env(MONITOR_NOTIFY=box.url))
        assert box.holding.wait(120), "the ingest never tried to send an alert"
        ingest.send_signal(signal.SIGKILL)
        ingest.communicate(timeout=30)
        assert ingest.returncode == -signal.SIGKILL
        box.released.set()

        assert integrity(db) == "ok"
        assert count(db, "SELECT count(*) FROM articles") == DOCS
        titles = alert_titles(db)
        assert len(titles) == DOCS  # stored with the articles' run, before any sending
        assert len(box.messages) == hold_at - 1
        assert count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL") \
            == DOCS - (hold_at - 1)

        box.hold_at = 0  # hold nothing from now on
        finish = subprocess.run(cli_args("watch", "check", "--db", str(db)),
                                capture_output=True, text=True, timeout=120,
                                env=cli_env(MONITOR_NOTIFY=box.url))
        assert finish.returncode == 0, finish.stderr
        assert f"0 alerts raised, {DOCS - (hold_at - 1)} delivered, 0 failed" in finish.stdout
    finally:
        box.released.set()
        box.controller.stop()
    assert sorted(box.subjects()) == sorted(titles)  # each alert mailed once, none lost
    assert alert_titles(db) == titles
    assert count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL") == 0
