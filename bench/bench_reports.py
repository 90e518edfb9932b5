"""Benchmark the PDF reports: warm render time, overhead against bare WeasyPrint, throughput with
two worker processes, and PDF size. Prints the figures (copy them into docs/BENCHMARKS.md).

    python bench/bench_reports.py [--runs 20] [--jobs 40]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from riskapp.reports.pdf import STATIC_BASE_URL, render_pdf  # noqa: E402
from riskapp.reports.render import build_report_html, render_report  # noqa: E402
from riskapp.reports.signing import canonical_payload, sign_report, verify_report  # noqa: E402
from tests.reports.sample import sample_report_data  # noqa: E402

TARGET_P50_MS = 400
TARGET_RATIO = 1.1
TARGET_PER_SECOND = 4
TARGET_SIZE_KB = 100


def _timed(function, runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall milliseconds of each run after one warm-up; CPU milliseconds go to ``cpu``."""
    function()  # warm: fonts, templates, caches
    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return times


def _interleaved(first, second, runs: int) -> tuple[list[float], list[float]]:
    """Wall milliseconds of two functions run in turns, so load changes hit both alike."""
    first(), second()
    times_first, times_second = [], []
    for _ in range(runs):
        for function, times in ((first, times_first), (second, times_second)):
            start = time.perf_counter()
            function()
            times.append((time.perf_counter() - start) * 1000)
    return times_first, times_second


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


_worker_state: dict = {}


def _worker_init() -> None:
    _worker_state["key"] = Ed25519PrivateKey.generate()
    _worker_state["data"] = sample_report_data("vi")
    render_report(_worker_state["data"])  # warm each worker once


def _render_and_sign(_: int) -> int:
    data, key = _worker_state["data"], _worker_state["key"]
    return len(sign_report(render_report(data), canonical_payload(data), key))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed renders per measure")
    parser.add_argument("--jobs", type=int, default=40, help="reports for the throughput run")
    args = parser.parse_args()

    data = sample_report_data("vi")
    html = build_report_html(data)
    pdf = render_report(data)
    key = Ed25519PrivateKey.generate()
    signed = sign_report(pdf, canonical_payload(data), key)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    load_before = os.getloadavg()[0]
    ours_cpu: list[float] = []
    ours = _timed(lambda: render_report(data), args.runs, ours_cpu)
    html_only = _timed(lambda: build_report_html(data), args.runs)
    ours_pdf, bare = _interleaved(
        lambda: render_pdf(html),
        lambda: weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(),
        args.runs,
    )
    signing = _timed(lambda: sign_report(pdf, canonical_payload(data), key), args.runs)
    verifying = _timed(lambda: verify_report(signed, key.public_key()), args.runs)

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(2, initializer=_worker_init) as pool:
        pool.map(_render_and_sign, range(4))  # both workers warm
        start = time.perf_counter()
        pool.map(_render_and_sign, range(args.jobs), chunksize=1)
        elapsed = time.perf_counter() - start
    per_second = args.jobs / elapsed

    p50, ratio = statistics.median(ours), statistics.median(ours_pdf) / statistics.median(bare)
    size_kb = len(signed) / 1024
    subset = weasyprint.text.ffi.harfbuzz_subset is not None
    rows = [
        (f"warm render_report p50 (median of {args.runs})", f"{p50:.0f} ms",
         f"≤ {TARGET_P50_MS} ms", p50 <= TARGET_P50_MS),
        ("warm render_report p90", f"{_percentile(ours, 0.9):.0f} ms", "", None),
        ("warm render_report CPU time p50", f"{statistics.median(ours_cpu):.0f} ms", "", None),
        ("  of which build_report_html p50", f"{statistics.median(html_only):.1f} ms", "", None),
        ("render_pdf(html) p50", f"{statistics.median(ours_pdf):.0f} ms", "", None),
        ("bare WeasyPrint, same HTML, p50", f"{statistics.median(bare):.0f} ms", "", None),
        ("ratio render_pdf / bare", f"{ratio:.2f}", f"≤ {TARGET_RATIO}", ratio <= TARGET_RATIO),
        ("sign_report p50", f"{statistics.median(signing):.1f} ms", "", None),
        ("verify_report p50", f"{statistics.median(verifying):.1f} ms", "", None),
        ("reports/s, 2 processes, render + sign", f"{per_second:.1f}", f"≥ {TARGET_PER_SECOND}",
         per_second >= TARGET_PER_SECOND),
        ("  CPU-bound ceiling, 2 / CPU time", f"{2000 / statistics.median(ours_cpu):.1f}", "",
         None),
        (f"signed PDF size ({pages} pages)", f"{size_kb:.1f} KB", f"≤ {TARGET_SIZE_KB} KB",
         size_kb <= TARGET_SIZE_KB),
        ("harfbuzz subsetter loaded", "yes" if subset else "NO", "yes", subset),
    ]
    print(f"weasyprint {weasyprint.__version__}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after (other work on the machine slows every figure)")
    print("| measure | value | target | ok |")
    print("|---|---|---|---|")
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "**NO**")
        print(f"| {name} | {value} | {target} | {mark} |")


if __name__ == "__main__":
    main()
