"""Command line: ``sefanalysis run | validate | demo-data | dictionary``.

Errors are printed as one line (exit status 2 for bad input, 1 for a failed run); never a
traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from .errors import SefError

# jsonschema (which nbformat, papermill and nbconvert import) loads rfc3987_syntax when it is
# installed (JupyterLab's jupyter-events brings it), and that builds a grammar on import: about
# 2 seconds of every run's start-up. Nothing here checks IRI formats, so this process does not
# load it (a None entry makes the import raise ImportError, which jsonschema allows for).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _count(text: str) -> int:
    """A whole number of 1 or more (for --jobs and --authorities)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sefanalysis", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the quarterly job")
    run.add_argument("--period-end", help="quarter end, YYYY-MM-DD (e.g. 2024-12-31)")
    run.add_argument(
        "--data",
        nargs="+",
        help="the authority's data directory (default "
        "data/demo); several directories, or a folder of authorities, run each",
    )
    run.add_argument(
        "--jobs",
        type=_count,
        help="processes run in parallel: the authorities when several are given (each runs its "
        "notebooks one at a time; default one per CPU), else the authority's notebooks "
        "(default all three at once)",
    )
    run.add_argument("--out", help="where run folders go (default outputs)")
    run.add_argument("--params", help="YAML file with period_end, data and out")
    run.add_argument(
        "--notebooks",
        metavar="DIR",
        help="run the notebooks in DIR (for analysts who edit them) instead of the packaged "
        "ones; the manifest records which ran, with their SHA-256",
    )
    run.add_argument(
        "--mode",
        choices=["published", "internal"],
        help="published (default): small numbers suppressed; internal: not",
    )
    run.add_argument("--no-cache", action="store_true",
                     help="recompute everything: ignore and do not write <out>/.cache")  # fmt: skip
    run.add_argument(
        "--charts",
        metavar="WHICH",
        help="charts beyond each indicator's trend: 'all', or some of spc,funnel,ranking,"
        "breakdowns (default: only those that show a signal); also 'charts' in --params",
    )
    val = sub.add_parser("validate", help="check a data directory and print the report")
    val.add_argument("--data", required=True)
    demo = sub.add_parser("demo-data", help="write the synthetic demonstration authority")
    demo.add_argument("--out", default="data/demo")
    demo.add_argument("--seed", type=int, default=2024)
    demo.add_argument("--extract", default="2024-12-31", help="extract date (a quarter end)")
    demo.add_argument(
        "--authorities",
        type=_count,
        default=0,
        help="write this many synthetic authorities under --out instead of one",
    )
    dic = sub.add_parser("dictionary", help="write the data dictionary as CSV")
    dic.add_argument("--out", default="-")
    docs = sub.add_parser("docs", help="regenerate docs/indicators.md and docs/inputs.md")
    docs.add_argument("--out", default="docs")
    return p


def _run(args: argparse.Namespace) -> int:
    """``sefanalysis run``: SIGTERM and SIGHUP stop the run as Ctrl-C does (its workers end and
    a ``.failed`` folder says why)."""
    from .workers import stop_on_signals

    with stop_on_signals():
        return _run_stoppable(args)


