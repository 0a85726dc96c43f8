"""Load on the web app (issue 8): concurrent clients on loopback, requests/s and latency.

The demo corpus is analysed into a fresh store (out/bench/web/), `storytrace serve` runs
in its own process (uvicorn, one worker, as a user starts it), and for each target
``--clients`` clients (default 50) send requests back to back for ``--seconds`` (default
30) through one bounded connection pool. Targets: the story page (HTML: brief, timeline
chart, claims, provenance graph) and the ask endpoint (`/api/ask`, retrieval + grouping;
questions cycle through the demo question set). Errors are any non-200 answer or failed
connection.

Usage: python -m benchmarks.web_load [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import socket
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "out" / "bench" / "web"
RESULTS = REPO / "benchmarks" / "results" / "web_load.json"
QUESTIONS = REPO / "benchmarks" / "questions" / "demo_questions.jsonl"
CLI = str(Path(sys.executable).parent / "storytrace")  # the installed command


def build_store() -> Path:
    out = WORK / "demo"
    pages = REPO / "examples" / "demo" / "pages"
    subprocess.run([CLI, "analyze", str(pages), "--out", str(out), "-q"], check=True,
                   capture_output=True)  # fmt: skip
    return out / "storytrace.db"


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [CLI, "serve", "--db", str(db), "--port", str(port), "--read-only"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/stories", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not start")


async def load(base: str, paths: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    targets = cycle(paths)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    stop = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                response = await http.get(next(targets))
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        began = time.monotonic()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1),
        "max_ms": round(1000 * latencies[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    db = build_store()
    server, base = start_server(db)
    try:
        story = httpx.get(f"{base}/api/stories").json()["stories"][0]["id"]
        questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
        ask_paths = [str(httpx.URL("/api/ask", params={"q": q})) for q in questions]
        httpx.get(f"{base}{ask_paths[0]}", timeout=120)  # the first ask loads the encoder
        report = {
            "setup": f"{args.clients} concurrent clients, {args.seconds:.0f} s per target, "
            "loopback, one uvicorn process (storytrace serve --read-only), demo corpus store",
            "story_page": asyncio.run(
                load(base, [f"/stories/{story}"], args.clients, args.seconds)
            ),
            "ask": asyncio.run(load(base, ask_paths, args.clients, args.seconds)),
            "machine": f"{platform.machine()}, {platform.python_version()}",
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
