"""Variance, bias and cost of every estimator on programs with exact derivatives.

For each program of ``benchmarks/programs.py`` and each estimator of
``benchmarks/estimators.py``: the mean ± standard error of the derivative estimates, the exact
derivative, the estimator's exact expectation where known (finite differences: the central
difference of the exact mean; smoothing: the program's closed-form smoothed mean), the bias in
standard errors, a check that the mean is within 5 SE of that expectation, the per-sample
variance, the cost of one sample relative to one plain run of the program (median over
interleaved chunks), and variance × cost, the work to reach a given standard error.

Sample counts: every estimator gets ``--samples`` samples; one whose exact bias is known and
not zero gets more, until the bias is about 6 SE (at most ``--max-factor`` times as many and
``--max-seconds`` of extra time); rows where that budget cannot resolve it say so. All
estimators of a program draw from Generators built from the same seed, so rows that coincide
sample for sample (pruned and dict on one draw, say) are detected and explained.

    python -m benchmarks run variance [--quick] [--programs a,b] [--samples N]
    python -m benchmarks run variance --workers 2          # programs on a local dask cluster
    python -m benchmarks run variance --scheduler tcp://host:8786
    python benchmarks/variance.py --help

On a dask cluster (``--workers``/``--scheduler``, or ``run(..., client=)``) each program is
measured on a worker, in parallel; its samples are the same numbers as in one process
(they depend on the seed only), and its cost ratios are timed on the worker, plain program
and estimators alike. Only the count of the extra samples given to biased estimators can
differ, as it does between two runs in one process: it depends on measured times.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["main", "run", "measure_program", "summarize", "format_program"]

Z_CHECK = 5.0
"""A mean further than this many standard errors from its exact expectation fails."""
Z_RESOLVE = 6.0
"""Biased estimators get samples until their exact bias is about this many standard errors."""


def _chunks(total: int, count: int) -> list[int]:
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count) if base or i < extra]


def _draw(sample, rng, n: int, batch: int):
    """At least ``n`` estimates: ``ceil(n / batch)`` calls of ``sample``, each giving
    ``batch`` of them (one on an unbatched program)."""
    import numpy as np

    calls = -(-n // batch)
    if batch == 1:
        return np.fromiter((sample(rng) for _ in range(calls)), dtype=np.float64, count=calls)
    return np.concatenate([np.ravel(sample(rng)) for _ in range(calls)])


def _plain(program, n: int) -> None:
    for _ in range(-(-n // program.batch)):
        program.f(program.p)


def measure_program(program, estimators, *, samples: int, chunks: int, seed: int,
                    max_factor: float, max_seconds: float) -> dict:
    """Sample every estimator on ``program``; return the raw samples and cost ratios.

    The plain program and the estimators run in ``chunks`` interleaved rounds; each round's
    cost ratio is (estimator time per sample) / (plain time per sample) of that round. On a
    batched program a sample is one row (``program.batch`` rows per call).
    """
    import numpy as np

    import stochad

    batch = program.batch
    pilot_rng = np.random.default_rng([seed, 1])
    with stochad.using_rng(pilot_rng):
        pilot = np.concatenate([np.ravel(np.asarray(program.f(program.p), dtype=np.float64))
                                for _ in range(-(-max(100, samples // 4) // batch))])
    baseline = float(np.mean(pilot))
    plain_rng = np.random.default_rng([seed, 2])
    samplers = {e.name: e.sampler(program, baseline) for e in estimators}
    rngs = {e.name: np.random.default_rng([seed, 3]) for e in estimators}  # common seed
    values = {e.name: [] for e in estimators}
    unresolved = {}
    ratios = {e.name: [] for e in estimators}
    plain_times = []
    base = 0
    for size in _chunks(samples, chunks):
        size = batch * -(-size // batch)
        base += size
        start = time.perf_counter()
        with stochad.using_rng(plain_rng):
            _plain(program, size)
        plain = (time.perf_counter() - start) / size
        plain_times.append(plain)
        for e in estimators:
            start = time.perf_counter()
            values[e.name].append(_draw(samplers[e.name], rngs[e.name], size, batch))
            ratios[e.name].append((time.perf_counter() - start) / size / plain)
    samples_by_name = {name: np.concatenate(v) for name, v in values.items()}
    # biased estimators with a known bias: more samples until the bias is resolved
    for e in estimators:
        expected = e.expectation(program)
        x = samples_by_name[e.name]
        bias = None if expected is None else expected - program.derivative
        sd = float(np.std(x, ddof=1))
        if bias is None or abs(bias) <= 1e-9 * max(1.0, abs(program.derivative)) or sd == 0:
            continue
        needed = math.ceil((Z_RESOLVE * sd / abs(bias)) ** 2)
        per_sample = float(np.median(ratios[e.name])) * float(np.median(plain_times))
        budget = min(int(max_factor * samples), samples + int(max_seconds / per_sample))
        if len(x) < needed <= budget:  # more samples only where they can resolve the bias
            samples_by_name[e.name] = np.concatenate(
                [x, _draw(samplers[e.name], rngs[e.name], needed - len(x), batch)])
        elif needed > budget:
            unresolved[e.name] = needed
    return {
        "baseline": baseline,
        "plain_seconds": float(np.median(plain_times)),
        "samples": samples_by_name,
        "cost": {name: float(np.median(r)) for name, r in ratios.items()},
        "base_samples": base,
        "unresolved": unresolved,
    }


def _is_constant(x, scale: float) -> bool:
    import numpy as np

    return float(np.ptp(x)) <= 1e-12 * max(1.0, scale)


def summarize(program, estimators, measured: dict, reference: str) -> dict:
    """Turn raw samples into the table rows of one program (means, checks, notes)."""
    import numpy as np

    scale = max(1.0, abs(program.derivative))
    base = measured["base_samples"]
    rows = []
    for e in estimators:
        x = measured["samples"][e.name]
        n = len(x)
        mean = float(np.mean(x))
        constant = _is_constant(x, scale)
        variance = 0.0 if constant else float(np.var(x, ddof=1))
        stderr = math.sqrt(variance / n)
        expected = e.expectation(program)
        bias = mean - program.derivative
        notes = []
        if constant:
            notes.append("every sample is the same number: variance 0, exact by construction"
                         if abs(mean - program.derivative) <= 1e-9 * scale
                         else "every sample is the same number (variance 0)")
        row = {
            "estimator": e.name, "stochad": e.stochad, "n": n, "mean": mean,
            "stderr": stderr, "variance": variance, "expected": expected,
            "exact_bias": None if expected is None else expected - program.derivative,
            "bias": bias, "bias_se": None if stderr == 0 else bias / stderr,
            "cost": measured["cost"][e.name],
        }
        row["work"] = variance * row["cost"]
        if expected is None:
            row["check_z"], row["ok"] = None, None
            z = None if stderr == 0 else bias / stderr
            seen = ("" if z is None else f"; its mean is {z:.1f} SE from the exact derivative ("
                    + ("biased here" if abs(z) > Z_CHECK else "no bias resolved at this n") + ")")
            notes.append("its exact expectation is not known in closed form: not checked" + seen)
        elif stderr == 0:
            row["check_z"] = None
            row["ok"] = abs(mean - expected) <= 1e-9 * scale
        else:
            row["check_z"] = (mean - expected) / stderr
            row["ok"] = abs(row["check_z"]) <= Z_CHECK
        exact_bias = row["exact_bias"]
        biased = exact_bias is not None and abs(exact_bias) > 1e-9 * scale
        if biased and stderr == 0:
            notes.append(f"biased by exactly {exact_bias:.3g} (no sampling error)")
        elif biased and e.name in measured["unresolved"]:
            notes.append(f"its exact bias {exact_bias:.2g} is {abs(exact_bias) / stderr:.1f} SE "
                         f"at n={n}; resolving it needs ~{measured['unresolved'][e.name]:.2g} "
                         "samples, past this run's budget")
        elif biased:
            grown = f"n raised from {base} to {n} resolves" if n > base else f"n={n} resolves"
            notes.append(f"biased: {grown} its exact bias {exact_bias:.3g} "
                         f"({exact_bias / stderr:.1f} SE)")
        elif exact_bias is not None and not e.name.startswith(("pruned", "dict", "score")):
            notes.append("unbiased on this program (exact expectation = derivative)")
        row["notes"] = notes
        rows.append(row)
    _note_coincidences(rows, measured["samples"], base)
    ref = next((r for r in rows if r["estimator"] == reference), None)
    for r in rows:
        r["work_vs_reference"] = (r["work"] / ref["work"]
                                  if ref is not None and ref["work"] > 0 else None)
    return {
        "name": program.name, "title": program.title, "p": program.p,
        "exact": program.derivative, "exact_mean": program.mean(program.p),
        "fd_step": program.fd_step, "draws": program.draws, "note": program.note,
        "batch": program.batch,
        "skipped": {e: why for e, why in program.skip.items()},
        "baseline": measured["baseline"], "plain_seconds": measured["plain_seconds"],
        "rows": rows,
    }


def _note_coincidences(rows, samples, base: int) -> None:
    import numpy as np

    for i, a in enumerate(rows):
        for b in rows[:i]:
            x, y = samples[a["estimator"]][:base], samples[b["estimator"]][:base]
            if np.array_equal(x, y) and not _is_constant(x, 1.0):
                a["notes"].append(f"coincides sample for sample with '{b['estimator']}' "
                                  "(same seed; the program note says why)")


def format_program(result: dict) -> str:
    """The plain-text table of one program, with its notes."""
    from benchmarks.results import fmt

    lines = [f"\n{result['name']}: {result['title']}",
             f"  exact derivative {result['exact']:.6g}; E[f] = {result['exact_mean']:.6g}; "
             f"{result['note']}",
             f"  one plain run: {1e6 * result['plain_seconds']:.1f} µs; finite-difference "
             f"h = {result['fd_step']:g}; score-function baseline {result['baseline']:.4g}"]
    header = (f"  {'estimator':27s} {'n':>6s} {'mean ± SE':>21s} {'E[est] exact':>12s} "
              f"{'bias/SE':>8s} {'check':>6s} {'variance':>10s} {'cost':>6s} "
              f"{'var×cost':>10s} {'vs SF+b':>8s}")
    lines.append(header)
    footnotes = []
    for r in result["rows"]:
        mark = ""
        if r["notes"]:
            footnotes.append(r)
            mark = f"[{len(footnotes)}]"
        check = "—" if r["ok"] is None else ("ok" if r["ok"] else "FAIL")
        bias_se = "—" if r["bias_se"] is None else f"{r['bias_se']:.1f}"
        mean = f"{fmt(r['mean'], 6)} ± {fmt(r['stderr'], 2)}"
        lines.append(
            f"  {(r['estimator'] + mark):27s} {r['n']:6d} {mean:>21s} {fmt(r['expected'], 6):>12s} "
            f"{bias_se:>8s} {check:>6s} {fmt(r['variance'], 4):>10s} {r['cost']:6.1f} "
            f"{fmt(r['work'], 3):>10s} {fmt(r['work_vs_reference'], 3):>8s}"
        )
    for i, r in enumerate(footnotes, 1):
        lines.append(f"    [{i}] {r['estimator']}: " + "; ".join(r["notes"]))
    for name, why in result.get("skipped", {}).items():
        lines.append(f"    not run: {name}: {why}")
    return "\n".join(lines)


def headline(results: list[dict], reference: str) -> list[dict]:
    """Per program: the best unbiased stochad estimators (by variance × cost) vs ``reference``.

    ``best`` is over every stochad estimator whose exact expectation is the derivative
    (smoothing counts where it happens to be unbiased); ``best_triple`` over pruned and dict.
    """
    out = []
    for res in results:
        ref = next((r for r in res["rows"] if r["estimator"] == reference), None)
        unbiased = [r for r in res["rows"] if r["stochad"] and r["exact_bias"] is not None
                    and abs(r["exact_bias"]) <= 1e-9 * max(1.0, abs(res["exact"]))]
        triples = [r for r in unbiased if r["estimator"] in ("pruned", "dict")]
        if ref is None or not triples or not ref["work"]:
            continue
        entry = {"program": res["name"]}
        for key, pool in (("best", unbiased), ("best_triple", triples)):
            best = min(pool, key=lambda r: r["work"])
            entry[key] = best["estimator"]
            entry[key + "_variance_ratio"] = best["variance"] / ref["variance"]
            entry[key + "_work_ratio"] = best["work"] / ref["work"]
        out.append(entry)
    return out


def _headline_rows(heads):
    from benchmarks.results import fmt

    return [[h["program"], h["best"], fmt(h["best_variance_ratio"], 3),
             fmt(h["best_work_ratio"], 3), h["best_triple"],
             fmt(h["best_triple_variance_ratio"], 3), fmt(h["best_triple_work_ratio"], 3)]
            for h in heads]


HEADLINE_HEADER = ["program", "best unbiased stochad", "variance ratio", "work ratio",
                   "best triple", "variance ratio", "work ratio"]


def markdown(results: list[dict], heads: list[dict], meta: dict) -> str:
    """The Markdown report: a headline table, then one table per program with its notes."""
    from benchmarks.results import fmt, markdown_table

    parts = ["# Estimator variance and cost", "",
             f"Run {meta['date']} on {meta['machine']['platform']} ({meta['machine']['cpus']} "
             f"CPUs), stochad {meta['versions']['stochad']}, commit {meta['commit']}; "
             f"settings {meta['settings']}.", "",
             "## Headline: best unbiased stochad estimator vs the score function with baseline",
             "", "Ratios are stochad estimator / score function + baseline; work = variance × "
             "cost per sample.", "", markdown_table(HEADLINE_HEADER, _headline_rows(heads))]
    header = ["estimator", "n", "mean ± SE", "E[estimator]", "bias/SE", "check", "variance",
              "cost", "var×cost", "vs SF+b", "notes"]
    for res in results:
        parts += ["", f"## {res['name']}: {res['title']}", "",
                  f"Exact derivative {res['exact']:.6g}. {res['note']}.", ""]
        table = []
        for r in res["rows"]:
            check = "—" if r["ok"] is None else ("ok" if r["ok"] else "FAIL")
            table.append([
                r["estimator"], str(r["n"]), f"{fmt(r['mean'], 6)} ± {fmt(r['stderr'], 2)}",
                fmt(r["expected"], 6), "—" if r["bias_se"] is None else f"{r['bias_se']:.1f}",
                check, fmt(r["variance"]), f"{r['cost']:.1f}", fmt(r["work"], 3),
                fmt(r["work_vs_reference"], 3), "; ".join(r["notes"]),
            ])
        parts.append(markdown_table(header, table))
        parts += [f"\nNot run: {name}: {why}." for name, why in res.get("skipped", {}).items()]
    return "\n".join(parts)


def _measurements(work, client):
    """``measure_program`` of each ``(program, estimators)`` in ``work``, in order: here, or
    on ``client``'s workers (anything with ``submit(fn, *args)`` returning futures)."""
    if client is None:
        for program, active, options in work:
            yield measure_program(program, active, **options)
        return
    import cloudpickle

    import benchmarks

    # the programs' functions live in this package: ship them by value, so that workers
    # of a remote cluster need stochad installed but not this repository
    cloudpickle.register_pickle_by_value(benchmarks)
    futures = [client.submit(functools.partial(measure_program, **options), program, active)
               for program, active, options in work]
    for future in futures:
        yield future.result()


