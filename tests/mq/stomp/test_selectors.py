"""Selectors as ActiveMQ 5.17 evaluates them on STOMP messages (each case checked against a real broker)."""

from __future__ import annotations

import pytest

from pytest_awsmsg.services.mq.stomp.selectors import Selector, SelectorError, Value

# What a STOMP SEND with amount:10, kind:big, type:t1, correlation-id:c1, flag:true looks like to a selector.
MESSAGE: dict[str, Value] = {
    "amount": "10",
    "kind": "big",
    "flag": "true",
    "JMSType": "t1",
    "JMSCorrelationID": "c1",
    "JMSPriority": 4,
    "JMSTimestamp": 1_772_366_400_000,
    "JMSDeliveryMode": "NON_PERSISTENT",
    "JMSMessageID": "ID:b-1-1.mq.us-east-1.amazonaws.com-40000-1-1:1:-1:1:1",
    "JMSXDeliveryCount": 1,
    "JMSRedelivered": False,
}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("amount > 5", True),  # the string property is read as a number
        ("amount = 10", True),
        ("amount = '10'", True),
        ("JMSPriority = 4", True),
        ("JMSDeliveryMode = 'NON_PERSISTENT'", True),
        ("JMSType = 't1'", True),
        ("kind LIKE 'b%'", True),
        ("kind LIKE 'b_g' AND kind NOT LIKE 'x%'", True),
        ("kind IN ('big', 'huge')", True),
        ("kind NOT IN ('big')", False),
        ("missing IS NULL", True),
        ("missing IS NOT NULL", False),
        ("NOT missing = 1", False),  # unknown stays unknown
        ("missing = 1 OR kind = 'big'", True),
        ("amount BETWEEN 5 AND 20", True),
        ("amount NOT BETWEEN 5 AND 20", False),
        ("JMSCorrelationID = 'c1'", True),
        ("flag = true", True),
        ("JMSMessageID LIKE 'ID:%'", True),
        ("JMSTimestamp > 0", True),
        ("amount + 1 = 11", False),  # no arithmetic on strings
        ("JMSPriority * 2 + 1 = 9", True),
        ("JMSXDeliveryCount = 1", True),
        ("JMSRedelivered = false", True),
        ("(kind = 'big' OR kind = 'small') AND NOT (JMSPriority > 4)", True),
        ("name LIKE 'a\\_%' ESCAPE '\\'", False),
    ],
)
def test_selectors_match_as_activemq_matches_them(text: str, matches: bool) -> None:
    assert Selector(text).matches(MESSAGE) is matches


@pytest.mark.parametrize("text", ["amount > '9'", "a = = b", "kind LIKE 5", "IN ('a')", "a IS 5", "x = 'open"])
def test_what_activemq_does_not_parse_is_an_invalid_selector(text: str) -> None:
    with pytest.raises(SelectorError):
        Selector(text)


def test_like_escapes_and_literal_quotes() -> None:
    assert Selector("name LIKE 'a\\_%' ESCAPE '\\'").matches({"name": "a_b"})
    assert not Selector("name LIKE 'a\\_%' ESCAPE '\\'").matches({"name": "ab"})
    assert Selector("name = 'it''s'").matches({"name": "it's"})
