"""HTML and Markdown to clean plain text, keeping paragraphs.

selectolax (the Lexbor HTML5 parser) does the parsing; nothing executable survives because only
text nodes are kept, and script-like elements are dropped with their contents.
"""

from __future__ import annotations

import re
from itertools import islice

import markdown
from selectolax.lexbor import LexborHTMLParser

DROPPED = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
           "math", "head", "form", "button", "select", "textarea"]
BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
          "section", "article", "header", "footer", "figcaption", "pre", "dd", "dt")


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment or page, one paragraph per block element."""
    if not html or "<" not in html:
        return normalise_whitespace(html or "")
    if _too_deep(html):
        return normalise_whitespace(_TAG.sub(" ", _drop_blocks(html)))
    tree = LexborHTMLParser(html)
    tree.strip_tags(DROPPED)
    root = tree.body or tree.root
    if root is None:
        return ""
    return normalise_whitespace("".join(_text_with_breaks(root)))


_BLOCK_SET = frozenset(BLOCKS)
# The parser's tree building slows with nesting depth (100,000 nested <div>s: 12 s), so markup
# with this many tags left open is read by stripping tags, in linear time, paragraphs lost.
MAX_OPEN_TAGS = 5_000
_TAG = re.compile(r"<[^<>]*>")
_TAG_START = re.compile(r"<")
_OPEN_DROPPED = re.compile(r"<(script|style|template|noscript|head)\b")


def _drop_blocks(html: str) -> str:
    """The markup without script-like elements and their contents, in one pass: a closing tag
    looked for once and not found is not looked for again (no scan per unclosed opening)."""
    low = html.lower()
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    for m in _OPEN_DROPPED.finditer(low):
        name = m.group(1)
        if m.start() < pos or name in unclosed:
            continue
        end = low.find(f"</{name}", m.end())
        if end < 0:
            unclosed.add(name)
            continue
        close = low.find(">", end)
        out.append(html[pos:m.start()])
        pos = close + 1 if close >= 0 else len(html)
    out.append(html[pos:])
    return " ".join(out)


def _text_with_breaks(root) -> list[str]:
    """The text nodes under ``root`` in order, with a paragraph break around each block element.

    One iterative walk, each node entered once: inserting break nodes into the tree costs time
    with the depth, which made 100,000 nested <div>s take seconds.
    """
    out: list[str] = []
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            out.append("\n\n")
            continue
        if node.tag == "-text":
            out.append(node.text_content or "")
            continue
        block = node is not root and node.tag in _BLOCK_SET
        if block:
            out.append("\n\n")
            stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
    return out


MAX_LINK_BRACKETS = 500  # Python-Markdown's link patterns take time with the bracket count


def markdown_to_text(source: str) -> str:
    """Plain text of a Markdown document: render with the reference library, then strip.

    A document with more brackets than any article's links need ("[" * 20000 took 44 s) is
    rendered with its brackets escaped: its text is kept, its link markup is not.
    """
    if source.count("[") > MAX_LINK_BRACKETS:
        source = source.replace("[", "\\[")
    return html_to_text(markdown.markdown(source))


def _too_deep(html: str) -> bool:
    return html.count("<") - 2 * html.count("</") > MAX_OPEN_TAGS


def _head_of(html: str) -> str:
    """The markup up to its MAX_OPEN_TAGS-th tag when too many are left open: a title and
    meta tags come first, and the parser's time grows with the depth of what it reads."""
    if not _too_deep(html):
        return html
    tags = _TAG_START.finditer(html)
    cut = next(islice(tags, MAX_OPEN_TAGS, None), None)
    return html[:cut.start()] if cut else html


def html_title(html: str) -> str:
    tree = LexborHTMLParser(_head_of(html))
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None and node.text(strip=True):
            return normalise_whitespace(node.text())
    return ""


def html_metadata(html: str) -> dict[str, str]:
    """The publication date and language a page declares, read by the HTML parser.

    The date comes from the first ``<meta>`` naming ``article:published_time``,
    ``datePublished`` or ``pubdate`` in any attribute (property, name, itemprop...), else from
    the first ``<time datetime>``; the language from ``<html lang>``. (Regular expressions over
    raw markup took cubic time on ``"<meta pubdate " * 2000``.)
    """
    tree = LexborHTMLParser(_head_of(html))
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        names = " ".join(f"{key} {value or ''}" for key, value in attributes.items()
                         if key != "content").lower()
        if any(word in names for word in _DATE_META) and attributes.get("content"):
            found["published"] = attributes["content"] or ""
            break
    else:
        stamp = tree.css_first("time[datetime]")
        if stamp is not None and stamp.attributes.get("datetime"):
            found["published"] = stamp.attributes["datetime"] or ""
    root = tree.css_first("html")
    lang = (root.attributes.get("lang") or "") if root is not None else ""
    if re.match(r"[a-zA-Z]{2}", lang):
        found["language"] = lang[:2].lower()
    return found


_DATE_META = ("article:published_time", "datepublished", "pubdate")


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces inside lines and keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
