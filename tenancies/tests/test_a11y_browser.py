"""Issue 12 in a real browser (Chromium through Playwright), at desktop size
and at 375 px: the keyboard focus ring has at least 3:1 contrast against
what lies behind it (WCAG 2.1 1.4.11) on a form field and on a menu link,
and after a failed save the error summary receives focus and links to the
field. axe-core checks every page visited."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CREATE = "/lagenheter/ny/"

# The contrast ratio (WCAG 2.x) of the focused element's outline colour
# against the first opaque background behind the outline: the element's own
# for an outline drawn inside it (negative offset), else its ancestors'.
FOCUS_CONTRAST = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rgba = (c) => {
    const parts = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return parts.length === 3 ? [...parts, 1] : parts;
  };
  let node = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement;
  let background = [255, 255, 255, 1];
  for (; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c[3] > 0) { background = c; break; }
  }
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const a = luminance(rgba(style.outlineColor)), b = luminance(background);
  return {
    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    id: el.id, text: el.textContent.trim(), classes: el.className,
  };
}"""


def tab_to(page, selector, limit=60):
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def assert_visible_focus(page):
    focus = page.evaluate(FOCUS_CONTRAST)
    assert focus["style"] != "none" and focus["width"] >= 2, focus
    assert focus["ratio"] >= 3, focus


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_focus_ring_contrasts_on_fields_and_in_the_menu(size, request, housing_admin, unit, browser_login, axe):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    browser_login(page, "boendeadmin")
    page.goto(CREATE)
    page.get_by_role("heading", name="Registrera lägenhet").wait_for()
    axe(page)

    page.locator("h1").click()  # start tabbing from the form, not from the top of the page
    tab_to(page, "#id_object_number")
    assert_visible_focus(page)
    tab_to(page, "button[type=submit]")
    assert_visible_focus(page)

    # The dark menu bar: on a phone it is opened first (by keyboard too).
    page.goto(CREATE)
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert_visible_focus(page)
    tab_to(page, ".navbar-brand")
    assert_visible_focus(page)
    if size == "phone":
        tab_to(page, ".navbar-toggler")
        assert_visible_focus(page)
        page.keyboard.press("Enter")
        page.locator("#main-nav").wait_for(state="visible")
    tab_to(page, "#main-nav a.nav-link")
    assert_visible_focus(page)
    tab_to(page, "#main-nav button.btn-outline-light")  # Log out
    assert_visible_focus(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_failed_save_focuses_the_error_summary_which_links_to_the_field(size, request, housing_admin, unit,
                                                                       browser_login, axe):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    browser_login(page, "boendeadmin")
    page.goto(CREATE)
    page.get_by_label("Gatuadress").fill("Påhittade vägen 5")
    page.get_by_label("Hyra för hyresgästen (kr)").fill("sextusen")
    page.get_by_role("button", name="Spara").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.get_by_role("heading").inner_text() == "Det finns fel i formuläret"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), "the summary has focus"
    link = summary.get_by_role("link", name="Hyra för hyresgästen (kr)", exact=False)
    assert link.get_attribute("href") == "#id_rent"
    assert "Ange ett belopp i kronor" in link.inner_text()
    axe(page)

    link.click()
    assert page.evaluate("document.activeElement.id") == "id_rent", "the link takes the user to the field"
    assert page.get_by_label("Gatuadress").input_value() == "Påhittade vägen 5"
