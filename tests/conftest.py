"""Shared fixtures: one spaCy pipeline per test session, plain factories for articles."""

import datetime as dt
import os
import sys

import pytest

sys._called_from_test = True  # plugins.py skips entry points under tests

TEXTS = os.path.join(os.path.dirname(__file__), "texts")


@pytest.fixture(scope="session")
def nlp():
    from eventcoder.nlp import load_nlp

    return load_nlp()


@pytest.fixture
def published():
    """Friday 18 March 2022: the publication date most fixtures are written against."""
    return dt.date(2022, 3, 18)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store URL on each backend: the store suite runs against both.

    PostgreSQL needs EVENTCODER_TEST_POSTGRES_URL (an admin URL of a running cluster; `.ci/run`
    starts one); each test gets a database of its own, dropped afterwards.
    """
    if request.param == "sqlite":
        return str(tmp_path / "events.db")
    admin_url = os.environ.get("EVENTCODER_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("EVENTCODER_TEST_POSTGRES_URL is not set (no PostgreSQL cluster)")
    from pgcluster import fresh_database  # tests/pgcluster.py

    return fresh_database(request, admin_url)
