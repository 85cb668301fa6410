"""Read a folder of seed documents (.txt, .md, .html, .json, .jsonl) into the store.

Each folder with documents is one source. A ``_source.yaml`` beside the documents may name the
source and mark it ``illustrative`` (bundled sample data). Files named README*, SOURCES* or
starting with ``_`` or ``.`` are documentation, not documents. One unreadable file costs one
clear line naming it; the rest of the folder is still ingested.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

from ingest import dates, pipeline, store
from ingest.text import html_title, html_to_text, markdown_to_text, normalise_whitespace

EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
MAX_BYTES = 20 * 1024 * 1024
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


@dataclass
class FolderReport:
    """What one seed run did, for the CLI and the runs table."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(pipeline.OUTCOMES, 0))
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None


def ingest_folder(db: sqlite_utils.Database, folder: str | Path,
                  progress: Callable[[Path], None] | None = None) -> FolderReport:
    """Ingest every seed document under ``folder``, recording the run and its failures."""
    root = Path(folder)
    if not root.is_dir():
        raise SeedError(f"{root}: no such seeds folder")
    report = FolderReport(run_id=store.start_run(db, "seeds", pipeline.TAGGER_VERSION))
    sources: dict[Path, int] = {}
    try:
        for path in seed_files(root):
            if progress:
                progress(path)
            source_id = sources.get(path.parent)
            if source_id is None:
                try:
                    meta = _folder_meta(path.parent)
                except SeedError as exc:
                    report.errors.append(str(exc))
                    meta = {}
                source_id = sources[path.parent] = _register_folder(db, root, path.parent, meta)
            try:
                docs = list(read_file(path, root))
            except SeedError as exc:
                report.errors.append(str(exc))
                continue
            for doc in docs:
                if isinstance(doc, SeedError):
                    report.errors.append(str(doc))
                    continue
                report.counts[pipeline.store_document(db, doc, source_id)] += 1
    except BaseException:
        store.finish_run(db, report.run_id, report.counts | {"failed": len(report.errors)},
                         report.errors, status="failed")
        raise
    store.finish_run(db, report.run_id, report.counts | {"failed": len(report.errors)},
                     report.errors)
    return report


def seed_files(root: Path) -> Iterator[Path]:
    """Document files under ``root`` in a stable order, skipping documentation and hidden files."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part.startswith((".", "_")) for part in relative):
            continue
        if path.name.upper().startswith(("README", "SOURCES")):
            continue
        if path.is_file() and path.suffix.lower() in EXTENSIONS:
            yield path


def _folder_meta(folder: Path) -> dict:
    """The folder's ``_source.yaml`` (name, illustrative, language), or nothing."""
    meta_path = folder / "_source.yaml"
    if not meta_path.exists():
        return {}
    try:
        meta = yaml.safe_load(meta_path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SeedError(f"{meta_path}: not valid YAML ({_first_line(exc)})") from None
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
    raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    if raw is None:
        raise SeedError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB, skipped")
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
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            reason = _first_line(exc)
            raise SeedError(f"{path}: front matter is not valid YAML ({reason})") from None
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
    meta = {"title": html_title(source)}
    stamp = re.search(
        r"<meta[^>]+(?:article:published_time|datePublished|pubdate)[^>]+content=\"([^\"]+)\"",
        source, re.IGNORECASE,
    ) or re.search(r"<time[^>]+datetime=\"([^\"]+)\"", source, re.IGNORECASE)
    if stamp:
        meta["published"] = stamp.group(1)
    lang = re.search(r"<html[^>]+lang=\"([a-zA-Z]{2})", source)
    if lang:
        meta["language"] = lang.group(1).lower()
    return _document(path, key, meta, html_to_text(source))


def _read_json(path: Path, source: str, key: str) -> Iterator[pipeline.Document | SeedError]:
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
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


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0]
