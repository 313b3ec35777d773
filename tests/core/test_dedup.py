"""The deduplication window SQS and SNS FIFO share: ids live five minutes, then are forgotten."""

from __future__ import annotations

from pytest_awsmsg.core.dedup import DedupWindow


def test_an_id_is_remembered_for_the_window_and_then_forgotten() -> None:
    window: DedupWindow[str, str] = DedupWindow(300)
    window.remember("order-1", "m-1", now=1000)
    assert window.get("order-1", now=1299.9) == "m-1"
    assert window.get("order-1", now=1300) is None
    assert len(window) == 0  # expired entries are dropped, not kept around


def test_remembering_again_restarts_the_window() -> None:
    window: DedupWindow[str, str] = DedupWindow(300)
    window.remember("order-1", "m-1", now=1000)
    window.remember("order-1", "m-2", now=1200)
    assert window.get("order-1", now=1400) == "m-2"


def test_time_travelling_back_keeps_every_answer_exact() -> None:
    window: DedupWindow[str, str] = DedupWindow(300)
    window.remember("late", "m-1", now=5000)
    window.remember("early", "m-2", now=1000)  # the clock went back: out of expiry order now
    assert window.get("early", now=1299) == "m-2"
    assert window.get("early", now=1300) is None
    assert window.get("late", now=5299) == "m-1"
