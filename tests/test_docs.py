"""The README and the CLI must not drift apart."""

from __future__ import annotations

from click.testing import CliRunner

from ingest.cli import cli
from tests.conftest import REPO


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")


def test_every_command_is_in_the_readme_and_has_help():
    readme = (REPO / "README.md").read_text("utf-8")
    for name in _commands(cli):
        assert f"python -m ingest {name}" in readme, f"README does not show `{name}`"
        result = CliRunner().invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_the_readme_gives_exactly_two_setup_commands():
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("## Two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == [
        "make dashboard", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()
