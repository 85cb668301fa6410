"""Check a rebuilt tests/realnews/texts/texts.jsonl against sources.jsonl (ids and sha256).

Run from the repository root: python tests/realnews/check_texts.py [TEXTS]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def check(texts_path: Path) -> list[str]:
    """One line per problem: a missing text, or a text whose sha256 is not the recorded one."""
    texts = {}
    if texts_path.exists():
        for line in texts_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                doc = json.loads(line)
                texts[doc["id"]] = doc.get("text", "")
    problems = []
    for line in (HERE / "sources.jsonl").read_text(encoding="utf-8").splitlines():
        source = json.loads(line)
        text = texts.get(source["id"])
        if text is None:
            problems.append(f"{source['id']}: missing ({source['url']})")
        elif hashlib.sha256(text.encode("utf-8")).hexdigest() != source["sha256"]:
            problems.append(f"{source['id']}: text differs from the one labelled")
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "texts" / "texts.jsonl")
    print("\n".join(found) or "all texts present and matching")
    sys.exit(1 if found else 0)
