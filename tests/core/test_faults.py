"""Fault injection through real boto3 clients: errors, dropped connections,
latency, and what botocore's own retry logic makes of them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.retries.standard import RetryHandler

from pytest_awsmsg import AwsError, Cloud, fake_aws

# SQS's own throttling error, on the JSON and the query protocol alike (403:
# what botocore's legacy retry table expects of SQS).
THROTTLE = "RequestThrottled"


def client(retries: int = 5, region: str = "us-east-1", service: str = "sqs") -> Any:
    """A client in botocore's standard retry mode; ``retries=0`` turns retrying off."""
    return boto3.client(
        service, region_name=region, config=Config(retries={"mode": "standard", "max_attempts": retries})
    )


@pytest.fixture
def aws() -> Iterator[Cloud]:
    with fake_aws(seed=7, region="us-east-1") as cloud:
        yield cloud


@pytest.fixture
def queue(aws: Cloud) -> str:
    return str(client().create_queue(QueueName="orders")["QueueUrl"])


def bodies(url: str) -> list[str]:
    sqs = client()
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return sorted(m["Body"] for m in found)


def error_of(excinfo: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, int]:
    response: Any = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# -- throttling bursts and retries -----------------------------------------------


def test_a_retrying_client_survives_a_throttling_burst(aws: Cloud, queue: str) -> None:
    with aws.faults.inject("sqs", "SendMessage", error="throttle", count=3) as rule:
        answer = client(retries=5).send_message(QueueUrl=queue, MessageBody="order-1")

    assert answer["ResponseMetadata"]["RetryAttempts"] == 3
    [send] = aws.calls.invocations("sqs", "SendMessage")
    assert (send.attempts, send.retries, send.ok) == (4, 3, True)
    assert [r.attempt for r in send.records] == [1, 2, 3, 4]
    assert rule.injected == 3
    assert bodies(queue) == ["order-1"]
    # botocore backed off between attempts, in virtual time only.
    assert 0 < aws.clock.slept <= 3 * 20


def test_a_client_without_retries_fails_on_the_first_throttle(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="throttle", count=3)

    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(retries=0).send_message(QueueUrl=queue, MessageBody="order-1")

    assert error_of(excinfo) == (THROTTLE, 403)
    assert [i.attempts for i in aws.calls.invocations("sqs", "SendMessage")] == [1]
    assert aws.clock.slept == 0
    assert bodies(queue) == []


def test_a_burst_longer_than_the_retry_budget_fails_after_every_attempt(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="unavailable", count=10)

    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(retries=5).send_message(QueueUrl=queue, MessageBody="order-1")

    assert error_of(excinfo) == ("ServiceUnavailable", 503)
    [send] = aws.calls.invocations("sqs", "SendMessage")
    assert (send.attempts, send.ok) == (6, False)
    assert len(send.faults) == 6


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        ("throttle", THROTTLE, 403),
        ("internal", "InternalFailure", 500),
        ("unavailable", "ServiceUnavailable", 503),
        ("AccessDeniedException", "AccessDeniedException", 400),
    ],
)
def test_generic_errors_carry_their_aws_code_and_status(
    aws: Cloud, queue: str, error: str, code: str, status: int
) -> None:
    aws.faults.inject("sqs", "SendMessage", error=error)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(retries=0).send_message(QueueUrl=queue, MessageBody="x")
    assert error_of(excinfo) == (code, status)


def test_an_error_from_the_model_raises_its_modelled_exception(aws: Cloud, queue: str) -> None:
    sqs = client(retries=0)
    aws.faults.inject("sqs", "GetQueueUrl", error="QueueDoesNotExist", count=1)

    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="orders")
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == queue  # count=1: the next call goes through


def test_an_error_the_operation_cannot_return_is_refused_when_injected(aws: Cloud) -> None:
    with pytest.raises(ValueError, match=r"sqs SendMessage never returns 'TopicNotFound'.*InvalidMessageContents"):
        aws.faults.inject("sqs", "SendMessage", error="TopicNotFound")
    with pytest.raises(ValueError, match="has no operation Publish"):
        aws.faults.inject("sqs", "Publish", error="throttle")
    with pytest.raises(ValueError, match="Say what the fault does"):
        aws.faults.inject("sqs", "SendMessage")
    with pytest.raises(ValueError, match="connection="):
        aws.faults.inject("sqs", connection="unplugged")
    with pytest.raises(ValueError, match="less than no time"):
        aws.faults.inject("sqs", latency=-1)
    with pytest.raises(ValueError, match="longer than zero"):
        aws.faults.inject("sqs", error="internal", duration=0)
    assert aws.faults.rules == []


