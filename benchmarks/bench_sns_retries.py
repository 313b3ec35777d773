"""A year of SNS HTTP/S retries: what ``aws.clock.advance(days=365)`` costs with 1,500 pending.

Fifteen HTTPS subscriptions whose endpoints fail, a hundred publishes: 1,500
deliveries each waiting for its first retry (the default policy: three, 20 s
apart), so advancing a year fires 4,500 retries. Three kinds of failing
endpoint: nothing answers (no handler, no mock), a Python handler answering
503, and a ``responses`` mock answering 503. Each retry must stay cheap: the
POST, not the kit's bookkeeping, should be what a retry costs.

Run: python benchmarks/bench_sns_retries.py
"""

from __future__ import annotations

import json
import os
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import boto3

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
SUBSCRIBERS = 15
PUBLISHES = 100


def run(kind: str) -> tuple[int, int, float]:
    """(pending timers before, retries fired, seconds the year took)."""
    from pytest_awsmsg import fake_aws

    mock: AbstractContextManager[Any] = nullcontext()
    if kind == "responses":
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    with fake_aws() as aws, mock as requests_mock:
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="hooks")["TopicArn"]
        aws.sns.auto_confirm_http = True
        for i in range(SUBSCRIBERS):
            url = f"https://hook{i}.example.com/sns"
            if kind == "handler":
                aws.sns.http_endpoint(url, lambda request: 503)
            if kind == "responses":
                requests_mock.add("POST", url, status=503)
            sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=url)
        for i in range(PUBLISHES):
            sns.publish(TopicArn=topic, Message=json.dumps({"order": i}))
        pending = len(aws.clock.pending)
        start = time.perf_counter()
        aws.clock.advance(days=365)
        took = time.perf_counter() - start
        failed = sum(1 for p in aws.deliveries.publications for d in p.deliveries if d.status == "failed")
        if failed != SUBSCRIBERS * PUBLISHES:
            raise SystemExit(f"expected every delivery to fail after its retries, {failed} did")
        return pending, failed * 3, took


def main() -> None:
    for kind in ("unreachable", "handler", "responses"):
        pending, fired, took = run(kind)
        print(
            f"{kind:12} {pending} pending, {fired} retries fired: advance(days=365) took {took:.2f} s "
            f"({took / fired * 1e6:.0f} us a retry)"
        )


if __name__ == "__main__":
    main()
