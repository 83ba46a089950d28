"""Fixtures of the event tests."""

from __future__ import annotations

import pytest
from eventsynth import Topics, make_params

from newsloom.events.scoring import Params


@pytest.fixture
def topics() -> Topics:
    return Topics()


@pytest.fixture
def params() -> Params:
    return make_params()
