"""A small driver for a real headless Chromium over the DevTools protocol (aiohttp's websocket
client), for the tests of `reader serve`: open a page, record every request the browser makes,
read what the terminal shows, press keys.

Chromium runs with a fresh profile, no background networking, and is only ever pointed at
127.0.0.1.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-default-apps", "--metrics-recording-only", "--mute-audio", "--window-size=1280,900"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# textual.js keeps its xterm.js Terminal in a closure; catching the first `x.terminal = ...`
# assignment lets a test read the terminal's own buffer, exactly what it draws.
KEEP_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    delete Object.prototype.terminal;
    window.__terminal = value;
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
  },
});
"""

READ_SCREEN = """
(() => {
  const t = window.__terminal;
  if (!t || !t.buffer) return "";
  const b = t.buffer.active, rows = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""


class Browser:
    """One Chromium process with one tab, driven over CDP."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.process: subprocess.Popen[bytes] | None = None
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[str] = []  # every URL the page asked for, websockets included
        self.session_id: str | None = None
        self.reader: asyncio.Task[None] | None = None
        self.focused = False  # the terminal has the keyboard (set once per page)

    async def start(self) -> Browser:
        binary = chromium_path()
        assert binary, "chromium is not installed"
        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(600):
            if port_file.exists() and len(port_file.read_text().splitlines()) >= 2:
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            await asyncio.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.http = aiohttp.ClientSession()
        self.ws = await self.http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self.reader = asyncio.create_task(self._read())
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        self.session_id = (await self.send("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            await self.send(f"{domain}.enable")
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=KEEP_TERMINAL)
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self.pending.pop(data["id"], None)
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(RuntimeError(str(data["error"])))
                    else:
                        future.set_result(data.get("result", {}))
                continue
            self.events.append(data)
            params = data.get("params", {})
            if data.get("method") == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif data.get("method") == "Network.webSocketCreated":
                self.requests.append(params["url"])

    async def send(self, method: str, **params: Any) -> Any:
        assert self.ws is not None
        number = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if self.session_id and not method.startswith("Target."):
            message["sessionId"] = self.session_id
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 60)

    async def open(self, url: str) -> None:
        assert url.startswith("http://127.0.0.1:"), "the tests only ever browse this machine"
        self.focused = False
        await self.send("Page.navigate", url=url)
        async def loaded() -> bool:
            return await self.evaluate("document.readyState") == "complete"

        await self.wait_for(loaded, "the page to load")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def wait_for(self, check: Any, what: str, timeout: float = 60) -> Any:
        """Poll check() (sync or async) until it is true; fail naming what never came."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = check()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the page shows: {await self.page_text()!r}")
            await asyncio.sleep(0.2)

    async def page_text(self) -> str:
        return await self.evaluate("document.body ? document.body.innerText : ''") or ""

    async def screen(self) -> str:
        """What the terminal shows, row by row, from xterm's own buffer."""
        return await self.evaluate(READ_SCREEN) or ""

    async def wait_for_screen(self, pattern: str, timeout: float = 60) -> str:
        async def shows() -> str | None:
            text = await self.screen()
            return text if re.search(pattern, text) else None

        return await self.wait_for(shows, f"the terminal to show {pattern!r}", timeout)

    async def press(self, key: str) -> None:
        """One key into the terminal, as typing it would send it."""
        if not self.focused:
            await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            self.focused = True
        named = {"enter": ("Enter", "\r", 13), "escape": ("Escape", "", 27), "down": ("ArrowDown", "", 40)}
        if key in named:
            code, text, vk = named[key]
            await self.send("Input.dispatchKeyEvent", type="rawKeyDown", key=code, code=code, windowsVirtualKeyCode=vk)
            if text:
                await self.send("Input.dispatchKeyEvent", type="char", key=code, text=text, windowsVirtualKeyCode=vk)
            await self.send("Input.dispatchKeyEvent", type="keyUp", key=code, code=code, windowsVirtualKeyCode=vk)
            return
        vk = ord(key.upper()) if key.isalnum() else 0
        code = f"Digit{key}" if key.isdigit() else f"Key{key.upper()}" if key.isalpha() else ""
        await self.send("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, text=key, windowsVirtualKeyCode=vk)
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.close()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
