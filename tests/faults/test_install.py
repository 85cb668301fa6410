"""A plain install must work: the command line never depends on the optional page extractor.

trafilatura (for ``run --full-text``) pulls in jusText, which needs ``lxml.html.clean``; with
the pip that Python 3.11 ships, that part went missing and every command failed on import. Here
trafilatura is made unimportable by a package of the same name placed first on the path, and
the command line must still start.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.faults.conftest import REPO, cli_args, cli_env

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]


def broken_trafilatura(folder: Path) -> str:
    """A ``trafilatura`` package that fails on import, as a broken install does."""
    package = folder / "trafilatura"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        'raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")\n')
    return str(folder)


def run_without_trafilatura(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = cli_env()
    env["PYTHONPATH"] = broken_trafilatura(folder) + ":" + env["PYTHONPATH"]
    return subprocess.run(cli_args(*args), capture_output=True, text=True, timeout=60,
                          cwd=REPO, env=env)


def test_the_command_line_starts_without_the_page_extractor(tmp_path):
    shown = run_without_trafilatura(tmp_path, "--help")
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    for command in ("run", "seeds", "retag", "feeds"):
        assert command in shown.stdout


def test_run_full_text_without_the_extractor_says_so_in_one_line(tmp_path):
    db = tmp_path / "monitor.db"
    result = run_without_trafilatura(tmp_path / "shim", "run", "--full-text", "--db", str(db))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    assert "--full-text needs trafilatura" in output, output


def test_the_package_declares_the_html_cleaner_and_full_text_extraction_works():
    """jusText asks for ``lxml[html_clean]``, which pip 23 does not match to lxml 6's extra."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(re.match(r"lxml[_-]html[_-]clean\b", spec) for spec in declared), declared
    page = "<html><body><article><p>" + "Russia deployed troops to Mali. " * 40 + "</p>"
    extracted = subprocess.run(
        cli_args()[:1] + ["-c", "import sys, trafilatura;"
                          " print(trafilatura.extract(sys.stdin.read()))"],
        input=page + "</article></body></html>", capture_output=True, text=True, timeout=60,
        env=cli_env())
    assert "Russia deployed troops to Mali." in extracted.stdout, extracted.stderr[-500:]
