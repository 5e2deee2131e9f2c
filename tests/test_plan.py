"""The instructor guide's plans: chapters in order, every prerequisite earlier, the busiest week minimal."""

import itertools

import pytest

from tools import editions, plan


@pytest.fixture(scope="module")
def overviews():
    return [editions.chapter_overview(path) for path in editions.chapter_notebooks()]


def test_every_prerequisite_is_an_earlier_chapter(overviews):
    assert plan.prerequisites_in_order(overviews) == []
    assert plan.prerequisite_numbers(overviews[3]) >= {1, 2}, "chapter 4 builds on chapters 1 and 2"


def test_a_prerequisite_named_later_is_reported():
    chapters = [{"prerequisites": "none", "time": "10 min"}, {"prerequisites": "chapter 3", "time": "10 min"}]
    assert plan.prerequisites_in_order(chapters) == [(2, 3)]


def test_every_chapter_states_its_time(overviews):
    assert all(plan.minutes(c) > 0 for c in overviews)


@pytest.mark.parametrize("times, weeks", [([40, 45, 45, 45, 50, 60, 50, 60, 50, 45], 4), ([5, 1, 1, 1, 5], 3),
                                          ([3, 3, 3], 5), ([10], 1)])
def test_split_keeps_the_order_and_minimises_the_busiest_week(times, weeks):
    runs = plan.split(times, weeks)
    assert [i for run in runs for i in run] == list(range(len(times))) and all(runs)
    busiest = max(sum(times[i] for i in run) for run in runs)
    best = min(max(sum(times[a:b]) for a, b in zip((0,) + cuts, cuts + (len(times),)))
               for cuts in itertools.combinations(range(1, len(times)), min(weeks, len(times)) - 1))
    assert busiest == best


def test_the_guide_shows_both_plans(overviews):
    tables = editions.instructor_tables()
    assert "A 10-week course" in tables and "A 4-week course" in tables
    assert plan.plan_table(overviews, 4).count("\n| ") == 4, "one row a week"
