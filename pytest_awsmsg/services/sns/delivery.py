"""Fan-out: from one published message to every subscriber, with retries and DLQs.

Delivery happens inside the Publish call, at the publish instant of virtual
time (AWS delivers asynchronously within milliseconds; a test wants the message
in the queue when ``publish`` returns). What fails is retried on the cloud's
clock with the delivery policy of the protocol (see :func:`retry_delay`), so
``aws.clock.advance(...)`` plays the retries; a subscription's RedrivePolicy
catches what is finally undeliverable. Each step lands in ``aws.deliveries``.

Failures are sorted as AWS sorts them: *client-side* (the queue or function
does not exist, a policy denies SNS, an HTTP 4xx) are not retried; *server-side*
(SQS 5xx or throttling, HTTP 5xx/429, an unreachable endpoint) are.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core import deliveries as log
from ...core.deliveries import Delivery, Publication
from ...core.errors import AwsError
from ...core.lambdas import LambdaFunctionError
from ...core.seams import QueueRef, queue_target
from .http_endpoints import USER_AGENT
from .messages import Notification, iso_timestamp, unsubscribe_url
from .models import OutboxMessage, Subscription, Topic

if TYPE_CHECKING:
    from .api import SnsService

# AWS-managed endpoints (SQS, Lambda): 3 immediate retries, 2 one second apart,
# 10 with exponential backoff from 1 to 20 s, then 100,000 twenty seconds apart.
MANAGED_POLICY: dict[str, Any] = {
    "numNoDelayRetries": 3,
    "numMinDelayRetries": 2,
    "minDelayTarget": 1,
    "maxDelayTarget": 20,
    "numRetries": 100_015,
    "numMaxDelayRetries": 100_000,
    "backoffFunction": "exponential",
}
# Raw delivery passes message attributes on as SQS message attributes, of which a message
# may have ten; SNS discards a message with more as a client-side error.
MAX_RAW_SQS_ATTRIBUTES = 10
# Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes later.
LAMBDA_ASYNC_RETRY_DELAYS = (60.0, 120.0)
_RETRYABLE_CODES = {"Throttling", "ThrottlingException", "RequestThrottled", "ServiceUnavailable", "InternalError"}


def _backoff(function: str, low: float, high: float, step: int, steps: int) -> float:
    """Delay of backoff step ``step`` of ``steps``, rising from ``low`` to ``high``.

    AWS names the curves but not their formulas; these reach ``high`` at the
    last step and grow as their names say (assumption).
    """
    if steps <= 0 or high == low:
        return high
    fraction = step / steps
    if function == "linear":
        return low + (high - low) * fraction
    if function == "arithmetic":
        return low + (high - low) * (step * (step + 1)) / (steps * (steps + 1))
    if function == "geometric":
        return float(low * (high / low) ** fraction)
    return low + (high - low) * (math.pow(2, step) - 1) / (math.pow(2, steps) - 1)


def retry_delay(policy: dict[str, Any], retry: int) -> float | None:
    """Seconds before retry number ``retry`` (1-based), or None once the policy is spent."""
    total = int(policy.get("numRetries", 3))
    if retry > total:
        return None
    no_delay = int(policy.get("numNoDelayRetries", 0))
    pre = int(policy.get("numMinDelayRetries", 0))
    post = int(policy.get("numMaxDelayRetries", 0))
    low, high = float(policy.get("minDelayTarget", 20)), float(policy.get("maxDelayTarget", 20))
    backoff = total - no_delay - pre - post
    if retry <= no_delay:
        return 0.0
    if retry <= no_delay + pre:
        return low
    if retry <= no_delay + pre + backoff:
        return _backoff(str(policy.get("backoffFunction", "linear")), low, high, retry - no_delay - pre, backoff)
    return high


def retry_delays(policy: dict[str, Any]) -> list[float]:
    """Every delay of a (small, HTTP) policy, in order."""
    out = []
    for retry in range(1, int(policy.get("numRetries", 3)) + 1):
        delay = retry_delay(policy, retry)
        if delay is None:
            break
        out.append(delay)
    return out


@dataclass
class Outcome:
    ok: bool
    reason: str = ""
    retryable: bool = False
    payload: Any = None


def target_name(protocol: str, endpoint: str) -> str:
    """The short name a test uses: queue or function name; else the endpoint itself."""
    if protocol in ("sqs", "lambda", "firehose") and endpoint.startswith("arn:"):
        parts = endpoint.split(":")
        return parts[6] if protocol == "lambda" and len(parts) > 6 else parts[-1].split("/")[-1]
    return endpoint


class Fanout:
    """Delivers notifications for one :class:`SnsService`."""

    def __init__(self, service: SnsService) -> None:
        self.service = service
        self.cloud = service.cloud
        # FIFO (subscription, group) -> messages waiting behind one being retried
        self._held: dict[tuple[str, str], list[tuple[Notification, Delivery]]] = {}

    # -- entry points -------------------------------------------------------------

    def publish(self, topic: Topic, note: Notification, publication: Publication) -> None:
        store = self.service.store(topic.account_id, topic.region)
        for arn in list(topic.subscription_arns):
            sub = store.subscriptions.get(arn)
            if sub is None:
                continue
            delivery = self._new_delivery(sub.arn, sub.protocol, sub.endpoint)
            publication.deliveries.append(delivery)
            if sub.pending:
                delivery.status = log.PENDING
                delivery.reason = sub.confirmation_error or (
                    "confirm it with ConfirmSubscription and the token SNS sent "
                    f"(aws.sns.confirmation_token({sub.endpoint!r}))"
                )
                continue
            if sub.filter is not None:
                text = note.message_for(sub.protocol)
                verdict = sub.filter.match(text, note.attributes)
                if not verdict:
                    delivery.status = log.FILTERED
                    delivery.reason = verdict.reason
                    continue
            group = self._fifo_group(sub, note)
            if group is not None and group in self._held:
                # FIFO: a message waits behind an earlier one of its group that is being retried.
                delivery.reason = f"waiting behind an earlier message of group {note.group_id}"
                self._held[group].append((note, delivery))
                continue
            delivered = self._attempt(sub, note, delivery, 1)
            if not delivered and group is not None:
                self._held[group] = []
            rate = self.service.duplicate_rate(topic)
            if delivered and rate and self.cloud.ids.random() < rate:
                # At-least-once: the same notification (same MessageId) again.
                again = self._new_delivery(sub.arn, sub.protocol, sub.endpoint)
                publication.deliveries.append(again)
                if self._attempt(sub, note, again, 1):
                    again.reason = "a duplicate delivery (aws.sns.quirks)"

    def _fifo_group(self, sub: Subscription, note: Notification) -> tuple[str, str] | None:
        return (sub.arn, note.group_id or "") if note.sequence_number is not None else None

    def _retry(self, sub: Subscription, note: Notification, delivery: Delivery, attempt: int) -> None:
        if self._attempt(sub, note, delivery, attempt):
            self._release(sub, note)

    def _release(self, sub: Subscription, note: Notification) -> None:
        """A FIFO message is settled: deliver those of its group that waited behind it, in order."""
        group = self._fifo_group(sub, note)
        if group is None:
            return
        waiting = self._held.pop(group, [])
        while waiting:
            next_note, next_delivery = waiting.pop(0)
            if not self._attempt(sub, next_note, next_delivery, 1):
                self._held[group] = waiting
                return

    def publish_direct(self, protocol: str, endpoint: str, note: Notification, publication: Publication) -> None:
        """Publish to a platform endpoint (TargetArn) or a phone number."""
        delivery = self._new_delivery(endpoint, protocol, endpoint)
        publication.deliveries.append(delivery)
        outcome = self._outbox(protocol, endpoint, note, None, direct=True)
        self._settle(delivery, outcome, 1)

    def _new_delivery(self, subscription: str, protocol: str, endpoint: str) -> Delivery:
        aliases: tuple[str, ...] = ()
        if protocol == "sqs":
            queue = self.queue(endpoint)
            if queue is not None:
                aliases = (queue.url, queue.arn, queue.name)
        return Delivery(
            subscription,
            protocol,
            endpoint,
            target_name(protocol, endpoint),
            log.RETRYING,
            time=self.cloud.clock.now(),
            aliases=aliases,
        )

    # -- attempts and retries ---------------------------------------------------------

    def _attempt(self, sub: Subscription, note: Notification, delivery: Delivery, attempt: int) -> bool:
        """Try now; retries without delay happen at once, later ones are scheduled on the clock.

        True when the delivery is settled (delivered, failed, dead-lettered),
        False when a retry is scheduled.
        """
        while True:
            current = self.service.find_subscription(sub.arn)
            if current is None:
                self._settle(delivery, Outcome(False, "the subscription was deleted before delivery"), attempt - 1)
                return True
            outcome = self._send(current, note)
            self._settle(delivery, outcome, attempt)
            if outcome.ok:
                return True
            if not outcome.retryable:
                self._dead_letter(current, note, delivery)
                return True
            delay = retry_delay(self._policy(current), attempt)
            if delay is None:
                self._give_up(current, note, delivery, outcome)
                return True
            if delay > 0:
                self.cloud.clock.call_later(
                    delay,
                    functools.partial(self._retry, current, note, delivery, attempt + 1),
                    f"sns retry {attempt} to {delivery.target}",
                )
                return False
            attempt += 1

    def _settle(self, delivery: Delivery, outcome: Outcome, attempt: int) -> None:
        delivery.attempts = attempt
        now = self.cloud.clock.now()
        stamp = iso_timestamp(now)
        delivery.history.append(f"{stamp} attempt {attempt}: " + ("ok" if outcome.ok else outcome.reason))
        if outcome.ok:
            delivery.status = log.DELIVERED
            delivery.payload = outcome.payload
            delivery.reason = outcome.reason
            delivery.time = now
        elif outcome.retryable:
            delivery.status = log.RETRYING
            delivery.reason = outcome.reason
        else:
            delivery.status = log.FAILED
            delivery.reason = outcome.reason

    def _give_up(self, sub: Subscription, note: Notification, delivery: Delivery, outcome: Outcome) -> None:
        delivery.status = log.FAILED
        delivery.reason = f"{outcome.reason}; retries exhausted"
        self._dead_letter(sub, note, delivery)

    def _policy(self, sub: Subscription) -> dict[str, Any]:
        if sub.protocol not in ("http", "https"):
            return MANAGED_POLICY
        return self.service.effective_http_retry_policy(sub)

    def _dead_letter(self, sub: Subscription, note: Notification, delivery: Delivery) -> None:
        target = sub.dead_letter_arn
        if target is None:
            return
        body = self._sqs_body(sub, note)
        params = self._sqs_params(sub, note, body, target)
        if isinstance(params, Outcome):
            delivery.reason += f"; the dead-letter queue failed too: {params.reason}"
            return
        try:
            self.cloud.call(
                "sqs", "SendMessage", params, region=target.split(":")[3], account_id=target.split(":")[4], caller="sns"
            )
        except AwsError as error:
            delivery.reason += f"; the dead-letter queue failed too: {error.code}: {error.message}"
            return
        delivery.status = log.DEAD_LETTERED
        delivery.history.append(f"{iso_timestamp(self.cloud.clock.now())} moved to dead-letter queue {target}")

    # -- one attempt per protocol -------------------------------------------------------

    def _send(self, sub: Subscription, note: Notification) -> Outcome:
        if sub.protocol == "sqs":
            return self._to_sqs(sub, note)
        if sub.protocol == "lambda":
            return self._to_lambda(sub, note)
        if sub.protocol in ("http", "https"):
            return self._to_http(sub, note)
        return self._outbox(sub.protocol, sub.endpoint, note, sub)

    def queue(self, arn: str) -> QueueRef | None:
        """The queue an ARN names, asked of the cloud's queue service (see core/seams.py), or None."""
        target = queue_target(self.cloud)
        return target.find_queue(arn) if target is not None else None

    def queue_allows(self, queue_arn: str, source_arn: str) -> bool:
        """Whether the queue's policy lets this topic's SNS send to it."""
        target = queue_target(self.cloud)
        return target is not None and target.queue_allows(
            queue_arn, action="sqs:SendMessage", principal_service="sns.amazonaws.com", source_arn=source_arn
        )

    def _sqs_body(self, sub: Subscription, note: Notification) -> str:
        message = note.message_for("sqs")
        return message if sub.raw else note.envelope_text(message, sub.arn)

    def _sqs_params(self, sub: Subscription, note: Notification, body: str, queue_arn: str) -> dict[str, Any] | Outcome:
        queue = self.queue(queue_arn)
        if queue is None:
            return Outcome(False, f"queue {target_name('sqs', queue_arn)} does not exist")
        if not self.queue_allows(queue_arn, sub.topic_arn):
            return Outcome(
                False,
                f"the access policy of queue {queue.name} does not allow sns.amazonaws.com to sqs:SendMessage "
                f"from {sub.topic_arn} (add a statement allowing it, with aws:SourceArn = the topic ARN)",
            )
        params: dict[str, Any] = {"QueueUrl": queue.url, "MessageBody": body}
        attributes = note.delivered_attributes
        if sub.raw and attributes:
            if len(attributes) > MAX_RAW_SQS_ATTRIBUTES:
                return Outcome(
                    False,
                    f"raw delivery to SQS carries at most {MAX_RAW_SQS_ATTRIBUTES} message attributes and the "
                    f"message has {len(attributes)} (turn RawMessageDelivery off to deliver them all)",
                )
            params["MessageAttributes"] = attributes
        if queue.fifo:
            params["MessageGroupId"] = note.group_id or "default"
            if note.deduplication_id:
                params["MessageDeduplicationId"] = note.deduplication_id
        elif note.group_id is not None:
            # Standard topics forward MessageGroupId to standard queues (fair queues).
            params["MessageGroupId"] = note.group_id
        return params

    def _to_sqs(self, sub: Subscription, note: Notification) -> Outcome:
        body = self._sqs_body(sub, note)
        params = self._sqs_params(sub, note, body, sub.endpoint)
        if isinstance(params, Outcome):
            return params
        parts = sub.endpoint.split(":")
        try:
            self.cloud.call("sqs", "SendMessage", params, region=parts[3], account_id=parts[4], caller="sns")
        except AwsError as error:
            retryable = (error.status or 400) >= 500 or error.code in _RETRYABLE_CODES
            return Outcome(False, f"SendMessage failed: {error.code}: {error.message}", retryable)
        return Outcome(True, payload=body)

    def _to_lambda(self, sub: Subscription, note: Notification) -> Outcome:
        lambdas = self.cloud.lambdas
        if sub.endpoint not in lambdas:
            return Outcome(
                False,
                f"function {target_name('lambda', sub.endpoint)} does not exist "
                "(register a stand-in with aws.lambdas.register(name, handler))",
            )
        event = note.lambda_event(sub.arn)
        self._invoke(sub.endpoint, event, retries_left=len(LAMBDA_ASYNC_RETRY_DELAYS))
        return Outcome(True, payload=event)

    def _invoke(self, arn: str, event: dict[str, Any], retries_left: int) -> None:
        """An asynchronous invocation: a function error is Lambda's to retry, not SNS's."""
        try:
            self.cloud.lambdas.invoke(arn, event, source="sns")
        except LambdaFunctionError:
            if retries_left:
                delay = LAMBDA_ASYNC_RETRY_DELAYS[len(LAMBDA_ASYNC_RETRY_DELAYS) - retries_left]
                self.cloud.clock.call_later(
                    delay, lambda: self._invoke(arn, event, retries_left - 1), f"lambda async retry of {arn}"
                )

    def _to_http(self, sub: Subscription, note: Notification) -> Outcome:
        message = note.message_for(sub.protocol)
        headers = self.http_headers("Notification", note.message_id, sub.topic_arn, sub)
        if sub.raw:
            body = message
            headers["x-amz-sns-rawdelivery"] = "true"
        else:
            body = note.envelope_text(message, sub.arn)
        result = self.service.http.post(sub.endpoint, headers, body)
        if result.ok:
            return Outcome(True, payload=body)
        return Outcome(False, f"POST {sub.endpoint} failed: {result.describe()}", result.retryable)

    def http_headers(self, kind: str, message_id: str, topic_arn: str, sub: Subscription) -> dict[str, str]:
        content_type = "text/plain; charset=UTF-8"
        if sub.protocol in ("http", "https"):
            policy = self.service.effective_http_policy(sub)
            request = policy.get("requestPolicy") or policy.get("defaultRequestPolicy") or {}
            content_type = str(request.get("headerContentType", content_type))
        # Every message type carries the subscription ARN: the developer guide lists the header
        # for confirmations and notifications alike, and real SubscriptionConfirmation POSTs have it.
        return {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": topic_arn,
            "x-amz-sns-subscription-arn": sub.arn,
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
        }

    def _outbox(
        self, protocol: str, endpoint: str, note: Notification, sub: Subscription | None, direct: bool = False
    ) -> Outcome:
        service = self.service
        key = protocol
        extra: dict[str, Any] = {}
        subject = note.subject
        if protocol == "application":
            app_endpoint = service.find_endpoint(endpoint)
            if app_endpoint is None:
                return Outcome(False, f"platform endpoint {endpoint} does not exist")
            application = service.find_application(app_endpoint.application_arn)
            if not app_endpoint.enabled:
                return Outcome(False, "the platform endpoint is disabled")
            if application is not None and not application.enabled:
                return Outcome(False, "the platform application is disabled")
            platform = endpoint.split(":")[5].split("/")[1]
            key = platform
            extra = {"platform": platform, "token": app_endpoint.token}
            body = note.message_for(key)
        elif protocol == "sms":
            refusal = service.sms_refusal(endpoint, note.account_id, note.region)
            if refusal:
                return Outcome(False, refusal)
            body = note.message_for(key)
            extra = service.sms_settings(note.attributes, note.account_id, note.region)
        elif protocol == "firehose" and sub is not None and sub.raw:
            body = note.message_for(key)
        elif protocol in ("email-json", "firehose"):
            body = note.envelope_text(note.message_for(key), sub.arn if sub else endpoint)
        else:  # email: the message itself; AWS's unsubscribe footer is kept apart
            body = note.message_for(key)
            subject = note.subject or "AWS Notification Message"
            if sub is not None:
                extra = {"unsubscribe_url": unsubscribe_url(note.region, sub.arn)}
        service.outbox.append(
            OutboxMessage(
                protocol,
                endpoint,
                body,
                subject=subject,
                topic_arn=None if direct else note.topic_arn,
                subscription_arn=sub.arn if sub else None,
                message_id=note.message_id,
                time=self.cloud.clock.now(),
                extra=extra,
            )
        )
        return Outcome(True, payload=body)
