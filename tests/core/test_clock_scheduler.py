"""The clock: virtual time, ordered firing, freezing, and freezegun/time-machine."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import time_machine
from freezegun import freeze_time

from pytest_awsmsg.core.clock import Clock


def test_advance_fires_due_events_in_due_then_schedule_order() -> None:
    clock = Clock()
    start = clock.now()
    fired: list[tuple[str, float]] = []
    clock.call_at(start + 10, lambda: fired.append(("b", clock.now() - start)))
    clock.call_at(start + 5, lambda: fired.append(("a", clock.now() - start)))
    clock.call_at(start + 10, lambda: fired.append(("c", clock.now() - start)))
    clock.call_at(start + 99, lambda: fired.append(("late", clock.now() - start)))

    clock.advance(seconds=30)

    assert [name for name, _ in fired] == ["a", "b", "c"]
    assert [round(at) for _, at in fired] == [5, 10, 10]
    assert clock.now() - start == pytest.approx(30, abs=0.5)


def test_cancelled_timer_never_fires() -> None:
    clock = Clock()
    fired = []
    timer = clock.call_later(1, lambda: fired.append(1))
    timer.cancel()
    clock.advance(seconds=5)
    assert fired == []
    assert clock.next_due() is None


def test_a_callback_scheduling_another_within_the_window_fires_it_too() -> None:
    clock = Clock()
    fired: list[int] = []

    def tick(n: int) -> None:
        fired.append(n)
        if n < 3:
            clock.call_later(60, lambda: tick(n + 1))

    clock.call_later(60, lambda: tick(1))
    clock.advance(minutes=3)
    assert fired == [1, 2, 3]


def test_twelve_hours_pass_without_waiting() -> None:
    clock = Clock()
    wall = time.monotonic()
    clock.advance(hours=12)
    assert time.monotonic() - wall < 60  # a bound to catch a real sleep, not a speed claim
    assert clock.now() - time.time() == pytest.approx(12 * 3600, abs=1)


def test_travel_to_back_fires_nothing_and_forward_fires_what_is_due() -> None:
    clock = Clock()
    fired = []
    clock.call_at(datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp(), lambda: fired.append("new year"))
    clock.travel_to("2020-01-01T00:00:00Z")
    assert clock.now_dt().year == 2020
    assert fired == []
    clock.travel_to(datetime(2030, 6, 1))
    assert fired == ["new year"]


def test_run_until_idle_is_bounded_for_periodic_events() -> None:
    clock = Clock()
    count = 0

    def daily() -> None:
        nonlocal count
        count += 1
        clock.call_later(86400, daily)

    clock.call_later(86400, daily)
    clock.run_until_idle(max_seconds=10 * 86400)
    assert count == 10


def test_freeze_gives_code_and_cloud_one_timeline() -> None:
    clock = Clock()
    clock.freeze("2026-03-01T12:00:00Z")
    try:
        assert datetime.now(timezone.utc) == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
        clock.advance(seconds=90)
        assert time.time() == clock.now() == datetime(2026, 3, 1, 12, 1, 30, tzinfo=timezone.utc).timestamp()
    finally:
        clock.unfreeze()
    assert abs(time.time() - datetime.now().timestamp()) < 5


def test_freezegun_in_the_test_moves_the_cloud() -> None:
    clock = Clock()
    with freeze_time("2025-05-05 10:00:00") as frozen:
        before = clock.now()
        frozen.tick(3600)
        assert clock.now() - before == 3600
        clock.advance(seconds=30)  # the cloud runs ahead of the frozen process time
        assert clock.now() - time.time() == 30


def test_time_machine_in_the_test_moves_the_cloud() -> None:
    clock = Clock()
    with time_machine.travel(datetime(2025, 5, 5, 10, tzinfo=timezone.utc), tick=False) as traveller:
        assert clock.now_dt() == datetime(2025, 5, 5, 10, tzinfo=timezone.utc)
        traveller.shift(120)
        assert clock.now_dt() == datetime(2025, 5, 5, 10, 2, tzinfo=timezone.utc)


def test_advance_refuses_to_go_back() -> None:
    with pytest.raises(ValueError, match="travel_to"):
        Clock().advance(seconds=-1)
