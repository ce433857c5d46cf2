"""``python -m benchmarks``: build (once) the large data set and print the figures.

python -m benchmarks                       # 100,000 customers on SQLite
python -m benchmarks --postgres            # and on a throwaway PostgreSQL 15
python -m benchmarks --customers 50 --repeat 1 --data-dir /tmp/b --out /tmp/b/r.json
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .dataset import ROOT
from .suite import Options, run


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="UBE performance benchmarks: figures on a large demo data set.",
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=100_000,
        help="customers in the data set; incidents, contacts and restrictions follow the "
        "demo generator's ratios (about 10, 20 and 0.3 a customer). Default 100000",
    )
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed runs of each figure (default 15)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also load the data set into a throwaway PostgreSQL 15 and measure there",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results.json",
        help="results file (PostgreSQL results go beside it, *-postgresql.json)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "data" / "bench",
        help="where the data set is cached (default data/bench)",
    )
    parser.add_argument("--seed", type=int, default=42, help="demo generator seed (default 42)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set afresh")
    parser.add_argument("--no-render", action="store_true", help="skip the AppTest page renders")
    parser.add_argument("--quiet", action="store_true", help="no progress bar while building")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return Options(
        customers=args.customers,
        repeat=args.repeat,
        postgres=args.postgres,
        out=args.out,
        data_dir=args.data_dir,
        seed=args.seed,
        rebuild=args.rebuild,
        renders=not args.no_render,
        progress=not args.quiet,
    )


def main(argv: Sequence[str] | None = None) -> int:
    run(parse(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
