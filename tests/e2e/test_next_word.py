"""The Next word page in Chromium: type a prompt, open every tab, and save screenshots to look at."""

import pytest

from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

TABS = [
    ("Bag of words", "next_word_bow"),
    ("Unrolled graph", "next_word_graph"),
    ("Through time", "next_word_bptt"),
    ("Exploding gradients", "next_word_exploding"),
    ("LSTM gates", "next_word_gates"),
    ("Long-term memory", "next_word_longdep"),
    ("Compare", "next_word_compare"),
    ("Word embeddings", "next_word_embeddings"),
    ("Limitations", "next_word_limitations"),
]


def test_type_a_prompt_and_open_every_tab(page, app_server):
    goto(page, app_server, "next_word")
    assert_no_exception(page, app_server)
    prompt = page.get_by_label("Prompt", exact=True).and_(page.get_by_test_id("stTextInputField"))
    prompt.fill("After school my sister and I")
    prompt.press("Enter")
    wait_for_app(page)
    assert_no_exception(page, app_server)
    assert page.get_by_text("Predict the next word").first.is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 4
    screenshot(page, "next_word")

    for tab, name in TABS:
        page.get_by_role("tab", name=tab).click()
        wait_for_app(page)
        assert_no_exception(page, app_server)
        if tab == "Bag of words":
            page.get_by_role("button", name="Shuffle the prompt").click()
            wait_for_app(page)
            assert page.get_by_text("identical for the shuffled prompt").is_visible()
        if tab == "Word embeddings":
            assert page.get_by_text("Nearest neighbours of").is_visible()
        screenshot(page, name)