@pytest.mark.parametrize("kind", ["refused", "connect-timeout"])
def test_an_answer_lost_after_processing_needs_a_connection_that_was_made(aws: Cloud, kind: str) -> None:
    with pytest.raises(ValueError, match="carried the request, connection='closed' or 'read-timeout'"):
        aws.faults.inject("sqs", "SendMessage", connection=kind, processed=True)


def test_an_answer_lost_to_a_read_timeout_after_processing(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", connection="read-timeout", processed=True, count=1)
    client(retries=5).send_message(QueueUrl=queue, MessageBody="order-1")
    assert bodies(queue) == ["order-1", "order-1"]


# -- dropped connections and timeouts ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("closed", botocore.exceptions.ConnectionClosedError),
        ("refused", botocore.exceptions.EndpointConnectionError),
        ("read-timeout", botocore.exceptions.ReadTimeoutError),
        ("connect-timeout", botocore.exceptions.ConnectTimeoutError),
    ],
)
def test_a_dropped_connection_is_botocores_own_exception(
    aws: Cloud, queue: str, kind: str, exception: type[Exception]
) -> None:
    aws.faults.inject("sqs", "SendMessage", connection=kind)
    with pytest.raises(exception):
        client(retries=0).send_message(QueueUrl=queue, MessageBody="x")
    [record] = aws.calls.of("sqs", "SendMessage")
    assert record.error_code == exception.__name__
    assert bodies(queue) == []


