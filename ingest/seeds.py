"""Read a folder of seed documents (.txt, .md, .html, .json, .jsonl) into the store.

Each folder with documents is one source. A ``_source.yaml`` beside the documents may name the
source and mark it ``illustrative`` (bundled sample data). Files named README*, SOURCES* or
starting with ``_`` or ``.`` are documentation, not documents. One unreadable file costs one
clear line naming it; the rest of the folder is still ingested.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

from ingest import dates, pipeline, store
from ingest.text import (
    html_metadata,
    html_title,
    html_to_text,
    markdown_to_text,
    normalise_whitespace,
)

EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32  # folders below the seeds folder; deeper ones cost one line and are not read
MAX_METADATA_CHARS = 64 * 1024  # front matter or _source.yaml: a few fields, never a book
# Lines a news site wraps around the story: bylines, posting and reading-time stamps.
META_LINE = re.compile(
    r"^(?:(?:posted|published|updated|publi[ée](?: le)?|mis [àa] jour(?: le)?)(?:\s+(?:on|le)?\s*"
    r"[\w ,:./-]{0,40})?"
    r"|(?:reading time|temps de lecture)\s*:?.{0,20}"
    r"|source site|site source|source\s*:.{0,60}"
    r"|(?:by|par)\s+[A-ZÀ-Ý][\w.'-]+(?:\s+[A-ZÀ-Ý][\w.'-]+){0,3})$",
    re.IGNORECASE,
)
BYLINE_START = re.compile(r"^(?:article written by|article r[ée]dig[ée] par)\s*:?$", re.I)


TEXT_FIELDS = ("url", "author", "outlet", "source", "language", "lang")


class SeedError(ValueError):
    """A seed document that cannot be read; the message names the field or the problem."""


class _MetadataLoader(yaml.SafeLoader):
    """YAML without aliases: nine levels of nine ``*aliases`` name 387 million strings, which
    cost gigabytes the moment a field is turned into text. Metadata never needs them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in seed metadata",
                self.peek_event().start_mark)
        return super().compose_node(parent, index)


def load_metadata(text: str, where: object, part: str | None = None) -> object:
    """YAML front matter or ``_source.yaml``, bounded in size, nesting and aliases."""
    lead = f"{where}: {part} is" if part else f"{where}:"
    if len(text) > MAX_METADATA_CHARS:
        raise SeedError(f"{lead} longer than {MAX_METADATA_CHARS:,} characters")
    try:
        return yaml.load(text, Loader=_MetadataLoader)  # a SafeLoader, less aliases
    except yaml.YAMLError as exc:
        raise SeedError(f"{lead} not valid YAML ({_first_line(exc)})") from None
    except RecursionError:
        raise SeedError(f"{lead} nested too deeply") from None


@dataclass
class FolderReport:
    """What one seed run did, for the CLI and the runs table."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(pipeline.OUTCOMES, 0))
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None
    folders: dict[int, FolderHealth] = field(default_factory=dict)  # by source id


@dataclass
class FolderHealth:
    """One seed folder's share of a run, for its health row on the Sources page."""

    read: int = 0
    failed: int = 0
    last_error: str | None = None

    def fail(self, message: str) -> None:
        self.failed += 1
        self.last_error = message


def ingest_folder(db: sqlite_utils.Database, folder: str | Path,
                  progress: Callable[[Path], None] | None = None) -> FolderReport:
    """Ingest every seed document under ``folder``, recording the run and its failures."""
    root = Path(folder)
    if not root.is_dir():
        raise SeedError(f"{root}: no such seeds folder")
    report = FolderReport(run_id=store.start_run(db, "seeds", pipeline.TAGGER_VERSION))
    sources: dict[Path, int] = {}
    try:
        for path in seed_files(root, report.errors):
            if progress:
                progress(path)
            source_id = sources.get(path.parent)
            if source_id is None:
                meta_error = None
                try:
                    meta = _folder_meta(path.parent)
                except (SeedError, OSError) as exc:
                    meta_error = _reading_error(path.parent / "_source.yaml", exc)
                    report.errors.append(meta_error)
                    meta = {}
                source_id = sources[path.parent] = _register_folder(db, root, path.parent, meta)
                report.folders[source_id] = FolderHealth(last_error=meta_error)
            health = report.folders[source_id]
            try:
                docs = list(read_file(path, root))
            except Exception as exc:  # reading only: a bad file costs one line, not the run
                report.errors.append(_reading_error(path, exc))
                health.fail(report.errors[-1])
                continue
            bad = [str(doc) for doc in docs if isinstance(doc, SeedError)]
            report.errors.extend(bad)
            if bad:
                health.fail(bad[-1])
            else:
                health.read += 1
            for doc in docs:
                if not isinstance(doc, SeedError):
                    report.counts[pipeline.store_document(db, doc, source_id)] += 1
    except BaseException:
        with contextlib.suppress(Exception):  # the run's own error is the one to report
            _record_health(db, report.folders)
        store.finish_run(db, report.run_id, report.counts | {"failed": len(report.errors)},
                         report.errors, status="failed")
        raise
    _record_health(db, report.folders)
    store.finish_run(db, report.run_id, report.counts | {"failed": len(report.errors)},
                     report.errors)
    return report


