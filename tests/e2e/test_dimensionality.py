"""Dimensionality page in Chromium: rotate the direction, switch dataset, hover a digit, reveal a concept check."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "screenshots"


def _open(page, app_server) -> None:
    """Open the page through the router (as a student does from Home), so the app's wide layout applies."""
    page.set_default_timeout(120_000)
    goto(page, app_server, "")
    page.locator('[data-testid="stTopNav"]').get_by_text("Dimensionality reduction").click()
    page.wait_for_url("**/dimensionality")
    page.get_by_role("heading", name="8. Concept check").wait_for()
    wait_for_app(page)


def _metric_text(page, label: str) -> str:
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first.inner_text()


def test_dimensionality_page_in_the_browser(page, app_server):
    _open(page, app_server)
    assert_no_exception(page, app_server)
    assert page.get_by_role("heading", name="Dimensionality reduction").first.is_visible()
    main = page.locator('[data-testid="stMain"]')
    assert "equal sklearn.decomposition.PCA" in main.inner_text()

    # Section 1: rotate the direction with the keyboard; the variance along it changes.
    before = _metric_text(page, "Variance along your direction")
    page.locator(".st-key-dimensionality_angle input[type='range']").focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    wait_for_app(page)
    assert _metric_text(page, "Variance along your direction") != before

    # Section 4: switch to iris; the scree numbers now count 4 features.
    page.locator(".st-key-dimensionality_dataset").get_by_text("Iris", exact=True).click()
    wait_for_app(page)
    assert "of 4" in _metric_text(page, "k for 95%")

    # Section 8: predict, then reveal.
    quiz = page.locator(".st-key-dimensionality_quiz_direction_choice")
    quiz.get_by_text("about 135°").click()
    wait_for_app(page)
    page.locator(".st-key-dimensionality_quiz_direction_reveal button").click()
    wait_for_app(page)
    expect(main).to_contain_text("Right: about 135°")  # retries: the verdict may paint after the run ends

    assert_no_exception(page, app_server)
    screenshot(page, "dimensionality")


def test_digit_tooltip_shows_the_image(page, app_server):
    _open(page, app_server)
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="PC2").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box = chart.locator("canvas, svg").first.bounding_box()
    assert box is not None
    # Sweep the plot until the tooltip shows a digit image.
    found = False
    for fx in (0.5, 0.4, 0.6, 0.3, 0.7):
        for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)
            if page.locator("#vg-tooltip-element img").count():
                found = True
                break
        if found:
            break
    assert found, "no image in the Vega tooltip"
    tip = page.locator("#vg-tooltip-element").bounding_box()
    left, top = min(box["x"], tip["x"]) - 20, min(box["y"], tip["y"]) - 20
    right = max(box["x"] + box["width"], tip["x"] + tip["width"]) + 20
    bottom = max(box["y"] + box["height"], tip["y"] + tip["height"]) + 20
    SHOTS.mkdir(exist_ok=True)
    clip = {"x": max(left, 0), "y": max(top, 0), "width": right - left, "height": bottom - top}
    page.screenshot(path=str(SHOTS / "dimensionality_tooltip.png"), clip=clip)
