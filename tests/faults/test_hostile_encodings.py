"""Entity bombs in the encodings feedparser honours: EBCDIC, UTF-16, UTF-32, a charset header.

The refusal of ``<!ENTITY`` once looked at the body decoded as latin-1 (or UTF-16/32 by BOM),
so a feed declared ``cp037`` (EBCDIC) passed it and feedparser, which honours the declaration,
expanded one 100 KB entity 9,000 times: 879 MB of text, 3.8 GB at peak. The refusal now reads
the body exactly as the parser will. Served from 127.0.0.1 to one real ``run``, beside an honest
EBCDIC feed that must still be read; the run's peak resident size comes from ``wait4``.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.faults.conftest import LocalServer, cli_args, cli_env, ro, run_cli
from tests.faults.test_hostile_feeds import wait_with_rusage

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

MAX_RSS_MB = 400
ENTITY = "Wagner in Mali " * 1500    # 22 KB, referenced 9,000 times: 200 MB once expanded
REFERENCES = "&e;" * 9000


def feed_xml(declared: str | None, url: str, *, entity: bool = True) -> str:
    """An RSS feed declaring ``declared`` as its encoding, with or without an entity bomb."""
    prolog = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    doctype = f'<!DOCTYPE rss [\n<!ENTITY e "{ENTITY}">\n]>\n' if entity else ""
    body = REFERENCES if entity else "Russia deployed 300 soldiers to Mali, officials said."
    return (f'{prolog}{doctype}<rss version="2.0"><channel><title>Encoded</title>'
            f"<link>https://news.example/</link><description>enc</description>"
            f"<item><title>Russia and Mali</title><link>{url}</link>"
            f"<description>{body}</description></item></channel></rss>")


BOMBS = {
    # name: (bytes encoding, encoding declared in the XML prolog, charset in Content-Type)
    "cp037-declared": ("cp037", "cp037", None),
    "cp500-declared": ("cp500", "cp500", None),
    "cp037-by-header": ("cp037", None, "cp037"),
    "utf-16-bom": ("utf-16", "utf-16", None),
    "utf-16be-no-bom": ("utf-16-be", "utf-16", None),
    "utf-32-bom": ("utf-32", "utf-32", None),
}


@pytest.fixture(scope="module")
def encoded_run(tmp_path_factory):
    site = LocalServer()
    tmp = tmp_path_factory.mktemp("encodings")
    urls = {}
    for name, (codec, declared, charset) in BOMBS.items():
        body = feed_xml(declared, f"https://news.example/{name}").encode(codec)
        content_type = "application/rss+xml" + (f"; charset={charset}" if charset else "")
        urls[name] = site.bytes(f"/{name}.xml", body, content_type=content_type)
    honest = feed_xml("cp037", "https://news.example/honest-ebcdic", entity=False)
    urls["honest-ebcdic"] = site.bytes("/honest.xml", honest.encode("cp037"))
    db = tmp / "monitor.db"
    (tmp / "feeds.txt").write_text("\n".join(urls.values()) + "\n")
    assert run_cli("feeds", "import", str(tmp / "feeds.txt"), "--db", str(db)).returncode == 0
    with open(tmp / "err.txt", "wb") as err:
        process = subprocess.Popen(
            cli_args("run", "--all", "--allow-private-hosts", "--host-delay", "0", "--workers",
                     "4", "--db", str(db)), stdout=subprocess.DEVNULL, stderr=err, env=cli_env())
        try:
            returncode, peak_rss_mb = wait_with_rusage(process, hang_guard=120)
        finally:
            site.close()
    with ro(db) as conn:
        health = {name: conn.execute("SELECT last_error, last_success_at FROM sources"
                                     " WHERE url = ?", [url]).fetchone()
                  for name, url in urls.items()}
        errors = json.loads(conn.execute("SELECT errors FROM runs ORDER BY id DESC").fetchone()[0])
        titles = [row[0] for row in conn.execute("SELECT url FROM articles")]
    return {"returncode": returncode, "peak_rss_mb": peak_rss_mb, "health": health,
            "errors": errors, "urls": urls, "stored": titles,
            "stderr": (tmp / "err.txt").read_text()}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_entity_bomb_is_refused_in_every_encoding_the_parser_honours(encoded_run, name):
    error, success = encoded_run["health"][name]
    assert not success and error and "declares XML entities" in error, error
    lines = [line for line in encoded_run["errors"] if encoded_run["urls"][name] in line]
    assert len(lines) == 1 and "declares XML entities" in lines[0], lines


def test_an_honest_ebcdic_feed_is_still_read_and_the_run_stays_small(encoded_run):
    assert "Traceback" not in encoded_run["stderr"], encoded_run["stderr"][-2000:]
    assert encoded_run["stored"] == ["https://news.example/honest-ebcdic"]
    assert encoded_run["peak_rss_mb"] < MAX_RSS_MB, encoded_run["peak_rss_mb"]
