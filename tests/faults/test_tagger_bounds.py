"""Text written to make the tagger crawl: one endless sentence, dense with names and cues.

Without sentence punctuation the whole text was one sentence, and the tagger's per-sentence
pairing made it cubic: 28 KB took 80 s and held the run lock all that time. The tagger now sees
sentences of bounded length, so a document costs time in proportion to its size. Each text is
tagged in a child process (a hang guard that can be killed), which reports its own tagging time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.faults.conftest import REPO, cli_env

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

BOUND_SECONDS = 5.0  # for 200 KB; a generous margin over the ~1 s measured on 2 busy cores

TAG_AND_TIME = """
import json, sys, time
from ingest.tagger import tag
tag("warm up: Russia and Mali.")
text = sys.stdin.read()
started = time.perf_counter()
result = tag(text, lang="en").to_contract("x")
print(json.dumps({"seconds": time.perf_counter() - started, "result": result}))
"""

ENDLESS = "Russia deployed troops to Mali and "
DENSE = "Mali Niger Chad troops Wagner Russia deployed "


def tag_in_child(text: str) -> tuple[float, dict]:
    """Tag ``text`` in a child process; its tagging time and the contract output."""
    try:
        done = subprocess.run([sys.executable, "-c", TAG_AND_TIME], input=text,
                              capture_output=True, text=True, timeout=120, cwd=REPO,
                              env=cli_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"tagging {len(text):,} characters took more than 120 s")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    return report["seconds"], report["result"]


@pytest.mark.parametrize(("unit", "size"), [
    (ENDLESS, 28_000), (ENDLESS, 200_000), (DENSE, 200_000),
], ids=["endless-28KB", "endless-200KB", "dense-200KB"])
def test_a_sentence_without_end_is_tagged_in_bounded_time(unit, size):
    text = unit * (size // len(unit))
    seconds, result = tag_in_child(text)
    assert seconds < BOUND_SECONDS, f"{len(text):,} characters took {seconds:.1f} s"
    assert "Russia" in result["actors"] and "Mali" in result["partners"], result["actors"]
    assert any(dyad["actor"] == "Russia" and dyad["partner"] == "Mali"
               for dyad in result["dyads"]), result["dyads"][:3]
