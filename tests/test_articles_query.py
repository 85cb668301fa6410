"""The Articles page's query: the page is chosen first, then only its rows get their tags.

Speed is measured by bench/bench_articles.py (docs/benchmarks.md); these check that the
paged rows are exactly the rows of the whole list, in order, with the same tag lists.
"""

from __future__ import annotations

import pytest

from ingest import pipeline, queries, store, synth


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("articles") / "m.db"
    db = store.open_db(path)
    with store.transaction(db):
        source = store.ensure_source(db, kind="seeds", url="synth", name="Synth")
    pipeline.store_documents(db, synth.documents(synth.records(400, seed=11), seed=11), source)
    return db


@pytest.mark.parametrize("filters", [
    queries.Filters(), queries.Filters(query="the"), queries.Filters(query="a*"),
    queries.Filters(actors=("Russia",)), queries.Filters(partners=("Mali",), languages=("fr",)),
])
def test_every_page_is_a_slice_of_the_whole_list_with_its_tags(corpus_db, filters):
    whole = list(queries.articles(corpus_db, filters))
    assert whole, filters
    assert any(row["actors"] for row in whole)
    pages = [list(queries.articles(corpus_db, filters, limit=50, offset=offset))
             for offset in range(0, len(whole), 50)]
    assert [row for page in pages for row in page] == whole
    newest_first = [(row["published"] or "") for row in whole]
    assert newest_first == sorted(newest_first, reverse=True)
