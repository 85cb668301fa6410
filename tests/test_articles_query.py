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


SEARCHES = [queries.Filters(query="the"), queries.Filters(query="a*"),
            queries.Filters(query="the", languages=("en",)),
            queries.Filters(query="Russia OR Mali OR zzyzx"),
            queries.Filters(query="the", actors=("Russia",))]


@pytest.mark.parametrize("cap", [20, 10_000])  # 20: broad, pages found by walking; else narrow
@pytest.mark.parametrize("filters", SEARCHES)
def test_a_search_page_is_the_slice_of_the_whole_list(corpus_db, filters, cap):
    whole = list(queries.articles(corpus_db, filters))
    assert len(whole) > 20, filters
    for offset in (0, 50, 100, len(whole) - 10):
        page = queries.article_page(corpus_db, filters, limit=50, offset=offset, cap=cap)
        assert page.rows == whole[offset:offset + 50], (filters, offset)


@pytest.mark.parametrize("filters", SEARCHES[2:])
def test_a_search_count_is_exact_up_to_the_cap(corpus_db, filters):
    matches = len(list(queries.articles(corpus_db, filters)))
    exact = queries.article_page(corpus_db, filters, cap=matches)
    assert (exact.total, exact.more) == (matches, False)
    capped = queries.article_page(corpus_db, filters, cap=matches - 1)
    assert (capped.total, capped.more) == (matches - 1, True)


def test_a_prefix_search_is_counted_exactly(corpus_db):
    """A prefix search reads FTS5 whole once anyway, so its count costs nothing more."""
    filters = queries.Filters(query="a*")
    page = queries.article_page(corpus_db, filters, cap=5)
    assert (page.total, page.more) == (len(list(queries.articles(corpus_db, filters))), False)


def test_a_bad_prefix_search_says_what_is_wrong(corpus_db):
    with pytest.raises(queries.QueryError, match="cannot search"):
        queries.article_page(corpus_db, queries.Filters(query='"Africa Corps* AND'))


@pytest.mark.parametrize(("query", "prefix"), [
    ("a*", True), ('"Africa Co"*', True), ('"a*b"', False), ("the", False),
    ('"say ""hi*"""', False), ("title: mil* AND Mali", True),
])
def test_prefix_searches_are_told_apart(query, prefix):
    assert queries.is_prefix_search(query) is prefix
