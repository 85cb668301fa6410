"""The feed tests' HTTP server: real, threaded, on 127.0.0.1, shared and reset per test.

Loaded with ``pytest_plugins = ["tests.conftest_feeds"]`` from the feed test modules; the
database fixtures (``db``, ``db_path``: a real file under tmp_path) come from conftest.py.
"""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def _feed_server_session():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def feed_server(_feed_server_session):
    """A threaded server (a slow response does not block the next request), cleared per test."""
    _feed_server_session.clear()
    yield _feed_server_session
    _feed_server_session.clear()
