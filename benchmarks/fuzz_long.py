"""A long fuzz run: model-derived junk to every operation of every faked service.

The suite runs a few hundred calls (tests/core/test_fuzz.py); this runs as
many as you like and prints where the kit crashed (it must not), grouped by
the line that raised, with one example call each.

Run: python benchmarks/fuzz_long.py --calls 20000 --seed 7 [--service sqs ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from pytest_awsmsg import _hook, fake_aws
from pytest_awsmsg.core.fuzz import fuzz
from pytest_awsmsg.core.registry import faked_services


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.15, help="share of values broken on purpose")
    parser.add_argument("--service", action="append", help="only these services (default: every faked one)")
    args = parser.parse_args()

    _hook.validate_output = True
    services = args.service or faked_services()
    start = time.perf_counter()
    with fake_aws(seed=args.seed) as cloud:
        report = fuzz(cloud, services, calls=args.calls, seed=args.seed, rate=args.rate)
    elapsed = time.perf_counter() - start
    print(f"{report.summary()}\n{elapsed:.1f}s, {report.calls / elapsed:.0f} calls/s")

    sites: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for failure in report.failures:
        frames = [line.strip() for line in failure.splitlines() if line.strip().startswith("File ")]
        site = (frames[-1] if frames else "") + " | " + failure.splitlines()[-1][:160]
        sites[site] += 1
        examples.setdefault(site, failure.splitlines()[0][:300])
    for site, count in sites.most_common():
        print(f"\n{count}x {site}\n    e.g. {examples[site]}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
