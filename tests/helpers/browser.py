"""Debian's chromium driven by Playwright (sync API) for the browser tests (tests/browser/): its launch flags,
the chat page's tab (ChatPage), screenshots into tests/artifacts/ and the axe-core accessibility check.

Never a browser downloaded by Playwright: /usr/bin/chromium (`make browser`). axe-core comes from npm, pinned in
tests/browser/package-lock.json (`make browser-deps`)."""
from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit

from playwright.sync_api import expect, sync_playwright

from backoffice_career.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT = 60_000  # ms; the first answer also loads the action server's spaCy model
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

expect.set_options(timeout=TIMEOUT)


@contextmanager
def launched_chromium():
    """The browser of a test module. Module scope at most: sync Playwright keeps an event loop running in the
    main thread while it is open, which would stop every later asyncio test of the session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


class ChatPage:
    """One browser tab on the chat page, recording dialogs and the hosts it contacts."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 860, context=None):
        self.context = context or browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        self.page = self.context.new_page()
        self.dialogs = []
        self.hosts = set()
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("request", lambda request: self.hosts.add(urlsplit(request.url).hostname))
        self.page.set_default_timeout(TIMEOUT)
        self.page.goto(url)

    def bot_messages(self):
        return self.page.locator(".rw-response .rw-message-text")

    def user_messages(self):
        return self.page.locator(".rw-client .rw-message-text")

    def ask(self, text: str) -> None:
        before = self.bot_messages().count()
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")
        expect(self.bot_messages()).to_have_count(before + 1)

    def session_id(self) -> str:
        """The signed session id the widget stored (what it sends again when the chat is reopened)."""
        return str(self.page.evaluate("() => JSON.parse(sessionStorage.getItem('chat_session')).session_id"))

    def sender_id(self) -> str:
        """The conversation's id in the tracker store and the review queue: web:<session id without signature>."""
        return "web:" + self.session_id().partition(".")[0]

    def screenshot(self, name: str) -> None:
        screenshot(self.page, name)


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations of the page as it is now (WCAG 2.x A and AA rules and best practices), those of
    the given impacts, each with its rule, impact, help and the failing elements."""
    source = AXE.read_text("utf-8")
    for frame in page.frames:  # the report's iframe too; evaluated by the DevTools protocol: the page's CSP holds
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.evaluate(source)
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"], "impact": v["impact"], "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['rule']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5]]
    return "\n".join(lines)
