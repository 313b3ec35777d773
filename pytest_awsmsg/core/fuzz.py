"""Model-driven fuzzing of the fakes: junk in, AWS's answers out, never a crash.

:func:`fuzz` sends requests built from the botocore model to every operation
of the faked services through real boto3 clients (botocore's validation on
and off): mostly plausible values, some real resource names and ARNs, and on
purpose junk: missing required members, wrong types, out-of-range numbers,
bad enum values, random strings where ARNs, URLs or base64 go, control
characters. Every answer must be a result or an AWS error botocore parses,
and never an internal error. Seeded: the same seed sends the same calls.

Used by the kit's own tests (``tests/core/test_fuzz.py``) and by
``benchmarks/fuzz_long.py`` for long runs.
"""

from __future__ import annotations

import json
import random
import string
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botocore import xform_name
from botocore.model import ListShape, MapShape, Shape, StructureShape

_JUNK_STRINGS = (
    "",
    " ",
    "\x00",
    "bell\x07and\x1bescape",
    "line\nbreak\ttab\r",
    "x" * 300,
    "arn:aws:",
    "arn:aws:sqs:us-east-1:123456789012",
    "arn:aws:states:us-east-1:123456789012:stateMachine:",
    "https://",
    "http://sqs.us-east-1.amazonaws.com/123456789012/",
    "not base64!!",
    "ünïcødé 💥",
    "<xml>&amp;]]>",
    "{",
    '{"a": [1, {"b": null}]}',
    "$.x[",
    "States.Format('{}')",
    "null",
    "-1",
    "1e999",
    "../..",
    "%s%n%x",
)


@dataclass
class FuzzReport:
    """What a fuzz run saw; ``failures`` must be empty."""

    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        top = ", ".join(f"{k}={v}" for k, v in self.outcomes.most_common(12))
        return f"{self.calls} calls, {len(self.failures)} failures; {top}"


