"""``ita-etl report``: the page, its word-level diff, and the page opened in a real headless
Chromium (Debian's, with the Thai fonts of fonts-thai-tlwg), driven over the DevTools
protocol: it renders, the charts are drawn, the console has no error, nothing is fetched
from the network, and a screenshot is saved in test-artifacts/ for a person to look at.

Counts on the page come from the samples: สถ. 2566 → 2567 has 9 carried, 3 changed, 3 new,
1 dropped measure (docs/compare.md); อบต.หนองบัว files nothing under 3, 4, 7, 8, 10.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, ingest
from PIL import Image
from typer.testing import CliRunner

from etl.app.cli import app
from etl.app.report import STATUS_COLOURS, word_diff

ROOT = Path(__file__).parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FILES = ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
TLWG = {"Garuda", "Kinnari", "Laksaman", "Loma", "Norasi", "Purisa", "Sawasdee", "Umpush",
        "Waree", "Tlwg Typist", "Tlwg Typo", "Tlwg Mono", "Tlwg Typewriter"}  # fmt: skip
"""The families fonts-thai-tlwg installs."""
SECONDS = 120
"""How long any one answer from the browser may take before the test gives up (a hung
browser must not hang the test run; nothing is timed)."""
runner = CliRunner()


def test_word_diff_marks_thai_words() -> None:
    before = "ส่งเสริมให้บุคลากรในสังกัด สถ. ตระหนักรู้และไม่ประพฤติปฏิบัติในทางที่มีชอบ"
    after = "ส่งเสริมให้บุคลากรในสังกัด สถ. ตระหนักรู้และไม่ประพฤติปฏิบัติในทางที่มิชอบ"
    diff = word_diff(before, after)
    assert "<del>มีชอบ</del><ins>มิชอบ</ins>" in diff
    assert re.sub(r"<del>.*?</del>|</?ins>", "", diff) == after
    assert re.sub(r"<ins>.*?</ins>|</?del>", "", diff) == before
    assert word_diff("a < b", "a < c") == "a &lt; <del>b</del><ins>c</ins>"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report")
    db = str(folder / "ita.db")
    ingest(db, [SAMPLES / name for name in FILES], workers=0)
    written = {}
    for name, args in (("all", ["--all"]), ("dla", ["--agency", "สถ."])):
        out = folder / f"{name}.html"
        result = runner.invoke(app, ["report", *args, "--out", str(out), "--db", db])
        assert result.exit_code == 0, result.output
        written[name] = out
    return written


def test_the_page_stands_alone(pages: dict[str, Path]) -> None:
    page = pages["all"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|<link|<img|<iframe|src=|url\(|@import", page)
    assert "https://" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    # overview: 2; สถ.: 2; อบต.หนองบัว: coverage only (one year: nothing to compare)
    assert page.count('class="chart"') == 2 + 2 + 1
    assert "No two years to compare." in page
    assert "<del>มีชอบ</del><ins>มิชอบ</ins>" in page
    one = pages["dla"].read_text(encoding="utf-8")
    assert 'id="overview"' not in one and "อบต.หนองบัว" not in one


def test_report_needs_agency_or_all(tmp_path: Path) -> None:
    db = str(tmp_path / "ita.db")
    ingest(db, [SAMPLES / "dla_2566.txt"], workers=0)
    neither = runner.invoke(app, ["report", "-o", str(tmp_path / "x.html"), "--db", db])
    both = runner.invoke(app, ["report", "--all", "-a", "สถ.", "-o", "x.html", "--db", db])
    assert neither.exit_code == both.exit_code == 64
    unknown = runner.invoke(
        app, ["report", "-a", "ไม่มี", "-o", str(tmp_path / "x.html"), "--db", db]
    )
    assert unknown.exit_code == 64 and not (tmp_path / "x.html").exists()


_AT_3_AND_4 = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)
"""Started with the two pipe ends (above 9), puts them at 3 and 4 and becomes the browser."""


def _high(fd: int) -> int:
    """``fd`` moved above 9, so that putting the pipes at 3 and 4 in the browser cannot
    overwrite one with the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """Chromium's DevTools protocol over ``--remote-debugging-pipe``: JSON messages ended by
    NUL, commands on the browser's fd 3, answers and events on its fd 4 (no WebDriver or
    WebSocket library needed)."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._commands = map(_high, os.pipe())
        self._answers, from_browser = map(_high, os.pipe())
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _AT_3_AND_4,
                str(to_browser),
                str(from_browser),
                CHROMIUM,
                *args,
            ],
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._answers, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._inbox.put(json.loads(message))
        self._inbox.put(None)

    def _receive(self) -> dict[str, Any]:
        try:
            message = self._inbox.get(timeout=SECONDS)
        except queue.Empty:
            pytest.fail(f"Chromium did not answer within {SECONDS} s")
        if message is None:
            pytest.fail(f"Chromium closed the pipe (exit {self.process.poll()})")
        return message

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Run one command; the events that come meanwhile are kept in ``events``."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._next:
                if "error" in answer:
                    pytest.fail(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._receive()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        try:
            self.send("Browser.close")
        finally:
            os.close(self._commands)
            self.process.wait()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is not installed (Debian: apt-get install chromium fonts-thai-tlwg)"
        )
    devtools = DevTools(tmp_path / "profile")
    try:
        yield devtools
    finally:
        devtools.close()


CHARTS = """
JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const drawn = [...svg.querySelectorAll('rect.bar, rect.cell')].filter(r => {
    const b = r.getBBox(); return b.width > 0 && b.height > 0; });
  return {name: svg.dataset.chart, width: box.width, height: box.height,
          drawn: drawn.length, top: box.top + window.scrollY};
}))
"""


def test_the_report_opens_in_headless_chromium(pages: dict[str, Path], browser: DevTools) -> None:
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network", "DOM", "CSS"):
        browser.send(f"{domain}.enable", session)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        session,
        width=1200,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.send("Page.navigate", session, url=pages["all"].as_uri())
    browser.wait_for("Page.loadEventFired")

    charts = json.loads(
        browser.send("Runtime.evaluate", session, expression=CHARTS, returnByValue=True)["result"][
            "value"
        ]
    )
    names = [c["name"] for c in charts]
    assert names == [
        "all agencies: measures by status",
        "agencies filing measures per indicator",
        "สถ.: measures by status",
        "measures per indicator",
        "measures per indicator",
    ]
    drawn = {(c["name"], i): c for i, c in enumerate(charts)}
    assert all(c["width"] > 200 and c["height"] > 40 for c in charts)
    assert [c["drawn"] for c in charts] == [
        4,  # one bar of 2566 → 2567: carried, changed, new, dropped
        20,  # 10 indicators × 2 years
        4,
        20,
        10,  # อบต.หนองบัว: one year
    ]
    assert drawn  # every chart has a box on the page

    document = browser.send("DOM.getDocument", session)["root"]["nodeId"]
    heading = browser.send("DOM.querySelector", session, nodeId=document, selector="h2 + table td")
    thai = browser.send("DOM.querySelector", session, nodeId=document, selector="#overview td + td")
    fonts = browser.send("CSS.getPlatformFontsForNode", session, nodeId=thai["nodeId"])["fonts"]
    assert heading["nodeId"] and {f["familyName"] for f in fonts} & TLWG, fonts

    size = browser.send("Page.getLayoutMetrics", session)["cssContentSize"]
    shot = browser.send(
        "Page.captureScreenshot",
        session,
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": 1200, "height": size["height"], "scale": 1},
    )
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report-all.png"
    png.write_bytes(__import__("base64").b64decode(shot["data"]))
    shutil.copy(png, pages["all"].with_suffix(".png"))
    image = Image.open(png).convert("RGB")
    assert image.size[0] == 1200 and image.size[1] > 2000
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 20) or []}
    for status, hex_colour in STATUS_COLOURS.items():
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"no {status} bar painted"

    errors = [
        e
        for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "assert", "warning")
        )
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    fetched = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
        and not e["params"]["request"]["url"].startswith(("file:", "data:", "about:"))
    ]
    assert fetched == []


def test_the_same_page_from_either_database(db_url: str, two_years: Path) -> None:
    from etl.app.database import Database

    ingest(db_url, [two_years], workers=0)
    with Database(db_url) as database:
        page = database.report_html("สถ.")
    for count, status in ((9, "carried"), (3, "changed"), (3, "new"), (1, "dropped")):
        assert f"2566 → 2567: {count} {status}</title>" in page
    assert "corrected garbled forms of the agency abbreviation" in page  # 2566's warning
    assert page.count("<del>") >= 3
