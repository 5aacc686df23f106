"""`python -m bench` runs every benchmark module in turn, `python -m bench shifts exports` only those
named, then prints one summary table. Each module's `main()` prints its own details and returns its
`bench._common.Result` rows."""

from __future__ import annotations

import importlib
import sys
import time

from bench._common import Result, pg_version, setup

MODULES = (
    "sidebyside",
    "writes_http",
    "writes_cpu",
    "campaign_page",
    "shifts",
    "shifts_cpu",
    "webhooks",
    "exports",
    "restart",
    "signup",
)


def _table(rows: list[tuple[str, Result]]) -> str:
    header = ("benchmark", "what", "size", "result", "detail")
    cells = [header] + [(name, r.what, r.size, r.result, r.detail) for name, r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str]) -> int:
    names = argv or list(MODULES)
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Choose from: {', '.join(MODULES)}.", file=sys.stderr
        )
        return 2
    # Before any module: settings are read once, and every benchmark needs the same environment.
    setup()
    summary: list[tuple[str, Result]] = []
    timings = []
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        start = time.perf_counter()
        rows = importlib.import_module(f"bench.{name}").main() or []
        timings.append(f"{name} {time.perf_counter() - start:.0f} s")
        summary.extend((name, row) for row in rows)
    print(f"\n=== Summary ({pg_version()}; wall time: {', '.join(timings)})\n")
    print(_table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
