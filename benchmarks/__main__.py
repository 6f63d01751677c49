"""``python -m benchmarks``: run a part of the suite, or all of it, and plot the results.

    python -m benchmarks run variance --quick
    python -m benchmarks run all
    python -m benchmarks plot
    python -m benchmarks list
"""

from __future__ import annotations

import argparse

PARTS = ("variance", "speed", "scaling", "all")


def main(argv=None) -> None:
    from benchmarks import plot, variance

    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="stochad's benchmark suite.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one part of the suite, or all of it",
                              description="Run one part of the suite (or all); results go to "
                              "benchmarks/results/ as JSON and Markdown. The program and "
                              "estimator options apply to the variance part.")
    run.add_argument("part", choices=PARTS)
    variance.add_arguments(run)
    plotting = commands.add_parser("plot", help="draw the figures from the stored JSON")
    plot.add_arguments(plotting)
    commands.add_parser("list", help="list the programs and estimators")
    args = parser.parse_args(argv)

    if args.command == "list":
        from benchmarks import estimators, programs

        print("programs (* in --quick):")
        for p in programs.PROGRAMS.values():
            print(f"  {'*' if p.name in programs.QUICK else ' '} {p.name:16s} {p.title}")
        print("estimators:")
        for e in estimators.ESTIMATORS:
            print(f"    {e.name:27s} {e.note}")
        return
    if args.command == "plot":
        plot.main_from_args(args)
        return
    from benchmarks import scaling, speed

    if args.part in ("variance", "all"):
        variance.main_from_args(args)
    if args.part in ("speed", "all"):
        speed.run(quick=args.quick, out=args.out)
    if args.part in ("scaling", "all"):
        scaling.run(quick=args.quick, out=args.out)


if __name__ == "__main__":
    main()
