"""core.distinct: every column the district filters walk leads a b-tree index (without one
each step of the walk is a scan of the table). What the filters offer is tested with their
callers: tests/events/test_selectors.py, tests/ideas/test_lists.py and tests/places."""

from __future__ import annotations

import pytest

from events.models import Event
from ideas.models import Idea
from spaces.models import Space

# (model, column) of every caller of core.distinct.distinct_values.
WALKED = [(Event, "district"), (Idea, "place"), (Space, "place")]


@pytest.mark.parametrize(("model", "field"), WALKED, ids=lambda v: getattr(v, "__name__", v))
def test_every_walked_column_leads_an_index(model, field):
    leading = [index.fields[0] for index in model._meta.indexes if index.fields]
    assert field in leading, f"{model.__name__}.{field} needs an index for core.distinct"
