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
