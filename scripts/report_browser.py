"""The report in a real browser: Debian's headless Chromium loads it and measures the page.

    .venv/bin/python scripts/report_browser.py results/report.html [--screenshot out.png]

exits 1 when an image does not load, something sticks out of the page or an interval wraps, at
the printable width of an A4 page and at a screen width (`apt-get install -y chromium` first).

`check_page` opens the report inside a frame of a given width (the printable width of an A4 page,
or a screen) and reports which images failed to load, which elements stick out past the body's
content edge and which 95% intervals wrap over two lines; `screenshot` writes a PNG of the page
as a person sees it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_PRINT_WIDTH_PX = 703  # 210 mm less 2 x 12 mm margins at 96 px per inch
SCREEN_WIDTH_PX = 1000
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")

CHECKER = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{url}" style="width:{width}px;height:2000px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
const frame = document.getElementById('f');
frame.onload = () => {{
  const doc = frame.contentDocument;
  const images = [...doc.images].map(
    i => ({{alt: i.alt, loaded: i.complete && i.naturalWidth > 0}}));
  const body = doc.body, box = body.getBoundingClientRect(), style = getComputedStyle(body);
  const edge = box.right - parseFloat(style.paddingRight) + 1;
  const overflow = [];
  for (const el of body.querySelectorAll('*')) {{
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > edge) {{
      overflow.push(el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '') + ' ends at '
                    + Math.round(r.right) + ' px, the page at ' + Math.round(edge) + ' px');
    }}
  }}
  const wrapped = [...doc.querySelectorAll('td.interval')].filter(td => {{
    const range = doc.createRange();
    range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
  }}).map(td => td.textContent);
  document.getElementById('result').textContent = JSON.stringify({{
    images, wrapped_intervals: wrapped, overflow: overflow.slice(0, 20),
    scroll_width: doc.documentElement.scrollWidth, client_width: doc.documentElement.clientWidth
  }});
}};
</script></body></html>
"""


def _run(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="blsu-chromium-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)


def check_page(html: Path, width: int) -> dict:
    """Load `html` in a frame `width` px wide: {'images': [...], 'overflow': [...], ...}."""
    with tempfile.TemporaryDirectory(prefix="blsu-check-") as tmp:
        checker = Path(tmp) / "check.html"
        checker.write_text(CHECKER.format(url=html.resolve().as_uri(), width=width))
        proc = _run(["--allow-file-access-from-files", "--virtual-time-budget=15000",
                     "--dump-dom", checker.as_uri()])
    found = re.search(r'<pre id="result">(.*?)</pre>', proc.stdout, re.S)
    if not found or found.group(1) == "pending":
        raise RuntimeError(f"chromium did not measure {html}: {proc.stderr[-2000:]}")
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def rendered_dom(url: str) -> str:
    """The page's DOM after its scripts ran (for pages that build themselves, as dbt's docs)."""
    return _run(["--virtual-time-budget=20000", "--dump-dom", url]).stdout


def screenshot(html: Path, png: Path, width: int = SCREEN_WIDTH_PX, height: int = 2400) -> Path:
    """A PNG of the top `height` px of the page at `width` px."""
    png.parent.mkdir(parents=True, exist_ok=True)
    proc = _run([f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
                 html.resolve().as_uri()])
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot of {html}: {proc.stderr[-2000:]}")
    return png


def problems(html: Path) -> list[str]:
    """Everything wrong with the page at print and at screen width (empty when nothing is)."""
    found = []
    for width in (A4_PRINT_WIDTH_PX, SCREEN_WIDTH_PX):
        page = check_page(html, width)
        found += [f"{width} px: image {i['alt']!r} did not load"
                  for i in page["images"] if not i["loaded"]]
        found += [f"{width} px: {o}" for o in page["overflow"]]
        found += [f"{width} px: interval {t!r} wraps" for t in page["wrapped_intervals"]]
        if page["scroll_width"] > page["client_width"]:
            found.append(f"{width} px: the page scrolls sideways ({page['scroll_width']} px)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a report in headless Chromium.")
    parser.add_argument("report", type=Path)
    parser.add_argument("--screenshot", type=Path, help="also write a PNG of the page's top")
    parser.add_argument("--height", type=int, default=2400, help="screenshot height in px")
    args = parser.parse_args(argv)
    found = problems(args.report)
    for line in found:
        print(f"{args.report}: {line}", file=sys.stderr)
    if args.screenshot:
        screenshot(args.report, args.screenshot, height=args.height)
        print(f"wrote {args.screenshot}")
    print(f"{args.report}: {'ok' if not found else f'{len(found)} problem(s)'} in Chromium")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
