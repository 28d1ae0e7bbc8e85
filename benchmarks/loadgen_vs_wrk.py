"""Is perflab's load generator fast enough to measure a server? Compare it with wrk.

Runs ``wrk -t1 -c32`` and ``perflab.load.generator.load(concurrency=32)`` in turns (A/B/A/B)
against one ``perflab.lab.apps.ping:app`` worker, so drift on a noisy machine hits both
alike, and fails unless the median ratio loadgen/wrk reaches ``--min-ratio``.

Then the open loop: ``load(rate=...)`` at 80 % of wrk's best rate must send within 2 % of the
rate asked, and its p50 is printed beside wrk's (wrk's is at saturation, with 32 connections
queued, so the open loop's should be no higher).

By default the server is pinned to CPU 0 and both generators to CPU 1, as if they ran
on two machines: otherwise whichever generator costs more CPU per request also takes
it from the server, and the run measures the scheduler as much as the generators.

Usage::

    .venv/bin/python benchmarks/loadgen_vs_wrk.py --rounds 3 --duration-s 4
    .venv/bin/python benchmarks/loadgen_vs_wrk.py --client aiohttp --workers 2
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

from perflab.load.generator import load
from perflab.serving.processes import serve_process

__all__ = ["main", "wrk_rps"]

CONCURRENCY = 32


OPEN_SHARE = 0.8  # the open loop runs at this share of wrk's best rate
RATE_TOLERANCE = 0.02  # and must send within this share of the rate asked


def wrk_run(url: str, duration_s: float) -> tuple[float, float]:
    """Run wrk with one thread and 32 connections; return its Requests/sec and its p50 in ms.

    Args:
        url: The URL to load.
        duration_s: How long wrk runs, in whole seconds.
    """
    cmd = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{max(1, round(duration_s))}s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps, p50 = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    if rps is None or p50 is None:
        raise RuntimeError(f"could not read Requests/sec and the 50% latency from wrk's output:\n{out}")
    return float(rps.group(1)), float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]


def wrk_rps(url: str, duration_s: float) -> float:
    """Run wrk with one thread and 32 connections and return its Requests/sec.

    Args:
        url: The URL to load.
        duration_s: How long wrk runs, in whole seconds.
    """
    return wrk_run(url, duration_s)[0]


def open_loop_keeps_up(url: str, duration_s: float, client: str = "raw") -> bool:
    """Run the open loop at OPEN_SHARE of wrk's best rate; print the rates and p50s, and whether it kept up.

    Args:
        url: The URL to load.
        duration_s: How long each run lasts.
        client: The load generator's HTTP client. Defaults to "raw".
    """
    best_rps, wrk_p50 = wrk_run(url, duration_s)
    asked = OPEN_SHARE * best_rps
    result = load(url, rate=asked, duration_s=duration_s, progress=False, client=client)
    kept_up = abs(result.sent_rate - asked) <= RATE_TOLERANCE * asked and not result.failed
    print(f"open loop at {OPEN_SHARE:.0%} of wrk's {best_rps:,.0f} req/s: asked {asked:,.0f}, sent "
          f"{result.sent_rate:,.0f} ({result.sent_rate / asked:.3f}), failed {result.failed}; p50 {result.p50_ms:.2f} ms "
          f"against wrk's {wrk_p50:.2f} ms at saturation (ratio {result.p50_ms / wrk_p50:.2f}) "
          f"{'OK' if kept_up else 'FELL BEHIND'}", flush=True)
    return kept_up


def loadgen_rps(url: str, duration_s: float, client: str = "raw") -> float:
    """Run perflab's load generator with 32 connections and return its requests per second.

    Args:
        url: The URL to load.
        duration_s: How long the load runs.
        client: The load generator's HTTP client, ``"raw"`` or ``"aiohttp"``. Defaults to "raw".
    """
    result = load(url, concurrency=CONCURRENCY, duration_s=duration_s, progress=False,
                  client=client)
    if result.errors or result.ok != result.requests:
        raise RuntimeError(f"the load generator saw errors:\n{result}")
    return result.rps


def pin_apart(server_pids: list[int]) -> str:
    """Pin the server to CPU 0 and this process, whose children inherit it, to CPU 1.

    Args:
        server_pids: The server's worker processes.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return "not pinned: only one CPU"
    for pid in server_pids:
        os.sched_setaffinity(pid, {cpus[0]})
    os.sched_setaffinity(0, {cpus[1]})
    return f"server on CPU {cpus[0]}, generators on CPU {cpus[1]}"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration-s", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--min-ratio", type=float, default=0.9)
    parser.add_argument("--client", choices=["raw", "aiohttp"], default="raw")
    parser.add_argument("--no-pin", action="store_true", help="let the scheduler place processes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and return the exit code: 0 when the ratio is good enough.

    Args:
        argv: Command-line arguments. Defaults to ``sys.argv[1:]``.
    """
    args = _parse(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed or not on PATH; install it (e.g. apt-get install wrk) "
              "to compare the load generator with it.", file=sys.stderr)
        return 2
    ratios = []
    with serve_process("perflab.lab.apps.ping:app", workers=args.workers, name="bench") as srv:
        url = srv.url + "/ping"
        # Two workers need both CPUs; pinning them to one would halve the server.
        pinned = not args.no_pin and args.workers == 1
        print(pin_apart(srv.pids) if pinned else "not pinned", flush=True)
        wrk_rps(url, 1)  # warm-up: first connections, caches, CPU frequency
        loadgen_rps(url, 1, args.client)
        for round_no in range(1, args.rounds + 1):
            wrk = wrk_rps(url, args.duration_s)
            ours = loadgen_rps(url, args.duration_s, args.client)
            ratios.append(ours / wrk)
            print(f"round {round_no}: wrk {wrk:8,.0f} req/s   loadgen {ours:8,.0f} req/s   "
                  f"ratio {ours / wrk:.3f}", flush=True)
        kept_up = open_loop_keeps_up(url, args.duration_s, args.client)
    median = statistics.median(ratios)
    verdict = "OK" if median >= args.min_ratio else "TOO SLOW"
    print(f"median ratio loadgen({args.client})/wrk: {median:.3f} (need >= {args.min_ratio}) {verdict}")
    return 0 if median >= args.min_ratio and kept_up else 1


if __name__ == "__main__":
    sys.exit(main())
