"""Kernel playground in Chromium: click pixels of the X, move the window, edit a kernel cell, answer Practice 1."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_kernel_playground_in_the_browser(page, app_server):
    goto(page, app_server, "kernels")
    page.wait_for_selector(".st-key-kernels_row_4 button")  # the first visit may still be painting
    assert_no_exception(page, app_server)
    assert page.get_by_role("heading", name="Kernel playground").first.is_visible()
    main = page.locator('[data-testid="stMain"]')
    assert "this looks like an X" in main.inner_text()

    # Turn the X into an O by starting from the O preset, then flip one pixel by clicking it.
    page.locator(".st-key-kernels_xo_start").get_by_text("O", exact=True).click()
    wait_for_app(page)
    assert "this looks like an O" in main.inner_text()
    pixel = page.locator(".st-key-kernels_row_4 button").nth(4)  # the O's empty centre
    assert pixel.get_attribute("aria-pressed") == "false"
    pixel.click()
    expect(page.locator(".st-key-kernels_row_4 button").nth(4)).to_have_attribute("aria-pressed", "true")
    wait_for_app(page)

    # Move the sliding window one step with the keyboard.
    page.locator(".st-key-kernels_position input[type='range']").focus()
    page.keyboard.press("ArrowRight")
    expect(main.get_by_text("Output cell (0, 1)")).to_be_visible()
    wait_for_app(page)

    # Edit the centre weight of the sharpen kernel (5 → 9) in the table; the weights then sum to 5.
    grid = page.locator(".st-key-kernels_editor_sharpen_3 [data-testid='stDataFrameResizable']").first
    box = grid.bounding_box()
    row_height = 35  # Streamlit's default data-editor row height (the header row is the same)
    centre = {"x": box["width"] / 2, "y": row_height * 2.5}
    grid.hover(position=centre)
    page.wait_for_timeout(300)
    grid.click(position=centre)  # select the centre cell
    page.wait_for_timeout(300)
    page.keyboard.type("9")  # typing on a selected cell replaces its value
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    expect(main.get_by_text("Sum of weights: 5")).to_be_visible()
    wait_for_app(page)

    # Practice 1: the first slide case (5×5 input, 3×3 kernel, padding 1, stride 1).
    page.locator(".st-key-kernels_answer_h input").fill("5")
    page.locator(".st-key-kernels_answer_h input").press("Enter")
    wait_for_app(page)
    page.locator(".st-key-kernels_answer_w input").fill("5")
    page.locator(".st-key-kernels_answer_w input").press("Enter")
    wait_for_app(page)
    check = page.locator(".st-key-kernels_check button").first
    expect(check).to_be_enabled()  # enabled once both answers have reached the server
    check.click()
    expect(main.get_by_text("Right: the feature map is 5×5")).to_be_visible()
    wait_for_app(page)

    assert_no_exception(page, app_server)
    screenshot(page, "kernels")
