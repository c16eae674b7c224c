"""Open a page in headless Chromium and record every request it makes and every console or security message,
through the DevTools protocol over ``--remote-debugging-pipe`` (no port, no extra package)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import pytest


@dataclass
class PageLoad:
    """What one page load did: request URLs in order, console/log/exception messages, the document title."""

    url: str
    requests: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    title: str = ""
    value: object = None  # what ``evaluate`` returned (JSON-serialisable)

    def outside(self) -> list[str]:
        """Requests that leave the file: anything but the page itself (any #fragment) and ``data:`` URIs."""
        page = self.url.split("#")[0]
        return [u for u in self.requests if u.split("#")[0] != page and not u.startswith("data:")]


def chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        pytest.skip("chromium not installed; .ci/run installs it")
    return binary


class _Pipe:
    def __init__(self, process: subprocess.Popen, write_fd: int, read_fd: int) -> None:
        self.process, self.write_fd, self.read_fd = process, write_fd, read_fd
        self.buffer, self.next_id, self.events = b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def read(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                return None
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30):
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.read(deadline - time.monotonic())
            if message is None:
                break
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)
        raise TimeoutError(f"no answer to {method} within {timeout} s")


def _screenshot(pipe: _Pipe, session: str, selector: str, path) -> None:
    """A PNG of the first element matching ``selector`` (the whole element, even below the window)."""
    element = f"document.querySelector({json.dumps(selector)})"
    box = f"JSON.stringify((r => [r.x + scrollX, r.y + scrollY, r.width, r.height])({element}.getBoundingClientRect()))"
    found = pipe.call("Runtime.evaluate", {"expression": box, "returnByValue": True}, session=session)
    x, y, w, h = json.loads(found["result"]["value"])
    clip = {"x": x, "y": y, "width": w, "height": h, "scale": 1}
    shot = pipe.call("Page.captureScreenshot", {"clip": clip, "captureBeyondViewport": True}, session=session)
    with open(path, "wb") as png:
        png.write(base64.b64decode(shot["data"]))


def load(
    url: str,
    settle: float = 1.5,
    timeout: float = 60,
    evaluate: str | None = None,
    screenshots: dict | None = None,
    width: int = 1280,
) -> PageLoad:
    """Load ``url`` in a fresh headless Chromium profile; wait for the load event and ``settle`` seconds more.
    ``evaluate``: a JavaScript expression whose value is returned in ``PageLoad.value``; ``screenshots``:
    {CSS selector: PNG path}, each the first element matching the selector, at a window ``width`` px wide."""
    binary = chromium()
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds() -> None:  # the protocol pipe is fd 3 (chromium reads) and fd 4 (chromium writes)
        # first move both ends above 4, to fds no other end holds (a fixed number such as 100 may be one of the
        # pipe's own ends when the test process has many files open), then put them in place
        reading = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 5)
        writing = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 5)
        os.dup2(reading, 3)
        os.dup2(writing, 4)

    profile = tempfile.mkdtemp(prefix="csreport-chromium-")
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
               "--disable-background-networking", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", "about:blank"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=child_fds
    )
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    pipe = _Pipe(process, to_chrome_w, from_chrome_r)
    result = PageLoad(url)
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Log", "Runtime", "Page"):
            pipe.call(f"{domain}.enable", session=session)
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
        pipe.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
        pipe.call("Emulation.setScrollbarsHidden", {"hidden": True}, session=session)  # no shift when captured
        pipe.call("Page.navigate", {"url": url}, session=session)
        deadline, loaded_at = time.monotonic() + timeout, None
        events = pipe.events
        while time.monotonic() < deadline and (loaded_at is None or time.monotonic() < loaded_at + settle):
            message = events.pop(0) if events else pipe.read(0.2)
            if message is None:
                continue
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                result.requests.append(params["request"]["url"])
            elif method == "Log.entryAdded":
                entry = params["entry"]
                result.messages.append(f"{entry['level']} {entry['source']}: {entry['text']} {entry.get('url', '')}")
            elif method == "Runtime.consoleAPICalled":
                texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
                result.messages.append(f"console.{params['type']}: {' '.join(texts)}")
            elif method == "Runtime.exceptionThrown":
                result.messages.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Page.loadEventFired" and loaded_at is None:
                loaded_at = time.monotonic()
        if loaded_at is None:
            raise TimeoutError(f"{url} did not finish loading within {timeout} s")
        title = pipe.call("Runtime.evaluate", {"expression": "document.title"}, session=session)
        result.title = title.get("result", {}).get("value", "")
        if evaluate:
            done = pipe.call("Runtime.evaluate", {"expression": evaluate, "returnByValue": True}, session=session)
            result.value = done.get("result", {}).get("value")
        for selector, path in (screenshots or {}).items():
            _screenshot(pipe, session, selector, path)
        pipe.send("Browser.close")
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(to_chrome_w)
        os.close(from_chrome_r)
        shutil.rmtree(profile, ignore_errors=True)
    return result
