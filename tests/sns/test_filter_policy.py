"""Filter policies as a table: policy, scope, message, does it match?

Each row subscribes a Lambda stand-in with the policy through boto3 and
publishes one message; the row passes when the function was (or was not)
invoked. Rows marked "surprising" are AWS behaviours people trip over.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import attrs

A = "MessageAttributes"
B = "MessageBody"

# (id, policy, scope, attributes or body, matches)
CASES: list[tuple[str, dict[str, Any], str, Any, bool]] = [
    # exact strings and numbers
    ("exact-string", {"color": ["red", "blue"]}, A, attrs(color="red"), True),
    ("exact-string-miss", {"color": ["red", "blue"]}, A, attrs(color="green"), False),
    ("string-is-case-sensitive", {"color": ["red"]}, A, attrs(color="Red"), False),
    ("exact-number", {"price": [100]}, A, attrs(price=100), True),
    ("number-five-decimals", {"price": [100.000001]}, A, attrs(price=100), True),
    ("surprising: number policy vs String attribute", {"price": [100]}, A, attrs(price="100"), False),
    ("surprising: string policy vs Number attribute", {"price": ["100"]}, A, attrs(price=100), False),
    ("every key must match", {"color": ["red"], "size": ["L"]}, A, attrs(color="red", size="M"), False),
    ("missing key", {"color": ["red"]}, A, attrs(size="M"), False),
    # String.Array
    ("array-any-element", {"tags": ["b"]}, A, attrs(tags=["a", "b"]), True),
    ("array-no-element", {"tags": ["z"]}, A, attrs(tags=["a", "b"]), False),
    ("array-number-element", {"tags": [{"numeric": [">", 5]}]}, A, attrs(tags=["a", 7]), True),
    (
        "surprising: anything-but on array matches any other element",
        {"tags": [{"anything-but": "a"}]},
        A,
        attrs(tags=["a", "b"]),
        True,
    ),
    # prefix, suffix, equals-ignore-case
    ("prefix", {"region": [{"prefix": "us-"}]}, A, attrs(region="us-east-1"), True),
    ("prefix-miss", {"region": [{"prefix": "us-"}]}, A, attrs(region="eu-west-1"), False),
    ("suffix", {"file": [{"suffix": ".png"}]}, A, attrs(file="cat.png"), True),
    ("equals-ignore-case", {"color": [{"equals-ignore-case": "RED"}]}, A, attrs(color="rEd"), True),
    # anything-but
    ("anything-but-value", {"color": [{"anything-but": "red"}]}, A, attrs(color="blue"), True),
    ("anything-but-list", {"color": [{"anything-but": ["red", "blue"]}]}, A, attrs(color="blue"), False),
    ("anything-but-number", {"price": [{"anything-but": [100, 200]}]}, A, attrs(price=150), True),
    ("anything-but-prefix", {"region": [{"anything-but": {"prefix": "us-"}}]}, A, attrs(region="eu-west-1"), True),
    (
        "anything-but-prefix-miss",
        {"region": [{"anything-but": {"prefix": "us-"}}]},
        A,
        attrs(region="us-west-2"),
        False,
    ),
    ("anything-but-suffix", {"file": [{"anything-but": {"suffix": ".exe"}}]}, A, attrs(file="a.txt"), True),
    ("surprising: anything-but needs the key present", {"color": [{"anything-but": "red"}]}, A, attrs(size="M"), False),
    # numeric ranges
    ("numeric-range", {"price": [{"numeric": [">", 0, "<=", 100]}]}, A, attrs(price=100), True),
    ("numeric-range-above", {"price": [{"numeric": [">", 0, "<=", 100]}]}, A, attrs(price=100.5), False),
    ("numeric-equals", {"price": [{"numeric": ["=", 3.5]}]}, A, attrs(price=3.5), True),
    ("numeric-vs-string", {"price": [{"numeric": [">", 0]}]}, A, attrs(price="5"), False),
    ("numeric-negative", {"temp": [{"numeric": ["<", 0]}]}, A, attrs(temp=-4), True),
    (
        "numeric-huge-value",
        {"n": [{"numeric": [">", 0]}]},
        A,
        {"n": {"DataType": "Number", "StringValue": "1e300"}},
        True,
    ),
    ("numeric-huge-exact", {"n": [5]}, B, {"n": 1e300}, False),
    # exists
    ("exists-true", {"store": [{"exists": True}]}, A, attrs(store="x"), True),
    ("exists-true-absent", {"store": [{"exists": True}]}, A, attrs(other="x"), False),
    ("exists-false", {"store": [{"exists": False}]}, A, attrs(other="x"), True),
    ("surprising: exists false needs at least one attribute", {"store": [{"exists": False}]}, A, {}, False),
    ("surprising: no attributes never match", {"color": [{"anything-but": "red"}]}, A, {}, False),
    (
        "surprising: binary attributes are not compared, even by exists",
        {"blob": [{"exists": True}]},
        A,
        {"blob": {"DataType": "Binary", "BinaryValue": b"\x00"}, **attrs(kind="x")},
        False,
    ),
    (
        "surprising: a binary attribute is as good as absent to exists false",
        {"blob": [{"exists": False}]},
        A,
        {"blob": {"DataType": "Binary", "BinaryValue": b"\x00"}, **attrs(kind="x")},
        True,
    ),
    # cidr
    ("cidr", {"ip": [{"cidr": "10.0.0.0/24"}]}, A, attrs(ip="10.0.0.255"), True),
    ("cidr-miss", {"ip": [{"cidr": "10.0.0.0/24"}]}, A, attrs(ip="10.0.1.1"), False),
    ("cidr-ipv6", {"ip": [{"cidr": "2001:db8::/32"}]}, A, attrs(ip="2001:db8::1"), True),
    # $or
    ("or-first", {"$or": [{"color": ["red"]}, {"size": ["L"]}]}, A, attrs(color="red"), True),
    ("or-second", {"$or": [{"color": ["red"]}, {"size": ["L"]}]}, A, attrs(size="L"), True),
    ("or-none", {"$or": [{"color": ["red"]}, {"size": ["L"]}]}, A, attrs(size="S"), False),
    (
        "or-plus-sibling",
        {"kind": ["order"], "$or": [{"color": ["red"]}, {"size": ["L"]}]},
        A,
        attrs(kind="refund", color="red"),
        False,
    ),
    # MessageBody scope: nesting, arrays, null, booleans
    ("body-exact", {"kind": ["order"]}, B, {"kind": "order"}, True),
    ("body-nested", {"order": {"total": [{"numeric": [">=", 10]}]}}, B, {"order": {"total": 12}}, True),
    ("body-nested-miss", {"order": {"total": [{"numeric": [">=", 10]}]}}, B, {"order": {"total": 2}}, False),
    ("body-array-of-objects", {"items": {"sku": ["B"]}}, B, {"items": [{"sku": "A"}, {"sku": "B"}]}, True),
    ("body-array-values", {"tags": ["x"]}, B, {"tags": ["w", "x"]}, True),
    ("body-null", {"coupon": [None]}, B, {"coupon": None}, True),
    ("surprising: null does not match a missing key", {"coupon": [None]}, B, {"other": 1}, False),
    ("surprising: exists true does not match null", {"coupon": [{"exists": True}]}, B, {"coupon": None}, False),
    ("body-boolean", {"paid": [True]}, B, {"paid": True}, True),
    ("surprising: boolean is not the string true", {"paid": [True]}, B, {"paid": "true"}, False),
    ("body-not-json", {"kind": ["order"]}, B, "just text", False),
    ("body-exists-false", {"coupon": [{"exists": False}]}, B, {"kind": "order"}, True),
    ("body-or-nested", {"$or": [{"a": {"b": [1]}}, {"c": [2]}]}, B, {"c": 2}, True),
    ("surprising: a key holding an object is not a value", {"order": ["x"]}, B, {"order": {"id": "x"}}, False),
    # null beside anything-but; anything-but never matches null
    ("null-or-anything-but: null", {"v": [None, {"anything-but": ["bad"]}]}, B, {"v": None}, True),
    ("null-or-anything-but: other", {"v": [None, {"anything-but": ["bad"]}]}, B, {"v": "good"}, True),
    ("null-or-anything-but: excluded", {"v": [None, {"anything-but": ["bad"]}]}, B, {"v": "bad"}, False),
    ("null-or-anything-but: absent", {"v": [None, {"anything-but": ["bad"]}]}, B, {"w": 1}, False),
    ("surprising: anything-but does not match null", {"v": [{"anything-but": ["bad"]}]}, B, {"v": None}, False),
    (
        "surprising: anything-but prefix does not match null",
        {"v": [{"anything-but": {"prefix": "b"}}]},
        B,
        {"v": None},
        False,
    ),
    # keys with dots name the same property as nesting, in the policy and in the body
    ("dotted policy key, nested body", {"a.b": ["x"]}, B, {"a": {"b": "x"}}, True),
    ("nested policy, dotted body key", {"a": {"b": ["x"]}}, B, {"a.b": "x"}, True),
    ("dotted key both sides", {"a.b": ["x"]}, B, {"a.b": "x"}, True),
    ("dotted key miss", {"a.b": ["x"]}, B, {"a": {"b": "y"}}, False),
    ("dotted attribute name", {"a.b": ["x"]}, A, attrs(**{"a.b": "x"}), True),
    # arrays of objects, at any depth
    ("arrays of arrays of objects", {"items": {"sku": ["B"]}}, B, {"items": [[{"sku": "A"}], [{"sku": "B"}]]}, True),
    (
        "objects in arrays two levels down",
        {"order": {"lines": {"sku": ["B"]}}},
        B,
        {"order": [{"lines": [{"sku": "A"}]}, {"lines": [{"sku": "B"}]}]},
        True,
    ),
    ("array of arrays of values", {"tags": ["x"]}, B, {"tags": [["w"], ["x"]]}, True),
    ("array of objects miss", {"items": {"sku": ["C"]}}, B, {"items": [{"sku": "A"}, {"sku": "B"}]}, False),
]


@pytest.fixture
def deliver(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> Callable[[dict[str, Any], str, Any], bool]:
    topic = make_topic("filters")
    received: list[Any] = []
    aws.lambdas.register("sink", lambda event, context: received.append(event))
    function = aws.lambdas.arn("sink")
    state = {"sub": ""}

    def run(policy: dict[str, Any], scope: str, message: Any) -> bool:
        if state["sub"]:
            sns.unsubscribe(SubscriptionArn=state["sub"])
        state["sub"] = sns.subscribe(
            TopicArn=topic,
            Protocol="lambda",
            Endpoint=function,
            Attributes={"FilterPolicy": json.dumps(policy), "FilterPolicyScope": scope},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        received.clear()
        if scope == A:
            sns.publish(TopicArn=topic, Message="m", MessageAttributes=message)
        else:
            sns.publish(TopicArn=topic, Message=message if isinstance(message, str) else json.dumps(message))
        return bool(received)

    return run


@pytest.mark.parametrize(("policy", "scope", "message", "matches"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_filter_policy(
    deliver: Callable[[dict[str, Any], str, Any], bool], policy: dict[str, Any], scope: str, message: Any, matches: bool
) -> None:
    assert deliver(policy, scope, message) is matches


def test_a_filtered_message_says_which_key_stopped_it(
    aws: Cloud, deliver: Callable[[dict[str, Any], str, Any], bool]
) -> None:
    deliver({"color": ["red"], "size": ["L"]}, A, attrs(color="red", size="M"))
    delivery = aws.deliveries.publications[-1].deliveries[0]
    assert delivery.status == "filtered"
    assert delivery.reason == 'size: "M" does not match ["L"]'


# -- validation: AWS refuses these at Subscribe/SetSubscriptionAttributes -------------------

INVALID: list[tuple[str, Any, str, str]] = [
    ("not-json", "{", A, "Invalid parameter: FilterPolicy: failed to parse JSON."),
    ("not-object", [1], A, "Invalid parameter: FilterPolicy: Filter policy must be a JSON object"),
    ("empty-array", {"a": []}, A, "Invalid parameter: FilterPolicy: Empty arrays are not allowed"),
    (
        "nested-in-attributes",
        {"a": {"b": ["x"]}},
        A,
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
    ),
    (
        "unknown-operator",
        {"a": [{"wildcard": "x*"}]},
        A,
        "Invalid parameter: FilterPolicy: Unrecognized match type wildcard",
    ),
    (
        "two-operators",
        {"a": [{"prefix": "x", "suffix": "y"}]},
        A,
        "Invalid parameter: FilterPolicy: Only one key allowed in match expression",
    ),
    (
        "numeric-operator",
        {"a": [{"numeric": ["~", 1]}]},
        A,
        "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: ~",
    ),
    (
        "numeric-value",
        {"a": [{"numeric": [">", "1"]}]},
        A,
        "Invalid parameter: FilterPolicy: Value of > must be numeric",
    ),
    (
        "numeric-range-order",
        {"a": [{"numeric": [">", 5, "<", 1]}]},
        A,
        "Invalid parameter: FilterPolicy: Bottom must be less than top",
    ),
    (
        "numeric-too-big",
        {"a": [2_000_000_000]},
        A,
        "Invalid parameter: FilterPolicy: Numeric values must be between -1.0E9 and 1.0E9 inclusive",
    ),
    (
        "exists-value",
        {"a": [{"exists": "yes"}]},
        A,
        "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.",
    ),
    (
        "prefix-value",
        {"a": [{"prefix": 1}]},
        A,
        "Invalid parameter: FilterPolicy: prefix match pattern must be a string",
    ),
    ("cidr", {"a": [{"cidr": "10.0.0.1"}]}, A, "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"),
    (
        "six-keys",
        {k: ["x"] for k in "abcdef"},
        A,
        "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
    ),
    (
        "too-complex",
        {"a": list(range(10)), "b": list(range(10)), "c": list(range(2))},
        A,
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    ),
    (
        "or-complexity-adds-up",
        {"$or": [{"a": list(range(10)), "b": list(range(8))}, {"c": list(range(10)), "d": list(range(8))}]},
        A,
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    ),
    (
        "nesting-counts-toward-complexity",
        {"a": {"b": {"c": list(range(10))}}, "d": {"e": list(range(3))}},
        B,
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    ),
    (
        "or-one-branch",
        {"$or": [{"a": ["x"]}]},
        A,
        'Invalid parameter: FilterPolicy: "$or" must be an array of at least two filter policy objects',
    ),
]


@pytest.mark.parametrize(("policy", "scope", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_filter_policies_are_refused(
    sns: Any, make_topic: Callable[..., str], aws: Cloud, policy: Any, scope: str, message: str
) -> None:
    topic = make_topic()
    aws.lambdas.register("sink", lambda event, context: None)
    text = policy if isinstance(policy, str) else json.dumps(policy)
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(
            TopicArn=topic,
            Protocol="lambda",
            Endpoint=aws.lambdas.arn("sink"),
            Attributes={"FilterPolicy": text, "FilterPolicyScope": scope},
        )
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"
    # Subscribe names the parameter the policy came in; SetSubscriptionAttributes does not.
    assert caught.value.response["Error"]["Message"] == message.replace(
        "Invalid parameter: ", "Invalid parameter: Attributes Reason: ", 1
    )
    sub = sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=aws.lambdas.arn("sink"),
        Attributes={"FilterPolicyScope": scope},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=text)
    assert caught.value.response["Error"]["Message"] == message


def test_a_policy_of_exactly_150_combinations_is_accepted(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    aws.lambdas.register("sink", lambda event, context: None)
    policy = {"a": list(range(10)), "b": list(range(15))}
    sns.subscribe(
        TopicArn=make_topic(),
        Protocol="lambda",
        Endpoint=aws.lambdas.arn("sink"),
        Attributes={"FilterPolicy": json.dumps(policy)},
    )


def test_changing_the_scope_revalidates_the_policy(
    sns: Any, make_topic: Callable[..., str], aws: Cloud, subscribe: Callable[..., str]
) -> None:
    aws.lambdas.register("sink", lambda event, context: None)
    sub = subscribe(
        make_topic(),
        "lambda",
        aws.lambdas.arn("sink"),
        FilterPolicy={"a": {"b": ["x"]}},
        FilterPolicyScope="MessageBody",
    )
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="FilterPolicyScope", AttributeValue="MessageAttributes"
        )


def test_removing_the_policy_lets_everything_through(
    sns: Any, make_topic: Callable[..., str], aws: Cloud, subscribe: Callable[..., str]
) -> None:
    received: list[Any] = []
    aws.lambdas.register("sink", lambda event, context: received.append(event))
    topic = make_topic()
    sub = subscribe(topic, "lambda", aws.lambdas.arn("sink"), FilterPolicy={"a": ["x"]})
    sns.publish(TopicArn=topic, Message="one")
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue="")
    sns.publish(TopicArn=topic, Message="two")
    assert [e["Records"][0]["Sns"]["Message"] for e in received] == ["two"]