def _record_health(db: sqlite_utils.Database, folders: dict[int, FolderHealth]) -> None:
    """Each folder's last run on its source row: when, files read and failed, and its last
    error (kept from an earlier run when this one had none, with its time, as for feeds)."""
    stamp = store.now()
    with store.transaction(db):
        for source_id, health in folders.items():
            db.execute("UPDATE sources SET last_polled_at = ?, files_read = ?, files_failed = ?"
                       " WHERE id = ?", [stamp, health.read, health.failed, source_id])
            if health.read:
                db.execute("UPDATE sources SET last_success_at = ? WHERE id = ?",
                           [stamp, source_id])
            if health.last_error:
                db.execute("UPDATE sources SET last_error = ?, last_error_at = ? WHERE id = ?",
                           [health.last_error[:500], stamp, source_id])


def seed_files(root: Path, errors: list[str] | None = None) -> list[Path]:
    """Document files under ``root`` in a stable order, skipping documentation and hidden files.

    The walk keeps its own stack (no recursion, however deep the folders) and stops at
    ``MAX_DEPTH``. Links are listed as they are and never walked into; ``read_file`` reads a link
    only if it leads to a file inside ``root``. What is skipped for cause goes to ``errors``.
    """
    found: list[Path] = []
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            _note(errors, f"{folder}: cannot list the folder ({exc.strerror})")
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 > MAX_DEPTH:
                    _note(errors, f"{path}: folders nested more than {MAX_DEPTH} deep are not"
                                  " read")
                else:
                    stack.append((path, depth + 1))
            elif entry.is_symlink() and not _inside(path, root):
                _note(errors, f"{path}: a link to outside the seeds folder, not followed")
            elif entry.name.upper().startswith(("README", "SOURCES")):
                continue
            elif path.suffix.lower() in EXTENSIONS and entry.is_file():
                found.append(path)
    return sorted(found)


def _inside(link: Path, root: Path) -> bool:
    """True when the link's target, resolved, is inside ``root`` (resolved too)."""
    try:
        return link.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _note(errors: list[str] | None, message: str) -> None:
    if errors is not None:
        errors.append(message)


def _folder_meta(folder: Path) -> dict:
    """The folder's ``_source.yaml`` (name, illustrative, language), or nothing."""
    meta_path = folder / "_source.yaml"
    if not meta_path.exists() and not meta_path.is_symlink():
        return {}
    raw = _read_bytes(meta_path, folder)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{meta_path}: not valid YAML ({_first_line(exc)})") from None
    meta = load_metadata(text, meta_path)
    if not isinstance(meta, dict):
        raise SeedError(f"{meta_path}: must be a mapping of fields (name, illustrative)")
    return meta


def _register_folder(db: sqlite_utils.Database, root: Path, folder: Path, meta: dict) -> int:
    relative = folder.relative_to(root.parent).as_posix()
    with store.transaction(db):
        return store.ensure_source(
            db, kind="seeds", url=f"seeds:{relative}", name=str(meta.get("name") or relative),
            illustrative=int(bool(meta.get("illustrative"))), language=meta.get("language"),
        )


def read_file(path: Path, root: Path) -> Iterator[pipeline.Document | SeedError]:
    """The documents in one file; bad records of a JSON Lines file come back as errors."""
    raw = _read_bytes(path, root)
    if b"\x00" in raw[:8192]:
        raise SeedError(f"{path}: binary file, not a text document")
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    key = f"seed:{path.relative_to(root.parent).as_posix()}"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, source, key)
    elif suffix == ".json":
        yield from _read_json(path, source, key)
    else:
        reader = {".txt": _read_text, ".md": _read_markdown, ".markdown": _read_markdown,
                  ".html": _read_html, ".htm": _read_html}[suffix]
        yield reader(path, source, key)


