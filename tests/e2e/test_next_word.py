"""The Next word page in Chromium: type a prompt, open every tab, and save screenshots to look at."""

import pytest

from models.corpus import read_corpus, split_paragraphs
from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

PANEL = '[class*="st-key-lab_watching_"]'  # the live panel of a model that trains while the page watches

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


def test_train_on_your_own_text_shows_the_models_learning_then_uses_them(page, app_server):
    """Forty paragraphs of prose (652 vocabulary entries, so the adaptive softmax): the live panel while the four
    train in the background, then the page's sections on the student's models."""
    goto(page, app_server, "next_word")
    page.get_by_text("Train the four models on your own text").click()
    own = "\n\n".join(split_paragraphs(read_corpus())[:40])
    page.get_by_label("Your text").fill(own)
    page.get_by_role("button", name="Train on this text").click()
    page.locator(PANEL).wait_for(timeout=60_000)  # the four learn in the background, watched epoch by epoch
    assert page.get_by_text("Until your models are ready, the page below shows the bundled ones.").is_visible()
    page.locator(PANEL).wait_for(state="detached", timeout=180_000)  # all four trained: the panel goes by itself
    wait_for_app(page)
    assert_no_exception(page, app_server)
    assert page.get_by_text(f"Your text: {len(own.split()):,} words.").count() == 1
    page.get_by_role("tab", name="Unrolled graph").click()
    wait_for_app(page)
    caption = page.get_by_text("W_hy comes in pieces")
    assert caption.count() == 1 and "652 tokens" in caption.inner_text(), "the student's vocabulary, not 1,200"
    assert_no_exception(page, app_server)
    screenshot(page, "next_word_own_text")
