"""Influence Monitor dashboard: ``streamlit run dashboard.py``.

This file only lays out the app: page navigation and the sidebar filters every page honours.
The pages live in ``views/``, their data in ``ingest.aggregates`` and ``ingest.queries``.
"""

import streamlit as st

from views import common

st.set_page_config(page_title="Influence Monitor", page_icon="🌍", layout="wide")

navigation = st.navigation([
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/partnerships.py", title="Partnerships"),
    st.Page("views/posture.py", title="Troop posture"),
    st.Page("views/events.py", title="Events"),
    st.Page("views/articles.py", title="Articles"),
    st.Page("views/sources.py", title="Sources"),
    st.Page("views/review.py", title="Review"),
    st.Page("views/alerts.py", title="Alerts"),
])
common.refresh_marker()
try:
    common.sidebar()
    common.illustrative_banner()
    navigation.run()
except Exception as exc:  # noqa: BLE001 - a viewer gets one line, never a traceback
    common.LOGGER.exception("page failed")
    st.error(f"This page could not be shown ({type(exc).__name__}). The other pages still"
             " work; the details are in the dashboard's log.")