def run(*, programs, estimators=None, samples=5000, chunks=5, seed=20240613,
        max_factor=20.0, max_seconds=30.0, out=None, label="variance", echo=print,
        client=None) -> dict:
    """Run the variance suite; write ``<label>.json`` and ``<label>.md`` under ``out``.

    With ``client`` (a ``dask.distributed.Client``) the programs are measured on its
    workers in parallel (see the module docstring for what stays the same)."""
    from benchmarks import estimators as est
    from benchmarks import programs as progs
    from benchmarks.results import RESULTS, metadata, write_json, write_markdown

    chosen = est.get(estimators)
    meta = metadata(programs=list(programs), estimators=[e.name for e in chosen],
                    samples=samples, chunks=chunks, seed=seed, max_factor=max_factor,
                    max_seconds=max_seconds)
    options = dict(samples=samples, chunks=chunks, seed=seed, max_factor=max_factor,
                   max_seconds=max_seconds)
    work = [(program, [e for e in chosen if e.name not in program.skip], options)
            for program in progs.get(programs)]
    results = []
    for (program, active, _), measured in zip(work, _measurements(work, client), strict=True):
        result = summarize(program, active, measured, est.REFERENCE)
        echo(format_program(result))
        results.append(result)
    heads = headline(results, est.REFERENCE)
    echo(f"\nheadline: best unbiased stochad estimators vs '{est.REFERENCE}' "
         "(ratios of variance and of variance × cost)")
    echo("  " + " | ".join(HEADLINE_HEADER))
    for row in _headline_rows(heads):
        echo("  " + " | ".join(row))
    data = {"meta": meta, "programs": results, "headline": heads}
    out = RESULTS if out is None else Path(out)
    write_json(data, out / f"{label}.json")
    write_markdown(markdown(results, heads, meta), out / f"{label}.md")
    echo(f"\nwrote {out / (label + '.json')} and {out / (label + '.md')}")
    return data


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the variance suite (shared with ``python -m benchmarks``)."""
    parser.add_argument("--quick", action="store_true",
                        help="a CI-sized run: a few programs, 400 samples each")
    parser.add_argument("--programs", help="comma-separated program names (default: all; "
                        "with --quick the quick set); 'list' lists them")
    parser.add_argument("--estimators", help="comma-separated estimator names (default: all)")
    parser.add_argument("--samples", type=int, help="samples per estimator (default 5000; "
                        "--quick 400)")
    parser.add_argument("--max-factor", type=float, help="at most this many times the samples "
                        "for a biased estimator (default 20; --quick 5)")
    parser.add_argument("--max-seconds", type=float, help="at most this much extra time per "
                        "biased estimator (default 30; --quick 3)")
    parser.add_argument("--seed", type=int, default=20240613, help="the seed of every Generator")
    parser.add_argument("--out", help="output folder (default benchmarks/results)")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--workers", type=int, help="measure the programs in parallel on a "
                         "local dask cluster of this many worker processes (needs the "
                         "'distributed' extra)")
    cluster.add_argument("--scheduler", help="measure the programs on the dask cluster of "
                         "this scheduler address (tcp://host:8786)")


def main_from_args(args) -> dict | None:
    from benchmarks import programs as progs

    if args.programs == "list":
        for p in progs.PROGRAMS.values():
            print(f"{p.name:16s} {p.title}")
        return None
    names = (args.programs.split(",") if args.programs
             else (progs.QUICK if args.quick else list(progs.PROGRAMS)))
    estimators = args.estimators.split(",") if args.estimators else None

    def pick(value, full, quick):
        return value if value is not None else (quick if args.quick else full)

    settings = dict(programs=names, estimators=estimators,
                    samples=pick(args.samples, 5000, 400), chunks=5 if not args.quick else 4,
                    seed=args.seed, max_factor=pick(args.max_factor, 20.0, 5.0),
                    max_seconds=pick(args.max_seconds, 30.0, 3.0), out=args.out,
                    label="variance-quick" if args.quick else "variance")
    if args.workers is None and args.scheduler is None:
        return run(**settings)
    with _client(args) as client:
        return run(**settings, client=client)


def _client(args):
    """The dask client that ``--workers`` or ``--scheduler`` asks for."""
    if args.scheduler is not None:
        import distributed

        return distributed.Client(args.scheduler)
    from stochad.distributed import local_client

    return local_client(args.workers)


def main(argv=None) -> dict | None:
    parser = argparse.ArgumentParser(
        prog="benchmarks/variance.py", description=__doc__.splitlines()[0],
        epilog="Results: benchmarks/results/variance[-quick].json and .md.")
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    main()