def _run_stoppable(args: argparse.Namespace) -> int:
    from .report.area import chart_kinds
    from .runner import NOTEBOOKS, run_quarter

    params: dict[str, object] = {}
    if args.params:
        try:
            params = yaml.safe_load(Path(args.params).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SefError(f"cannot read parameters file {args.params!r}: {exc}") from None
        if not isinstance(params, dict):
            raise SefError(f"parameters file {args.params!r} must hold a YAML mapping")
    period = args.period_end or params.get("period_end")
    if period is None:
        raise SefError("no period end given: use --period-end YYYY-MM-DD or --params FILE")
    data = args.data or [params.get("data") or "data/demo"]
    out = args.out or params.get("out") or "outputs"
    charts = ",".join(chart_kinds(args.charts or params.get("charts"))) or "default"
    _check_out(out, data)
    if len(data) > 1 or Path(data[0]).is_dir() and not _is_authority(Path(data[0])):
        from .many import run_many

        summary, results = run_many(
            str(period),
            data,
            out,
            jobs=args.jobs or os.cpu_count() or 1,
            notebooks=args.notebooks,
            mode=args.mode or params.get("mode") or "published",
            cache=not args.no_cache,
            charts=charts,
        )
        failed = [f"{d}: {msg}" for d, ok, msg in results if not ok]
        for d, ok, msg in results:
            print(f"{'ok    ' if ok else 'FAILED'} {d}: {msg}")
        print(f"Cross-authority summary: {summary}")
        if failed:
            print(f"error: {len(failed)} authority run(s) failed", file=sys.stderr)
            return 1
        return 0
    result = run_quarter(str(period), data[0], out, args.notebooks,
                         mode=args.mode or params.get("mode") or "published",
                         cache=not args.no_cache, jobs=args.jobs or len(NOTEBOOKS),
                         charts=charts)  # fmt: skip
    if not result.ok:
        failed = [f"{r.title} ({r.error})" for r in result.notebooks
                  if r.status not in {"ok", "not run"}]  # fmt: skip
        reason = "; ".join(([result.reason] if result.reason else []) + failed)
        print(f"error: run failed: {reason}. Partial results (not a finished run) are in "
              f"{result.folder}", file=sys.stderr)  # fmt: skip
        return 1
    print(f"Run complete: open {result.folder / 'index.html'}")
    return 0


def _is_authority(folder: Path) -> bool:
    from .ingest.authority import authority_file

    return authority_file(folder).exists()


def _check_out(out: str | Path, data: list[str]) -> None:
    """Refuse an output folder that cannot be one: an existing file, somewhere under a file, or
    inside a data folder (the outputs would be taken for inputs, and every run would see the
    data as changed)."""
    from .runner import refuse_out_inside_data

    refuse_out_inside_data(out, data)
    target = Path(out).resolve()
    for parent in (target, *target.parents):
        if parent.exists():
            if not parent.is_dir():
                raise SefError(f"--out {str(out)!r} cannot be a folder: {str(parent)!r} is a file")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise SefError(
                    f"--out {str(out)!r}: the folder {str(parent)!r} cannot be written to"
                )
            return


def _validate(args: argparse.Namespace) -> int:
    from .dataset import load_dataset
    from .quality import print_report

    ds = load_dataset(args.data)
    print(print_report(ds))
    return 1 if ds.fatal else 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import generate_demo
    from .periods import parse_period_end

    parse_period_end(args.extract)
    _check_out(args.out, [])
    if args.authorities:
        from .demo import generate_authorities

        paths = generate_authorities(args.out, args.authorities, seed=args.seed,
                                     extract=args.extract)  # fmt: skip
        print(f"{len(paths)} synthetic authorities written under {args.out}")
        return 0
    path = generate_demo(args.out, seed=args.seed, extract=args.extract)
    print(f"Demonstration authority written to {path}")
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    from .indicators.registry import data_dictionary

    frame = data_dictionary()
    if args.out == "-":
        frame.to_csv(sys.stdout, index=False)
    else:
        frame.to_csv(args.out, index=False)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from .docs import write_docs

    for path in write_docs(args.out):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "run": _run,
        "validate": _validate,
        "demo-data": _demo,
        "dictionary": _dictionary,
        "docs": _docs,
    }
    try:
        return handlers[args.command](args)
    except SefError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a path the user gave that cannot be read or written
        if args.debug:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the user gets one line, --debug gives the detail
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug for details)",
              file=sys.stderr)  # fmt: skip
        return 1
    except BaseException as exc:  # a run stopped by a signal (see runner.stop_on_signals)
        from .workers import RunStopped

        if not isinstance(exc, RunStopped):
            raise
        where = f"; what it had done is in {exc.folder}" if exc.folder else ""
        print(f"error: the run was {exc}{where}", file=sys.stderr)
        return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
