"""Every error SNS answers is one AWS's model declares for that operation.

Model-derived junk goes to every SNS operation; each error the SNS fake
raised (not the protocol layer's generic ones) must be among the operation's
error shapes, so ``client.exceptions.<Name>`` catches what the API reference
says the operation throws.
"""

from __future__ import annotations

from collections import defaultdict

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.fuzz import fuzz
from pytest_awsmsg.core.registry import service_model
from pytest_awsmsg.services.sns import errors

SNS_ERRORS = {name for name in dir(errors) if name.endswith(("Exception", "OptInRequired"))}


def test_every_error_sns_raises_is_declared_for_its_operation(aws: Cloud) -> None:
    model = service_model("sns")
    declared = {op: {shape.name for shape in model.operation_model(op).error_shapes} for op in model.operation_names}
    report = fuzz(aws, ["sns"], calls=600, seed=1)
    assert report.failures == []
    raised: dict[str, set[str]] = defaultdict(set)
    for record in aws.calls:
        if record.service == "sns" and record.error_code in SNS_ERRORS:
            raised[record.operation].add(str(record.error_code))
    undeclared = {op: sorted(codes - declared[op]) for op, codes in raised.items() if codes - declared[op]}
    assert undeclared == {}
    assert sum(len(codes) for codes in raised.values()) >= 30  # the junk reached SNS's own checks (39 pairs today)
