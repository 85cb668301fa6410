"""Articles: full-text search, the filtered list with its tags, and one article's evidence."""

import functools
import html
from dataclasses import replace
from urllib.parse import urlparse

import streamlit as st

from ingest import export, labels
from ingest.queries import Filters
from views import common

PAGE = 50
MARK = "background: #ffe08a; padding: 0 2px"

common.require_articles()
filters = common.filters()
st.title("Articles")
# A list of articles collapses copies into stories; events have a page of their own.
filters = common.count_control(filters, "stories", "a_unit", units=("articles", "stories"))

query = st.text_input("Search titles and text", key="a_query",
                      placeholder='e.g. "Africa Corps" AND Niger').strip()
if query:
    query, quoted = common.search(query)
    if quoted:
        st.caption(f"Not a valid search expression, so each word was searched as typed: {query}")
filters = replace(filters, query=query or None)

page = st.session_state.get("a_page", 1)
found = common.fetch("queries.article_page", filters=filters, limit=PAGE, offset=(page - 1) * PAGE)
pages = max(1, -(-found.total // PAGE) + found.more)  # past the count: one page more
if page > pages:  # the search narrowed under the page the analyst was on
    page = st.session_state["a_page"] = pages
    found = common.fetch("queries.article_page", filters=filters, limit=PAGE,
                         offset=(page - 1) * PAGE)
if pages > 1:
    of = f"more than {pages - 1}" if found.more else pages
    page = st.number_input(f"Page (of {of})", min_value=1, max_value=pages, key="a_page")
rows = found.rows
if found.more:
    st.caption(f"More than {found.total:,} {filters.unit} match (counting stops there); showing "
               f"{len(rows)}, newest first. Narrow the search to count them, or export them all.")
else:
    st.caption(f"{found.total} {filters.unit} match; showing {len(rows)}, newest first.")
if filters.unit == "stories":
    st.caption("One row per story: its first matching article; \"copies\" counts the other"
               " articles carrying the same report, listed when the article is opened.")
# An article its feed gave no date is dated when first seen: say so where the date is read.
shown = [{**row, "published": f"{common.readable_time(row['published'])} (first seen)"}
         if row["published_inferred"] else row for row in rows]
# A feed's entry linking to another site is its claim about that link, not the site's article.
shown = [{**row, "source": f"{row['source']} (links to {urlparse(row['url']).hostname})"}
         if row["offsite"] else row for row in shown]
common.table(shown, ["published", "title", "source", "copies", "language", "actors", "partners",
                     "themes", "url"])
CAP = export.DOWNLOAD_CAP
if found.more or filters.unit != "articles":  # the articles behind the stories are not counted
    holds = f"every matching article, up to the newest {CAP:,}"
elif found.total > CAP:
    holds = f"the newest {CAP:,} of the {found.total:,} matching articles"
else:
    holds = f"all {found.total:,} matching articles"
st.download_button(
    f"Download CSV ({holds})",
    # Written when clicked, from the query, not from this page's rows.
    functools.partial(export.query_csv_bytes, common.db_path(), "articles", filters, cap=CAP),
    file_name=export.file_name("articles", filters), mime="text/csv", key="download_articles")
st.caption(f"The download holds every article the filters and search match, newest first, up"
           f" to {CAP:,} (a larger file would not fit in the browser's download);"
           " `python -m ingest export articles` writes any number.")


def highlighted(text: str, sentences: list[str]) -> str:
    """The text as escaped HTML with each evidence sentence marked; nothing else is markup."""
    spans = []
    for sentence in sorted({s for s in sentences if s}, key=len, reverse=True):
        start = text.find(sentence)
        if start >= 0 and not any(a < start + len(sentence) and start < b for a, b in spans):
            spans.append((start, start + len(sentence)))
    out, cursor = [], 0
    for start, end in sorted(spans):
        out += [html.escape(text[cursor:start]),
                f'<mark style="{MARK}">{html.escape(text[start:end])}</mark>']
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out).replace("\n", "<br>")


if rows:
    titles = {row["article_id"]: f"{(row['published'] or '?')[:10]} · {row['title']}"
              for row in rows}
    chosen = st.selectbox("Open an article", list(titles), format_func=titles.get, index=None,
                          key="a_open", placeholder="choose from this page")
    article = common.fetch("aggregates.article_detail", chosen) if chosen else None
    if article:
        evidence = article["evidence"]
        kept = [row["evidence"] for row in evidence if row["verdict"] != "rejected"]
        st.html(f"<h3>{highlighted(article['title'] or '', kept)}</h3>")  # headline evidence too
        marks = [f"Published {common.readable_time(article['published']) or 'unknown'}",
                 f"source: {article['source']}"]
        if article["illustrative"]:
            marks.append("illustrative sample data, not reporting")
        if article["affiliation"]:
            marks.append(f"state-affiliated ({article['affiliation']})")
        if article["offsite"]:
            marks.append(f"links to {urlparse(article['url']).hostname}, not its feed's site:"
                         f" the text is what {article['source']} published, not that site's"
                         " article (if the feed is that site's own, the operator declares it"
                         " with `feeds add URL --site HOST`)")
        st.text(" · ".join(marks))
        if urlparse(article["url"] or "").scheme in ("http", "https"):
            st.link_button("Open the source", article["url"])
        st.html('<div style="line-height: 1.6">' + highlighted(article["text"], kept) + "</div>")
        st.subheader("Tags and their evidence")
        common.table([{**row, "what": labels.described(row["target"], row["what"])}
                      for row in evidence],
                     ["target", "what", "status", "evidence", "rule", "verdict"])
        common.download(evidence, f"article-{chosen}-evidence", narrowed=Filters())
        story = common.fetch("stories.story_of", chosen)
        if story and story["articles"] > 1:
            st.subheader(f"The same report: {story['articles']} articles")
            st.caption(f"{story['sources']} sources, languages {story['languages']},"
                       f" {story['state_share']:.0%} of the sources state-affiliated; first seen"
                       f" {common.readable_time(story['first_seen'])}.")
            common.table(story["members"], ["published", "title", "source", "outlet",
                                            "language", "url"])
