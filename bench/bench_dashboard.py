"""Time the dashboard under AppTest against generated databases of growing size.

    .venv/bin/python bench/bench_dashboard.py 10000 100000 1000000

For each size: build ``dashboard-g<GENERATOR>-N.db`` once in ``$BENCH_DATA`` (default: the
system's temp folder) with a fast SQL-level generator (below), then, in a fresh process per
size, time a cold full render of every page, a filter change (period -> last 7 days, then
language -> fr; then, back on all dates, one partner country) on each, and report medians and
the process's peak memory (``ru_maxrss``). Prints one JSON line per size. ``BENCH_PAGES``
(comma-separated page stems, e.g. ``overview,partnerships``) measures fewer pages;
``BENCH_UNIT`` (articles, stories or events) sets every Count control instead of each page's
default.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest import corrections, events, store, stories  # noqa: E402

PAGES = ("overview", "partnerships", "posture", "events", "articles", "sources", "review",
         "alerts")
# The Count control of the pages that have one: unset, each page counts its default unit
# (stories on Overview, Partnerships and Articles, events on Troop posture); ``BENCH_UNIT``
# sets it.
UNIT_KEYS = {"overview": "o_unit", "partnerships": "p_unit", "posture": "t_unit",
             "articles": "a_unit"}

DATA = Path(os.environ.get("BENCH_DATA") or tempfile.gettempdir()) / "influence-bench"
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
ACTORS = [("Russia", 30), ("Wagner Group", 12), ("Africa Corps", 5), ("France", 18),
          ("United States", 12), ("Turkey", 8), ("China", 7), ("United Arab Emirates", 4),
          ("United Kingdom", 2), ("Barkhane", 2)]
PARENT = {"Wagner Group": "Russia", "Africa Corps": "Russia", "Barkhane": "France"}
PARTNERS = ["Mali", "Central African Republic", "Burkina Faso", "Niger", "Libya", "Sudan",
            "Chad", "Mozambique", "Somalia", "Djibouti", "Kenya", "Nigeria", "Senegal",
            "Côte d'Ivoire", "Cameroon", "Ethiopia", "Egypt", "Algeria", "Madagascar",
            "Democratic Republic of the Congo", "Gabon", "Guinea", "Togo", "Benin", "Ghana"]
THEMES = ["military_cooperation", "pmc", "arms_transfer", "training", "troop_deployment",
          "troop_withdrawal", "base", "diplomacy", "economic", "information",
          "security_incident"]
STATUS = [("reported", 85), ("planned", 8), ("hedged", 4), ("denied", 3)]
ACTIONS = ["deploy", "withdraw", "present", "handover", "base_open", "base_close"]
PLACES = ["Bamako", "Gao", "Timbuktu", "Bangui", "Niamey", "Ouagadougou", "Djibouti",
          "Mogadishu", "Port Sudan", "Tripoli", "N'Djamena", "Abidjan", "Dakar", "Libreville"]
WORDS = ("the of and to in military forces cooperation agreement minister defence security "
         "troops training base officials said government partners").split()
END = datetime(2025, 6, 30)
# A monitored corpus grows at a roughly steady rate: a bigger archive covers more days, not
# more articles per day. ~275 articles a day (40 feeds) puts 1M articles over ten years, 100k
# over one year, 10k over five weeks; any 7-day window holds ~1,900 articles at every size.
# (Generator 1 spread every size over the same ten years skewed to recent ones, so the last
# 7 days held 100x more articles at 1M than at 10k: databases are named by generator.)
PER_DAY = 275
PARTNER = "Niger"  # the 4th most reported partner: ~6.5% of articles
GENERATOR = 2


def weighted(pairs: list[tuple[str, int]], rng: random.Random) -> str:
    return rng.choices([name for name, _ in pairs], [w for _, w in pairs])[0]


def generate(path: Path, count: int, seed: int = 7) -> None:
    """Insert ``count`` articles with tags, dyads and posture events: bench data only."""
    rng = random.Random(seed)
    db = store.open_db(path)
    db.execute("PRAGMA synchronous=OFF")
    partner_weights = [1 / (rank + 1) for rank in range(len(PARTNERS))]
    span_days = count / PER_DAY
    with store.transaction(db):
        sources = [store.ensure_source(db, kind="feed", url=f"https://feed{n}.example/rss",
                                       name=f"Feed {n}", language=rng.choice(["en", "fr"]),
                                       affiliation="Russia" if n < 3 else None)
                   for n in range(40)]
    for start in range(0, count, 20_000):
        articles, links, tags, dyads, posture = [], [], [], [], []
        for n in range(start, min(count, start + 20_000)):
            ident = f"b{n:08x}"
            moment = END - timedelta(days=span_days * rng.random(),
                                     seconds=rng.randrange(86_400))
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            source = rng.choice(sources)
            actor = weighted(ACTORS, rng)
            partner = rng.choices(PARTNERS, partner_weights)[0]
            themes = rng.sample(THEMES, rng.randint(1, 3))
            status = weighted(STATUS, rng)
            evidence = f"{actor} and {partner} {' '.join(rng.choices(WORDS, k=12))}."
            text = evidence + " " + " ".join(rng.choices(WORDS, k=40))
            articles.append((ident, f"https://n.example/{ident}", f"{actor} in {partner}", text,
                             stamp, rng.choice(["en", "en", "fr"]), source, stamp, stamp,
                             ident))
            links.append((ident, source, stamp))
            names = [actor, *([PARENT[actor]] if actor in PARENT else [])]
            for value, kind in [*((a, "actor") for a in names), (partner, "partner"),
                                *((t, "theme") for t in themes)]:
                tags.append((ident, kind, value, evidence, corrections.tag_key(kind, value)))
            for name in names:
                dyads.append((ident, name, partner, json.dumps(sorted(themes)), status, stamp,
                              evidence, corrections.dyad_key(name, partner)))
            if rng.random() < 0.1:
                action = rng.choice(ACTIONS)
                personnel = rng.choice([None, 50, 100, 200, 300, 500, 1000])
                posture.append((ident, actor, partner, action, personnel, rng.choice(PLACES),
                                stamp[:10], status, evidence,
                                corrections.posture_key(actor, partner, action, stamp)))
        with store.transaction(db):
            db.conn.executemany(
                "INSERT INTO articles (id, url, title, text, published, language, source_id,"
                " first_seen, updated_at, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", articles)
            db.conn.executemany("INSERT INTO article_sources (article_id, source_id, url,"
                                " seen_at) VALUES (?, ?, '', ?)", links)
            db.conn.executemany("INSERT INTO tags (article_id, kind, value, evidence, key)"
                                " VALUES (?,?,?,?,?)", tags)
            db.conn.executemany(
                "INSERT INTO dyads (article_id, actor, partner, themes, status, published,"
                " evidence, key) VALUES (?,?,?,?,?,?,?,?)", dyads)
            db.conn.executemany(
                "INSERT INTO posture (article_id, actor, country, action, personnel, place,"
                " date, status, evidence, key) VALUES (?,?,?,?,?,?,?,?,?,?)", posture)
    _count_rollups(db)
    db.execute("ANALYZE")
    db.conn.close()


def _count_rollups(db) -> None:
    """The rows above went in by SQL, past the writers that keep the rollups: count them once.
    (A checkout from before the rollups has none to count.)"""
    try:
        from ingest import rollups
    except ImportError:
        return
    with store.transaction(db):
        rollups.rebuild(db)


def fill(path: Path) -> None:
    """Migrate a file kept from an older release, and place its articles in stories and its
    statements in events (the generator writes rows by SQL, past the writers that place them):
    the pages count stories and events by default."""
    db = store.open_db(path)
    try:
        for name, waiting, place in (
                ("stories", stories.unplaced, stories.cluster),
                ("events", events.pending_count, events.place_pending)):
            if waiting(db):
                started = time.perf_counter()
                place(db)
                print(f"# placed {path.name}'s {name} in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
    finally:
        db.conn.close()


def timed(step) -> float:
    started = time.perf_counter()
    at = step()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def measure(path: Path) -> dict:
    """Cold renders and filter changes on every page; medians in seconds."""
    os.environ["MONITOR_DB"] = str(path)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    samples: dict[str, list[float]] = {}
    pages = os.environ.get("BENCH_PAGES", ",".join(PAGES)).split(",")
    unit = os.environ.get("BENCH_UNIT")
    for _ in range(REPEATS):
        for name in pages:
            page = f"views/{name}.py"
            st.cache_data.clear()
            at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=900)
            if page != "views/overview.py":
                at.run()
                at.switch_page(page)
                st.cache_data.clear()
            if unit and name in UNIT_KEYS:
                at.session_state[UNIT_KEYS[name]] = unit
            samples.setdefault(f"{name}_full", []).append(timed(at.run))
            samples.setdefault(f"{name}_period_7d", []).append(timed(
                lambda at=at: at.selectbox(key="f_period").set_value("Last 7 days").run()))
            samples.setdefault(f"{name}_language", []).append(timed(
                lambda at=at: at.multiselect(key="f_languages").set_value(["fr"]).run()))
            samples.setdefault(f"{name}_rerun_cached", []).append(timed(at.run))
            # Back to all dates, any language (cache hits), then one partner country: a
            # filter change whose work does not depend on the date window.
            at.selectbox(key="f_period").set_value("All dates")
            timed(lambda at=at: at.multiselect(key="f_languages").set_value([]).run())
            samples.setdefault(f"{name}_partner", []).append(timed(
                lambda at=at: at.multiselect(key="f_partners").set_value([PARTNER]).run()))
    result = {key: round(statistics.median(values), 3) for key, values in samples.items()}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main(sizes: list[int]) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = DATA / f"dashboard-g{GENERATOR}-{size}.db"
        if not path.exists():
            started = time.perf_counter()
            generate(path, size)
            print(f"# generated {path} in {time.perf_counter() - started:.0f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
        fill(path)
        output = subprocess.run([sys.executable, __file__, "--measure", str(path)],
                                check=True, capture_output=True, text=True).stdout
        print(json.dumps({"articles": size, **json.loads(output.strip().splitlines()[-1])}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