def _read_bytes(path: Path, root: Path) -> bytes:
    """The file's bytes, if it is a regular file inside ``root`` (a link is checked again here,
    as it may have changed since the folder was listed) and not larger than ``MAX_BYTES``."""
    if not _inside(path, root):
        raise SeedError(f"{path}: a link to outside the seeds folder, not followed")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path.resolve(), flags)  # non-blocking: a FIFO must not hang the run
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SeedError(f"{path}: not a regular file, skipped")
        if info.st_size > MAX_BYTES:
            raise SeedError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB, skipped")
        return handle.read(MAX_BYTES + 1)


def _read_text(path: Path, source: str, key: str) -> pipeline.Document:
    """First line is the title; byline and stamp lines are metadata; paragraphs are kept."""
    lines = [line.strip() for line in normalise_whitespace(source).split("\n")]
    if not any(lines):
        raise SeedError(f"{path}: empty document")
    title, body_lines = lines[0], lines[1:]
    kept: list[str] = []
    byline: list[str] = []
    in_byline = False
    for line in body_lines:
        if BYLINE_START.match(line):
            in_byline = True
            continue
        if META_LINE.match(line):
            in_byline = False
            continue
        if in_byline and line:
            byline.append(line)
            continue
        kept.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return _document(path, key, {"title": title, "author": " · ".join(byline) or None}, text)


def _read_markdown(path: Path, source: str, key: str) -> pipeline.Document:
    meta: dict = {}
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", source, re.DOTALL)
    if match:
        meta = load_metadata(match.group(1), path, "front matter") or {}
        if not isinstance(meta, dict):
            raise SeedError(f"{path}: front matter must be a mapping of fields")
        source = source[match.end():]
    if not meta.get("title"):
        heading = re.match(r"^\s*#\s+(.+)\n?", source)
        if heading:
            meta["title"] = heading.group(1).strip()
            source = source[heading.end():]
    return _document(path, key, meta, markdown_to_text(source))


def _read_html(path: Path, source: str, key: str) -> pipeline.Document:
    meta = {"title": html_title(source), **html_metadata(source)}
    return _document(path, key, meta, html_to_text(source))


def _read_json(path: Path, source: str, key: str) -> Iterator[pipeline.Document | SeedError]:
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise SeedError(f"{path}: JSON nested too deeply") from None
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        yield _json_record(path if len(records) == 1 else f"{path}[{index}]", record,
                           key if len(records) == 1 else f"{key}#{index}")


def _read_jsonl(path: Path, source: str, key: str) -> Iterator[pipeline.Document | SeedError]:
    for number, line in enumerate(source.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SeedError(f"{path}:{number}: not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield SeedError(f"{path}:{number}: JSON nested too deeply")
            continue
        yield _json_record(f"{path}:{number}", record, f"{key}#{number}")


def _json_record(where, record, key: str) -> pipeline.Document | SeedError:
    if not isinstance(record, dict):
        return SeedError(f"{where}: expected an object with title and text")
    text = record.get("text")
    if not isinstance(text, str):
        return SeedError(f"{where}: field 'text' is missing or not a string")
    try:
        return _document(where, key if not record.get("id") else f"{key}:{record['id']}",
                         record, normalise_whitespace(text))
    except SeedError as exc:
        return exc


def _document(where, key: str, meta: dict, text: str) -> pipeline.Document:
    """Build the document, reading the date from metadata or inferring it from the text."""
    for name in TEXT_FIELDS:
        value = meta.get(name)
        if value is not None and not isinstance(value, str):
            raise SeedError(f"{where}: field '{name}' must be text, not {type(value).__name__}")
    title = str(meta.get("title") or "").strip()
    if not title and not text:
        raise SeedError(f"{where}: empty document")
    published, inferred = None, False
    stamp = meta.get("published") or meta.get("date")
    if stamp:
        try:
            published = dates.parse_date(stamp)
        except dates.DateError as exc:
            raise SeedError(f"{where}: field 'published': {exc}") from None
    else:
        published = dates.infer_date(f"{title}\n{text}")
        inferred = True
    language = meta.get("language") or meta.get("lang")
    return pipeline.Document(
        title=title or text.split("\n", 1)[0][:200], text=text, key=key,
        url=meta.get("url") or None, published=published, published_inferred=inferred,
        language=str(language).lower()[:8] if language else None,
        author=meta.get("author"), outlet=meta.get("outlet") or meta.get("source"),
    )


def _reading_error(path: Path, exc: Exception) -> str:
    """One line for a file that could not be read, whatever went wrong."""
    if isinstance(exc, SeedError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{path}: cannot read the file ({exc.strerror or exc})"
    return f"{path}: cannot read the file ({type(exc).__name__}: {_first_line(exc)[:200]})"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0]
