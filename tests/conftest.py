"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache

from tests.learning.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps its rate-limit counters in the cache; no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(*groups: str, **kwargs):
        return UserFactory(groups=list(groups), **kwargs)

    return make


@pytest.fixture
def learner(make_user):
    return make_user("Learners", email="learner@example.com")


@pytest.fixture
def trainer(make_user):
    return make_user("Trainers", email="trainer@example.com")


@pytest.fixture
def hr_user(make_user):
    return make_user("HR", email="hr@example.com")


@pytest.fixture
def manager(make_user):
    return make_user("Managers", email="manager@example.com")