class Junk:
    """Values for shapes: plausible, or broken on purpose (``rate`` of the time)."""

    def __init__(self, rng: random.Random, known: dict[str, list[str]], rate: float) -> None:
        self.rng = rng
        self.known = known
        self.rate = rate

    def params(self, shape: StructureShape | None) -> dict[str, Any]:
        if shape is None:
            return {}
        value = self.value(shape, shape.name, 0)
        return value if isinstance(value, dict) else {}

    def value(self, shape: Shape, name: str, depth: int) -> Any:
        rng = self.rng
        if rng.random() < self.rate:
            return self.broken(shape, name)
        if isinstance(shape, StructureShape):
            members = list(shape.members.items())
            if shape.metadata.get("union"):
                members = [rng.choice(members)] if members else []
            out: dict[str, Any] = {}
            for member_name, member in members:
                required = member_name in shape.required_members
                if required or (depth < 3 and rng.random() < 0.5):
                    out[member_name] = self.value(member, member_name, depth + 1)
            return out
        if isinstance(shape, ListShape):
            if depth > 4:
                return []
            return [self.value(shape.member, name, depth + 1) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        if isinstance(shape, MapShape):
            if depth > 4:
                return {}
            count = rng.choice((0, 1, 1, 2))
            keys = [self.key(shape.key, name) for _ in range(count)]
            return {key: self.value(shape.value, name, depth + 1) for key in keys}
        return self.scalar(shape, name)

    def key(self, shape: Shape, name: str) -> str:
        if self.rng.random() < self.rate:
            return str(self.rng.choice(_JUNK_STRINGS))
        return str(self.scalar(shape, name))

    def scalar(self, shape: Shape, name: str) -> Any:
        rng = self.rng
        kind = shape.type_name
        meta = shape.metadata
        if kind == "string":
            if shape.enum:
                return rng.choice(shape.enum)
            exact = self.known.get(name.lower())
            if exact and rng.random() < 0.85:
                return rng.choice(exact)
            for hint, values in self.known.items():
                if hint.lower() in name.lower() and values and rng.random() < 0.7:
                    return rng.choice(values)
            low = int(meta.get("min", 1))
            high = min(int(meta.get("max", 24)), low + 24)
            return "".join(
                rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(max(low, rng.randint(low, high)))
            )
        if kind in ("integer", "long"):
            low = int(meta.get("min", 0))
            high = int(meta.get("max", low + 100))
            return rng.randint(low, min(high, low + 1000))
        if kind in ("float", "double"):
            return round(rng.uniform(float(meta.get("min", 0)), float(meta.get("max", 100))), 3)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "blob":
            return bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        if kind == "timestamp":
            return datetime(2026, 1, 1, tzinfo=timezone.utc)
        return None

    def broken(self, shape: Shape, name: str) -> Any:
        """A value that breaks the shape: wrong type, out of range, bad enum, junk text."""
        rng = self.rng
        kind = shape.type_name
        meta = shape.metadata
        choices: list[Any] = [None, rng.choice(_JUNK_STRINGS), 7, True, [], {}, {"junk": 1}]
        if kind in ("integer", "long", "float", "double"):
            choices += [-1, 0, 2**31, -(2**63), int(meta.get("max", 10)) + 1, int(meta.get("min", 0)) - 1, "12", "ten"]
        if kind == "string":
            choices += [rng.choice(_JUNK_STRINGS) for _ in range(4)]
            choices += ["NOT_AN_ENUM", "x" * (int(meta.get("max", 256)) + 1)]
        if kind == "blob":
            choices += [b"", "not base64!!", b"\x00" * 3]
        if kind == "timestamp":
            choices += ["yesterday", -1, 10**12]
        return rng.choice(choices)


def _known(cloud: Any, clients: dict[str, Any]) -> dict[str, list[str]]:
    """Real resources, so that some junk reaches past the first lookup."""
    from botocore.exceptions import ClientError

    known: dict[str, list[str]] = {
        "Url": [],
        "Arn": [],
        "Name": ["orders"],
        "Id": ["orders"],
        "Domain": ["orders"],
        # tokens, documents and expressions the services decode
        "Token": ["not base64!!", "e30=", "eyJvZmZzZXQiOiAtMX0=", "bnVsbA==", "W10="],
        "Handle": ["not base64!!", "e30=", "AQEB"],
        "Policy": ['{"Version": "2012-10-17", "Statement": []}', "{", "[]", '{"Statement": [{}]}'],
        "Definition": ['{"StartAt": "X", "States": {}}', "{", "[]", '{"StartAt": 1}'],
        "Input": ["{", "[]", "null", '{"a": 1}', '"x"'],
        "Expression": ["rate(1 days)", "cron(", "rate(x)", "at(2026-01-01T00:00:00)"],
        "Attributes": ["{", "[]"],
        "Endpoint": ["https://example.com/hook", "not a url", "+15555550100", "a@b.c"],
        "Protocol": ["sqs", "https", "lambda", "email", "sms", "application", "bogus"],
        "Version": ["AWSCURRENT", "AWSPREVIOUS", "1"],
    }
    try:
        sqs = clients["sqs"]
        known["Url"].append(sqs.create_queue(QueueName="orders")["QueueUrl"])
        known["Url"].append(sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"])
        queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
        topic = clients["sns"].create_topic(Name="orders")["TopicArn"]
        known["Arn"].append(topic)
        known["Arn"].append(clients["secretsmanager"].create_secret(Name="orders", SecretString="s3cret")["ARN"])
        role = "arn:aws:iam::123456789012:role/sfn"
        definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
        machine = clients["stepfunctions"].create_state_machine(name="orders", definition=definition, roleArn=role)
        known["Arn"].append(machine["stateMachineArn"])
        known["Arn"].append(clients["stepfunctions"].create_activity(name="orders")["activityArn"])
        known["Arn"].append(
            clients["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
        )
        known["Arn"].append(queue_arn)
        swf = clients["swf"]
        swf.register_domain(name="orders", workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(domain="orders", name="orders", version="1")
        swf.register_activity_type(domain="orders", name="orders", version="1")
        # exact member names (lower-cased) get the real thing most of the time
        execution = clients["stepfunctions"].start_execution(stateMachineArn=machine["stateMachineArn"])
        sqs.send_message(QueueUrl=known["Url"][0], MessageBody="m")
        message = sqs.receive_message(QueueUrl=known["Url"][0], VisibilityTimeout=0)["Messages"][0]
        known.update(
            {
                "queueurl": known["Url"][:2],
                "topicarn": [topic],
                "targetarn": [topic],
                "subscriptionarn": [known["Arn"][4]],
                "secretid": ["orders", known["Arn"][1]],
                "statemachinearn": [machine["stateMachineArn"]],
                "activityarn": [known["Arn"][3]],
                "executionarn": [execution["executionArn"]],
                "receipthandle": [message["ReceiptHandle"], "not base64!!"],
                "resourcearn": list(known["Arn"]),
                "definition": [definition, *known["Definition"]],
                "domain": ["orders"],
            }
        )
    except (ClientError, KeyError, IndexError):
        pass
    return known


def fuzz(
    cloud: Any,
    services: Iterable[str],
    *,
    calls: int,
    seed: int = 0,
    rate: float = 0.15,
    operations: Iterable[str] | None = None,
) -> FuzzReport:
    """Send ``calls`` fuzzed requests spread over the operations of ``services``."""
    import boto3
    from botocore.config import Config

    from .protocols import model_as, protocols_of
    from .registry import service_model

    rng = random.Random(seed)
    report = FuzzReport()
    # (service, variant): botocore's validation on, off, or (a service that
    # speaks two protocols) the other protocol with validation off.
    clients: dict[tuple[str, str], Any] = {}
    with tempfile.TemporaryDirectory() as models:
        for service in services:
            for variant in ("checked", "unchecked"):
                config = Config(
                    parameter_validation=variant == "checked", retries={"max_attempts": 1, "mode": "standard"}
                )
                clients[service, variant] = boto3.client(service, region_name="us-east-1", config=config)
            model = service_model(service)
            other = [p for p in protocols_of(model) if p != model.protocol]
            if other:
                clients[service, "other"] = _client_speaking(service, model_as(model, other[0]), Path(models))
    return _run(cloud, clients, calls, rng, rate, operations, report)


def _client_speaking(service: str, model: Any, folder: Path) -> Any:
    """A boto3 client built from ``model`` (a copy of the service's model in another protocol)."""
    import boto3
    import botocore.session
    from botocore.config import Config

    target = folder / service / str(model.api_version)
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model._service_description), encoding="utf-8")
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(folder))
    config = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.Session(botocore_session=session).client(service, region_name="us-east-1", config=config)


def _run(
    cloud: Any,
    clients: dict[tuple[str, str], Any],
    calls: int,
    rng: random.Random,
    rate: float,
    operations: Iterable[str] | None,
    report: FuzzReport,
) -> FuzzReport:
    plain = {s: c for (s, variant), c in clients.items() if variant == "checked"}
    known = _known(cloud, plain)
    junk = Junk(rng, known, rate)
    wanted = set(operations) if operations is not None else None
    targets = [
        (service, name)
        for service in sorted({s for s, _ in clients})
        for name in clients[service, "checked"].meta.service_model.operation_names
        if wanted is None or name in wanted
    ]
    for number in range(calls):
        if number and number % 100 == 0:  # bring back what the junk deleted, so calls keep reaching deep
            cloud.clock.advance(seconds=61)  # past SQS's wait before a deleted name is reused
            junk.known.update(_known(cloud, plain))
        service, name = targets[number % len(targets)] if number < len(targets) else rng.choice(targets)
        variant = rng.choice(("checked", "unchecked", "unchecked", "other", "raw"))
        client = clients.get((service, variant)) or clients[service, "unchecked"]
        operation = client.meta.service_model.operation_model(name)
        params = junk.params(operation.input_shape)
        before = len(cloud.calls)
        report.calls += 1
        where = f"#{number} {service}.{name}({params!r:.300})"
        if variant == "raw" and client.meta.service_model.protocol == "json":
            _raw_json(cloud, client.meta.service_model, name, params, where, report)
        else:
            _through_client(cloud, client, name, params, before, where, report)
        if cloud.kit_failures:
            details = "\n".join(f.format() for f in cloud.kit_failures)
            cloud.kit_failures.clear()
            report.failures.append(f"{where}: kit failure\n{details}")
    return report


def _raw_json(cloud: Any, model: Any, name: str, params: dict[str, Any], where: str, report: FuzzReport) -> None:
    """The junk as a raw JSON body (what no botocore would serialise): wrong types reach the parser."""
    from botocore import parsers
    from botocore.awsrequest import HeadersDict

    from .protocols import WireRequest

    body = json.dumps(params, default=lambda v: v.decode("latin-1") if isinstance(v, bytes) else str(v))
    headers = {
        "Content-Type": "application/x-amz-json-" + str(model.metadata.get("jsonVersion", "1.0")),
        "X-Amz-Target": f"{model.metadata['targetPrefix']}.{name}",
    }
    url = f"https://{model.endpoint_prefix}.us-east-1.amazonaws.com/"
    response = cloud.handle(model.service_name, WireRequest.create("POST", url, headers, body))
    operation = model.operation_model(name)
    try:
        parsed = parsers.create_parser("json").parse(
            {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
            operation.output_shape,
        )
    except Exception as error:  # an answer botocore cannot read is a finding
        report.failures.append(f"{where} [raw]: unparsable answer: {type(error).__name__}: {error}")
        return
    code = parsed.get("Error", {}).get("Code", "")
    report.outcomes[f"{code or 'ok'} (raw)"] += 1
    if response.status >= 500:
        report.failures.append(f"{where} [raw]: {response.status} {code}")


def _through_client(
    cloud: Any, client: Any, name: str, params: dict[str, Any], before: int, where: str, report: FuzzReport
) -> None:
    from botocore.exceptions import ClientError, ParamValidationError

    try:
        getattr(client, xform_name(name))(**params)
        report.outcomes["ok"] += 1
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.response.get("Error", {}).get("Code", "")
        report.outcomes[code] += 1
        if status >= 500 or not code:
            report.failures.append(f"{where}: {status} {code}: {error}")
    except ParamValidationError:
        report.outcomes["client-side validation"] += 1
    except Exception as error:  # every other exception is a finding
        if len(cloud.calls) == before and not cloud.kit_failures:
            # botocore itself refused to serialise the junk: never reached the kit
            report.outcomes["client-side error"] += 1
        else:
            report.failures.append(f"{where}: {type(error).__name__}: {error}")
