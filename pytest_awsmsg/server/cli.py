"""The standalone server: one cloud served until interrupted, for local development.

``python -m pytest_awsmsg serve [--host 127.0.0.1] [--port 0] [--seed N] [--region R]``
prints the endpoint URL alone on the first line of stdout (a script reads
that line to know where to connect; port 0 picks a free one), then serves
until SIGINT or SIGTERM. Virtual time runs with real time and moves further
on request through the control endpoint (:mod:`.control`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from ..core.cloud import Cloud
from .control import Control
from .environment import sdk_environment
from .http import HttpEndpoint


class Standalone:
    """A cloud and its HTTP endpoint with a control endpoint; ``reset()`` swaps in a fresh cloud."""

    def __init__(
        self, *, host: str, port: int, seed: int | str, region: str | None, allow_remote: bool = False
    ) -> None:
        self._options: dict[str, Any] = {"seed": seed, "region": region}
        control = Control(lambda: self.endpoint.cloud, self.reset)
        self.endpoint = HttpEndpoint(self._new_cloud(), host, port, allow_remote=allow_remote, control=control)

    def _new_cloud(self) -> Cloud:
        cloud = Cloud(**self._options)
        cloud.label = "pytest-awsmsg serve"
        return cloud

    def reset(self) -> None:
        old, self.endpoint.cloud = self.endpoint.cloud, self._new_cloud()
        old.close()

    def close(self) -> None:
        try:
            self.endpoint.close()
        finally:
            self.endpoint.cloud.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pytest_awsmsg", description="pytest-awsmsg's fake AWS, served.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve SQS, SNS, Step Functions and Secrets Manager over HTTP on loopback",
        description="Prints the endpoint URL on stdout's first line, then serves until interrupted.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)")
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    serve.add_argument("--seed", default="0", help="seed for ids and every random choice (default 0)")
    serve.add_argument("--region", default=None, help="default region (else AWS_DEFAULT_REGION, else us-east-1)")
    serve.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (the fake trusts any caller)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seed: int | str = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    try:
        server = Standalone(
            host=args.host, port=args.port, seed=seed, region=args.region, allow_remote=args.allow_remote
        )
    except (ValueError, OSError) as error:
        print(f"pytest-awsmsg serve: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    # Both signals just end the wait below: no KeyboardInterrupt raised at an
    # arbitrary point of a serving thread's work, and the close runs in order.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(server.endpoint.url, flush=True)
    environment = sdk_environment(server.endpoint.url, server.endpoint.cloud.region, server.endpoint.cloud.account_id)
    print("pytest-awsmsg: serving; point SDKs at it with:", file=sys.stderr)
    for key in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        print(f"  export {key}={environment[key]}", file=sys.stderr)
    print(
        f"control endpoint: {server.endpoint.url}/_awsmsg/ (docs/server.md); Ctrl-C stops", file=sys.stderr, flush=True
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.close()
    return 0