def test_botocore_retries_dropped_connections_like_real_ones(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", connection="closed", count=2)
    answer = client(retries=5).send_message(QueueUrl=queue, MessageBody="x")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert bodies(queue) == ["x"]


def test_a_timeout_takes_botocores_read_timeout_in_virtual_time(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", connection="read-timeout", count=1)
    before = aws.clock.now()
    client(retries=5).send_message(QueueUrl=queue, MessageBody="x")
    assert aws.clock.now() - before >= 60.0


def test_an_answer_lost_after_processing_makes_a_retrying_producer_send_twice(aws: Cloud, queue: str) -> None:
    # The classic source of duplicates: SQS stored the message, the answer
    # never arrived, botocore retried.
    aws.faults.inject("sqs", "SendMessage", connection="closed", processed=True, count=1)
    client(retries=5).send_message(QueueUrl=queue, MessageBody="order-1")
    assert bodies(queue) == ["order-1", "order-1"]


def test_latency_passes_in_virtual_time_and_the_call_succeeds(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", latency=2.5)
    before = aws.clock.now()
    client().send_message(QueueUrl=queue, MessageBody="x")
    assert aws.clock.now() - before >= 2.5
    assert bodies(queue) == ["x"]


# -- which calls a rule breaks ------------------------------------------------------


def test_nth_breaks_only_that_call(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="internal", nth=2)
    sqs = client(retries=0)
    outcomes = []
    for n in range(4):
        try:
            sqs.send_message(QueueUrl=queue, MessageBody=str(n))
            outcomes.append("ok")
        except botocore.exceptions.ClientError:
            outcomes.append("failed")
    assert outcomes == ["ok", "failed", "ok", "ok"]


def _pattern(seed: int) -> list[bool]:
    with fake_aws(seed=seed) as aws:
        url = client().create_queue(QueueName="q")["QueueUrl"]
        aws.faults.inject("sqs", "SendMessage", error="throttle", percentage=30)
        sqs = client(retries=0)
        failed = []
        for n in range(40):
            try:
                sqs.send_message(QueueUrl=url, MessageBody=str(n))
                failed.append(False)
            except botocore.exceptions.ClientError:
                failed.append(True)
        return failed


def test_a_percentage_breaks_the_same_calls_for_the_same_seed() -> None:
    first, again, other = _pattern(1), _pattern(1), _pattern(2)
    assert first == again
    assert first != other
    assert 0 < sum(first) < 40


def test_a_window_of_virtual_time_bounds_a_rule(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="unavailable", after=10, duration=30)
    sqs = client(retries=0)

    def works() -> bool:
        try:
            sqs.send_message(QueueUrl=queue, MessageBody="x")
        except botocore.exceptions.ClientError:
            return False
        return True

    seen = [works()]
    aws.clock.advance(10)
    seen.append(works())
    aws.clock.advance(29)
    seen.append(works())
    aws.clock.advance(1)
    seen.append(works())
    assert seen == [True, False, False, True]


def test_resource_and_region_select_calls(aws: Cloud, queue: str) -> None:
    audit = client().create_queue(QueueName="audit")["QueueUrl"]
    west = client(region="us-west-2").create_queue(QueueName="orders")["QueueUrl"]
    aws.faults.inject("sqs", "SendMessage", region="us-east-1", resource="orders", error="internal")

    client(retries=0).send_message(QueueUrl=audit, MessageBody="a")
    client(retries=0, region="us-west-2").send_message(QueueUrl=west, MessageBody="w")
    with pytest.raises(botocore.exceptions.ClientError):
        client(retries=0).send_message(QueueUrl=queue, MessageBody="o")


def test_a_message_group_named_like_the_resource_is_not_the_resource(aws: Cloud) -> None:
    sqs = client(retries=0)
    audit = sqs.create_queue(
        QueueName="audit.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    aws.faults.inject("sqs", "SendMessage", resource="orders", error="internal")
    sqs.send_message(QueueUrl=audit, MessageBody="a", MessageGroupId="orders")
    assert aws.faults.log == []


def test_several_operations_in_one_rule(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage,ReceiveMessage", error="internal")
    sqs = client(retries=0)
    with pytest.raises(botocore.exceptions.ClientError):
        sqs.send_message(QueueUrl=queue, MessageBody="x")
    with pytest.raises(botocore.exceptions.ClientError):
        sqs.receive_message(QueueUrl=queue)
    sqs.get_queue_url(QueueName="orders")


def test_leaving_the_with_block_heals_the_cloud(aws: Cloud, queue: str) -> None:
    sqs = client(retries=0)
    with aws.faults.inject("sqs", error="internal"), pytest.raises(botocore.exceptions.ClientError):
        sqs.send_message(QueueUrl=queue, MessageBody="x")
    sqs.send_message(QueueUrl=queue, MessageBody="y")
    assert aws.faults.rules == []


def test_the_cloud_calling_itself_is_spared_unless_asked(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="internal")
    aws.call("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": "from SNS"})
    aws.faults.inject("sqs", "SendMessage", error="internal", include_internal=True)
    with pytest.raises(AwsError) as excinfo:
        aws.call("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": "again"})
    assert excinfo.value.code == "InternalFailure"


# -- seeing what happened ---------------------------------------------------------


def test_the_call_log_and_fault_log_name_each_injected_fault(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error="throttle", count=2, label="burst")
    client(retries=5).send_message(QueueUrl=queue, MessageBody="x")

    sends = aws.calls.of("sqs", "SendMessage")
    assert [r.fault for r in sends] == ["burst: error throttle", "burst: error throttle", None]
    assert [(e.rule, e.operation, e.attempt) for e in aws.faults.log] == [
        ("burst", "SendMessage", 1),
        ("burst", "SendMessage", 2),
    ]
    assert "(attempt 3) -> ok" in aws.calls.format()
    assert "SendMessage attempt 2: error throttle [burst]" in aws.faults.format()
    [retried] = aws.calls.retried()
    assert retried.summary().endswith(f"3 attempts: 403 {THROTTLE} [fault], 403 {THROTTLE} [fault], ok")


def test_a_query_protocol_service_gets_its_own_throttling_code(aws: Cloud) -> None:
    sns = client(retries=0, service="sns")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    aws.faults.inject("sns", "Publish", error="throttle")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="x")
    assert error_of(excinfo) == ("Throttling", 400)


@pytest.mark.parametrize(
    ("service", "call", "error", "code", "status"),
    [
        # SNS models its own errors for some operations: those are the answer.
        ("sns", ("check_if_phone_number_is_opted_out", {"phoneNumber": "+15555550100"}), "throttle", "Throttled", 429),
        ("sns", ("list_topics", {}), "internal", "InternalError", 500),
        # Step Functions and Secrets Manager: the JSON protocol's common code,
        # or the service's own shape where its model lists one.
        ("stepfunctions", ("list_state_machines", {}), "throttle", "ThrottlingException", 400),
        ("stepfunctions", ("list_state_machines", {}), "internal", "InternalFailure", 500),
        ("secretsmanager", ("list_secrets", {}), "internal", "InternalServiceError", 500),
        ("secretsmanager", ("list_secrets", {}), "unavailable", "ServiceUnavailable", 503),
    ],
)
def test_generic_faults_take_the_shape_each_service_answers_with(
    aws: Cloud, service: str, call: tuple[str, dict[str, Any]], error: str, code: str, status: int
) -> None:
    method, params = call
    caller = client(retries=0, service=service)
    aws.faults.inject(service, error=error)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        getattr(caller, method)(**params)
    assert error_of(excinfo) == (code, status)


def test_an_injected_model_error_is_the_one_the_service_itself_answers(aws: Cloud, queue: str) -> None:
    # SQS reports QueueDoesNotExist under its query-era code: code that
    # matches on Error.Code must see the same thing from a fault.
    sqs = client(retries=0)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as real:
        sqs.get_queue_url(QueueName="missing")
    aws.faults.inject("sqs", "GetQueueUrl", error="QueueDoesNotExist", count=1)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as injected:
        sqs.get_queue_url(QueueName="orders")
    assert error_of(injected) == error_of(real) == ("AWS.SimpleQueueService.NonExistentQueue", 400)


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_every_retry_mode_retries_sqs_throttling(aws: Cloud, queue: str, mode: str) -> None:
    # legacy mode retries SQS's RequestThrottled only with status 403
    # (botocore's _retry.json); standard and adaptive by its code.
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": mode, "max_attempts": 4}))
    aws.faults.inject("sqs", "SendMessage", error="throttle", count=2)
    answer = sqs.send_message(QueueUrl=queue, MessageBody="x")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert bodies(queue) == ["x"]


@pytest.mark.skipif(
    "sleep" not in inspect.signature(RetryHandler.__init__).parameters,
    reason="this botocore does not back off a long poll once the retry quota is spent",
)
def test_a_long_poll_backs_off_in_virtual_time_once_the_retry_quota_is_spent(aws: Cloud, queue: str) -> None:
    # botocore's standard mode stops retrying when the client's retry quota
    # is spent, but still backs off before giving a long poll its error.
    sqs = client(retries=5)
    aws.faults.inject("sqs", "ReceiveMessage", error="unavailable")
    backoff_without_retry = 0.0
    for _ in range(30):
        before = aws.clock.slept
        with pytest.raises(botocore.exceptions.ClientError):
            sqs.receive_message(QueueUrl=queue)
        if aws.calls.invocations("sqs", "ReceiveMessage")[-1].attempts == 1:
            backoff_without_retry += aws.clock.slept - before
    assert backoff_without_retry > 0


def test_adaptive_mode_slows_itself_down_after_throttling_in_virtual_time(aws: Cloud, queue: str) -> None:
    adaptive = boto3.client(
        "sqs", region_name="us-east-1", config=Config(retries={"mode": "adaptive", "max_attempts": 5})
    )
    with aws.faults.inject("sqs", "SendMessage", error="throttle", count=4):
        adaptive.send_message(QueueUrl=queue, MessageBody="throttled")

    start = aws.clock.now()
    for n in range(20):
        adaptive.send_message(QueueUrl=queue, MessageBody=str(n))
    # botocore's client-side rate limiter held the sends back: virtual seconds passed.
    assert aws.clock.now() - start > 1.0
    assert all(call.ok for call in aws.calls.invocations("sqs", "SendMessage"))


def test_a_rule_for_a_service_the_kit_does_not_fake_is_refused(aws: Cloud) -> None:
    with pytest.raises(ValueError, match="does not fake 'dynamodb'"):
        aws.faults.inject("dynamodb", error="throttle")


def test_an_error_of_your_own_making(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "SendMessage", error=AwsError("Slow down, please", code="SlowDown", status=503), count=2)
    answer = client(retries=5).send_message(QueueUrl=queue, MessageBody="x")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert [r.error_code for r in aws.calls.of("sqs", "SendMessage")] == ["SlowDown", "SlowDown", None]


@pytest.mark.parametrize(("mode", "retried"), [("legacy", True), ("standard", False)])
def test_whether_snss_throttled_is_retried_is_botocores_call(aws: Cloud, mode: str, retried: bool) -> None:
    # Throttled (429) is a modelled SNS error: legacy mode retries any 429,
    # standard mode only codes it knows as throttling. Both as against AWS.
    sns = boto3.client("sns", region_name="us-east-1", config=Config(retries={"mode": mode, "max_attempts": 3}))
    aws.faults.inject("sns", "CheckIfPhoneNumberIsOptedOut", error="throttle", count=1)
    try:
        sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")
    except sns.exceptions.ThrottledException:
        assert not retried
    else:
        assert retried
    assert [i.attempts for i in aws.calls.invocations("sns")] == [2 if retried else 1]


def _backoff(mode: str, seed: int) -> float:
    with fake_aws(seed=seed, freeze="2030-01-01T00:00:00Z") as aws:
        sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": mode, "max_attempts": 5}))
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        aws.faults.inject("sqs", "SendMessage", error="throttle", count=4)
        sqs.send_message(QueueUrl=url, MessageBody="x")
        return aws.clock.slept


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_botocores_backoff_jitter_comes_from_the_seed(mode: str) -> None:
    # The same seed waits the same virtual time between the same retries, so
    # every timestamp after them is the same in every run.
    assert _backoff(mode, seed=1) == _backoff(mode, seed=1)
    assert _backoff(mode, seed=1) != _backoff(mode, seed=2)
