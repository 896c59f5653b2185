"""The counting harness of bench/journeys.py and bench/journeys_before.py:
five journeys of the users walked in a real browser against a running demo
(`make run`'s data), counting what the user does.

Counted the same way in both scripts: a click is a press on a link, a button
or a menu toggle; a field is one field typed into, chosen or ticked (a field
left at its default is not counted); a page load is the browser loading a
whole page (also the one after a form posts); "screens" is how far the user
scrolled to reach what they pressed, in screen heights. The login is not
counted: every journey starts on the page the login lands on.
"""

import argparse
import json
import os
import random
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date

from playwright.sync_api import Page, sync_playwright

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


@dataclass
class Walk:
    """Counts what a user does: clicks (links, buttons, menu toggles),
    fields (each field typed into, chosen or ticked) and page loads (the
    browser loading a whole page, including the one after a form posts).
    `screens` adds up how far the user scrolled to reach what they
    clicked, in screen heights."""

    page: Page
    clicks: int = 0
    fields: int = 0
    loads: int = 0
    screens: float = 0.0
    steps: list = field(default_factory=list)

    def __post_init__(self):
        self.page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def _scrolled_to(self, locator):
        top = locator.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
        viewport = self.page.viewport_size["height"]
        self.screens += max(0.0, (top - viewport) / viewport) if top > viewport else 0.0

    def click(self, locator, what):
        locator = locator.first
        self._scrolled_to(locator)
        self.clicks += 1
        self.steps.append(f"klick: {what}")
        locator.click()
        self.page.wait_for_load_state()

    def link(self, name, *, within="main"):
        self.click(self.page.locator(within).get_by_role("link", name=name, exact=False), name)

    def button(self, name, *, within="main"):
        self.click(self.page.locator(within).get_by_role("button", name=name, exact=False), name)

    def fill(self, label, value):
        self.fields += 1
        self.steps.append(f"fält: {label}")
        self.page.locator("main").get_by_label(label, exact=False).first.fill(value)

    def fill_css(self, selector, value, what):
        self.fields += 1
        self.steps.append(f"fält: {what}")
        self.page.locator(selector).first.fill(value)

    def choose(self, label, option):
        self.fields += 1
        self.steps.append(f"val: {label}")
        self.page.locator("main").get_by_label(label, exact=False).first.select_option(label=option)

    def choose_css(self, selector, option, what, *, index=False):
        self.fields += 1
        self.steps.append(f"val: {what}")
        if index:
            self.page.locator(selector).first.select_option(index=option)
        else:
            self.page.locator(selector).first.select_option(label=option)

    def tick(self, selector, what):
        self.fields += 1
        self.steps.append(f"bock: {what}")
        self.page.locator(selector).first.check()

    def figures(self):
        return {"klick": self.clicks, "fält": self.fields, "sidladdningar": self.loads,
                "skärmar scrollade": round(self.screens, 1)}


def demo_code(username, *, checkout, database_url):
    env = dict(os.environ, DEBUG="1", DATABASE_URL=database_url)
    return subprocess.check_output(
        [os.path.join(checkout, ".venv/bin/python"), "manage.py", "demo_code", username],
        cwd=checkout, env=env, text=True,
    ).strip()


_last_code = {}


def log_in(page, base, username, *, checkout, database_url):
    """The real two-step login of a demo user (not counted: every journey
    starts on the page the login lands on). A code can be used once, so a
    second login within the same 30 seconds waits for the next one."""
    page.goto(base + "/konto/logga-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    code = demo_code(username, checkout=checkout, database_url=database_url)
    while code in _last_code.values():
        time.sleep(2)
        code = demo_code(username, checkout=checkout, database_url=database_url)
    _last_code[username] = code
    page.fill("input[name=code]", code)
    page.locator("main").get_by_role("button", name="Bekräfta").click()
    page.wait_for_load_state()


def fictional_personnummer(rng: random.Random) -> str:
    """A valid Luhn digit on an invented date; the serial 98xx marks it as
    made up for the walk."""
    born = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
    digits = born.strftime("%y%m%d") + f"98{rng.randrange(10)}"
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    check = (10 - total % 10) % 10
    return born.strftime("%Y%m%d") + "-" + digits[6:] + str(check)


def expect_saved(w: Walk):
    """Stop the walk when a save was refused: the figures of a walk that
    did not get through would mean nothing."""
    errors = w.page.locator("main .invalid-feedback:visible, main .errorlist:visible, main .alert-danger:visible")
    if errors.count():
        raise SystemExit(f"refused on {w.page.url}: " + " | ".join(errors.all_inner_texts())[:500])


def menu(w: Walk, label: str):
    """Follow a menu entry as a user does: open the phone menu when it is
    folded, open the entry's group when it has one, then the entry."""
    toggler = w.page.locator("button.navbar-toggler")
    if toggler.is_visible():
        w.click(toggler, "Meny")
    entry = w.page.locator("#main-nav").get_by_role("link", name=label, exact=True, include_hidden=True)
    if not entry.first.is_visible():
        group = entry.first.locator("xpath=ancestor::li[contains(@class,'dropdown')]/button")
        w.click(group, "Menygrupp " + group.first.inner_text())
    w.click(entry.locator("visible=true"), label)


def run(journeys):
    """Walk each journey in a fresh browser context as its user and print
    the figures and the steps."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--checkout", default=".", help="the checkout serving --base (for demo_code)")
    parser.add_argument("--database-url", default="sqlite:///db.sqlite3")
    parser.add_argument("--only", help="run the journeys whose name starts with this")
    args = parser.parse_args()
    rng = random.Random()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, (user, viewport, journey) in journeys.items():
            if args.only and not name.startswith(args.only):
                continue
            context = browser.new_context(base_url=args.base, viewport=viewport, locale="sv-SE")
            page = context.new_page()
            page.set_default_timeout(10_000)
            log_in(page, args.base, user, checkout=os.path.abspath(args.checkout), database_url=args.database_url)
            walk = Walk(page)
            journey(walk, rng)
            print(name, json.dumps(walk.figures(), ensure_ascii=False))
            print("   ", " → ".join(walk.steps))
            context.close()
        browser.close()
