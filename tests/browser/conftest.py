"""Fixtures of the browser tests: Debian's chromium (one per test module) and chat-page tabs
(tests/helpers/browser.py)."""
from __future__ import annotations

import pytest

from tests.helpers.browser import ChatPage, launched_chromium


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def open_page(browser, chat_page):
    """Opens chat-page tabs (a context each, unless one is given), closed after the test."""
    pages = []

    def open_(width: int = 1280, height: int = 860, context=None) -> ChatPage:
        pages.append(ChatPage(browser, chat_page, width, height, context))
        return pages[-1]

    yield open_
    for page in pages:
        page.context.close()
