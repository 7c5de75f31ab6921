"""The page's weight and speed: bytes before the first run, and first run painted.

    .venv/bin/python bench/page_weight.py [--loads 10]

Starts a server on loopback and opens the playground in headless Chromium with a cold cache
(a fresh browser context per load), `N` times. For each load it counts the bytes transferred
(compressed, headers excluded, as Chromium's `encodedDataLength` reports them) for every
request made before the page's own first `POST /run`, and reads the time from navigation
start to the `tp-first-run-painted` mark, which app.js sets two animation frames after the
first results were swapped in. Repeats the loads at 10 Mbit/s (20 ms latency) as a second
row, then prints the static files' raw and gzip sizes. The bars (issue 12, part 10): at most
350 KB before the first run, first run painted within 400 ms on loopback.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from server import start_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.web.assets import StaticAssets  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
BYTES_BAR = 350 * 1000
PAINT_BAR_MS = 400
SLOW_NETWORK = {"offline": False, "latency": 20, "downloadThroughput": 10e6 / 8,
                "uploadThroughput": 10e6 / 8}  # fmt: skip


def one_load(browser: Any, url: str, network: dict[str, Any] | None) -> tuple[int, float, dict]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    order: list[str] = []
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: (
            order.append(e["requestId"]),
            urls.__setitem__(e["requestId"], e["request"]["url"]),
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(url)
    page.wait_for_function(
        "performance.getEntriesByName('tp-first-run-painted').length > 0", timeout=60_000
    )
    painted = page.evaluate("performance.getEntriesByName('tp-first-run-painted')[0].startTime")
    page.wait_for_load_state("networkidle")
    first_run = next(i for i, rid in enumerate(order) if urls[rid].endswith("/run"))
    before = order[:first_run]
    per_file = {urls[rid].removeprefix(url): sizes.get(rid, 0) for rid in before}
    context.close()
    return sum(per_file.values()), painted, per_file


def static_sizes() -> list[tuple[str, int, int]]:
    assets = StaticAssets(ROOT / "static")
    rows = []
    for logical in sorted(assets.files):
        asset = assets.asset(logical)
        assert asset is not None
        packed = asset.gzipped or gzip.compress(asset.raw)
        rows.append((logical, len(asset.raw), len(packed) if asset.gzipped else len(asset.raw)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    process, url = start_server("bench-page", rate_per_minute="0")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            one_load(browser, url + "/", None)  # warm the server (fork-server, assets table)
            print(
                f"{'network':22} {'bytes before 1st run':>21} {'1st run painted ms':>19}"
                f" {'p90 ms':>8}"
            )
            for name, network in (("loopback", None), ("10 Mbit/s, 20 ms", SLOW_NETWORK)):
                loads = [one_load(browser, url + "/", network) for _ in range(args.loads)]
                sent = statistics.median(b for b, _, _ in loads)
                paints = sorted(p for _, p, _ in loads)
                p90 = paints[min(len(paints) - 1, int(0.9 * len(paints)))]
                print(
                    f"{name:22} {sent / 1000:18.1f} KB {statistics.median(paints):19.0f} {p90:8.0f}"
                )
                if network is None:
                    files = loads[-1][2]
                    bytes_ok = sent <= BYTES_BAR
                    paint_ok = statistics.median(paints) <= PAINT_BAR_MS
            browser.close()
    finally:
        process.terminate()
        process.wait(15)
    print("\nrequests before the first run (loopback, last load):")
    for path, size in files.items():
        print(f"  {size / 1000:8.1f} KB  {path}")
    print("\nstatic files (served gzip where it helps):")
    for logical, raw, sent_size in static_sizes():
        print(f"  {raw / 1024:9.1f} KiB raw {sent_size / 1024:9.1f} KiB sent  {logical}")
    verdict = "yes" if bytes_ok else "NO"
    print(f"\nbytes before the first run <= {BYTES_BAR / 1000:.0f} KB: {verdict}")
    print(f"first run painted <= {PAINT_BAR_MS} ms: {'yes' if paint_ok else 'NO'}")


if __name__ == "__main__":
    main()
