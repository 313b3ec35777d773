"""ActiveMQ over STOMP: stomp.py round trips (send, then the subscriber receives it) against the kit's
broker (TLS, through a boto3-made broker) and a real ActiveMQ on loopback (plain STOMP), in the same run.

Run: python benchmarks/bench_stomp.py [--rounds 300]  (needs `apt-get install activemq` for the comparison;
without it only the kit is measured)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "differential"))

import stomp_vs_activemq as diff


def round_trips(rounds: int) -> diff.Scenario:
    def run(target: diff.Target) -> None:
        conn, seen = target.connect()
        conn.subscribe("/queue/bench", id="bench")
        start = time.perf_counter()
        for n in range(rounds):
            conn.send("/queue/bench", str(n))
            seen.wait(n + 2)  # CONNECTED, then one MESSAGE per round
        elapsed = time.perf_counter() - start
        if len(seen.messages()) != rounds:
            raise SystemExit(f"{target.name}: {len(seen.messages())} of {rounds} messages arrived")
        target.transcript.append(f"{rounds / elapsed:.0f}")
        diff.close(conn)

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--port", type=int, default=61643)
    args = parser.parse_args()
    scenario = round_trips(args.rounds)
    kit = float(diff.run_kit(scenario)[0])
    print(f"kit:      {kit:6.0f} round trips/s")
    if not os.path.exists(f"{diff.ACTIVEMQ_HOME}/bin/activemq.jar"):
        return
    with diff.real_activemq(args.port) as address:
        real = float(diff.run_real(address, scenario)[0])
    print(f"activemq: {real:6.0f} round trips/s   kit/activemq = {kit / real:.2f}")


if __name__ == "__main__":
    main()
