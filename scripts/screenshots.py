"""Screenshots of built pages as a reader sees them: Debian's Chromium at desktop and phone width.

A passing test is not a page that works; this is how to look. It serves a built site/ on 127.0.0.1
under a project path (as GitHub Pages does), opens each page in headless Chromium and saves PNGs.

    .venv/bin/python scripts/screenshots.py site/ 2026/11/ 2026/11/16/ --out /tmp/shots [--dark] [--full]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PREFIX = "/archive/"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


class _Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(PREFIX):
            path = "/" + path[len(PREFIX):]
        return super().translate_path(path)

    def log_message(self, *args: object) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("pages", nargs="+", help="page paths below the site root, e.g. 2026/11/ ('' is home)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/dailypapers-shots"))
    parser.add_argument("--dark", action="store_true", help="the dark scheme (slate)")
    parser.add_argument("--full", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"screenshots: {args.site} has no index.html; build the site first (make site)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Handler, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}{PREFIX}"
    scheme = "dark" if args.dark else "light"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
                tab = context.new_page()
                for page in args.pages:
                    tab.goto(origin + page.lstrip("/"))
                    tab.wait_for_load_state("networkidle")
                    stem = (page.strip("/").replace("/", "-") or "home") + f"-{name}-{scheme}.png"
                    tab.screenshot(path=str(args.out / stem), full_page=args.full)
                    print(args.out / stem)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
