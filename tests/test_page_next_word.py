"""The Next word page in AppTest: every tab runs, the controls change what is shown, bad input gets a message."""

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import diagrams
from components.language_getters import LANGUAGE_LABELS as LABELS
from tests.conftest import rerun_until

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "next_word.py")


def _open(tab: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600)
    if tab:
        at.session_state["next_word_tab"] = tab
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _continuations(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["continuation"])


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.success, *at.info, *at.warning])


def test_predict_tab_answers_the_prompt():
    at = _open()
    assert at.text_input(key="next_word_prompt").label == "Prompt"
    assert len(at.get("vega_lite_chart")) == 4  # four models side by side
    before = _continuations(at)
    at.text_input(key="next_word_prompt").set_value("After school we went to the").run()
    assert not at.exception
    assert _continuations(at) != before
    greedy = _continuations(at)
    at.slider(key="next_word_temperature").set_value(1.2).run()
    assert _continuations(at) != greedy


@pytest.mark.parametrize("prompt", ["", "🙂🙂🙂", "qwzx vbnm", "word " * 2000, '<b>"quote" \\ back</b>', "... !!!"])
def test_any_prompt_works_on_every_text_tab(prompt):
    for tab in ("Predict", "Bag of words", "Unrolled graph", "LSTM gates"):
        at = _open(tab, next_word_prompt=prompt)
        assert at.header, tab
    if len(prompt) > 5000:
        assert "only its last" in _text(at)


def test_bag_of_words_shuffle_keeps_the_bow_answer():
    at = _open("Bag of words")
    at.button(key="next_word_shuffle").click().run()
    assert not at.exception
    assert "identical for the shuffled prompt" in _text(at)
    assert any("Shuffled prompt" in m.value for m in at.markdown)


def test_unrolled_graph_escapes_the_prompt():
    at = _open("Unrolled graph", next_word_prompt='he said "hi" \\ bye')
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '\\"' in dot and "\\\\" in dot and "W_hh" in dot


def test_through_time_slider_changes_the_rnn_gradients():
    at = _open("Through time")
    at.slider(key="next_word_radius").set_value(0.5).run()
    small = _text(at)
    at.slider(key="next_word_radius").set_value(2.0).run()
    assert not at.exception and _text(at) != small
    at.text_input(key="next_word_bptt_text").set_value("").run()
    assert any("Cannot follow the gradient" in w.value for w in at.warning)


def test_exploding_tab_compares_clipping():
    at = _open("Exploding gradients")
    assert "Without clipping" in _text(at)
    at.select_slider(key="next_word_clip").set_value(0.5).run()
    assert not at.exception and "Clipped at 0.5" in _text(at)


def test_gates_tab_names_the_slides():
    at = _open("LSTM gates")
    titles = _text(at)
    for name in ("Forget irrelevant information", "Add new information", "Update cell state", "Output filtered"):
        assert name in titles


def test_long_term_memory_lstm_wins():
    at = _open("Long-term memory")
    assert at.success and "clearly wins" in at.success[0].value


def test_compare_tab_lstm_has_lowest_perplexity():
    at = _open("Compare")
    table = at.dataframe[0].value.set_index("model")["held-out perplexity"]
    assert table["LSTM"] < table["window (previous 2 words)"] and table["LSTM"] < table["bag of words"]


def test_concept_check_reveals_the_answer():
    at = _open("Limitations")
    at.radio(key="next_word_check_bow_choice").set_value("No").run()
    at.button(key="next_word_check_bow_reveal").click().run()
    assert not at.exception and at.success


def test_own_text_bad_inputs_get_messages():
    at = _open()
    at.button(key="next_word_train_own").click().run()
    assert any("no text yet" in w.value for w in at.warning)
    at.text_area(key="next_word_own_text").set_value("x" * 200_001).run()
    at.button(key="next_word_train_own").click().run()
    assert any("limit is 200 kB" in w.value for w in at.warning)
    at.text_area(key="next_word_own_text").set_value("🙂 🙂 ...").run()
    at.button(key="next_word_train_own").click().run()
    assert any("no words" in w.value for w in at.warning)
    assert not at.exception


def test_own_text_trains_four_models_and_switches_back():
    at = _open()
    own = "My cat sleeps on the sofa. My cat eats fish. " * 20
    at.text_area(key="next_word_own_text").set_value(own).run()
    at.button(key="next_word_train_own").click().run()
    assert not at.exception
    assert any("Only" in w.value for w in at.warning)  # a short text is trained on, with a warning
    said = " ".join(_continuations(at)).lower()
    assert "cat" in said or "sofa" in said or "fish" in said
    at.session_state["next_word_source"] = "Bundled corpus"
    at.run()
    assert not at.exception


def test_own_text_past_the_readout_cutoffs_trains_an_adaptive_softmax_and_says_so():
    """Forty paragraphs of prose (about 2,900 words, 652 vocabulary entries) get the adaptive readout, like the
    bundled corpus; the unrolled graph's caption then describes the student's own models' pieces."""
    from models.corpus import read_corpus, split_paragraphs

    own = "\n\n".join(split_paragraphs(read_corpus())[:40])
    at = _open("Unrolled graph")
    at.text_area(key="next_word_own_text").set_value(own).run()
    at.button(key="next_word_train_own").click().run()
    assert not at.exception, at.exception
    assert at.session_state["next_word_source"] == "Your text"
    caption = next(c.value for c in at.caption if "W_hy" in c.value)
    assert "W_hy comes in pieces" in caption and "the 100 most frequent tokens" in caption
    assert "652 tokens" in caption, caption  # the student's vocabulary, not the bundled one's 1,200


def _live_table(at: AppTest):
    """The watching panel's table of the four models on the student's text, if the page shows it."""
    return next((d.value for d in at.dataframe if "held-out perplexity" in d.value.columns), None)


def test_own_text_trains_in_the_background_with_a_live_table_and_stop_keeps_the_models(monkeypatch):
    from components import resources
    from models import long_dependency

    monkeypatch.setattr(resources, "BLOCKING", False)  # as on a server: the four models train in a thread
    at = _open()
    at.text_area(key="next_word_own_text").set_value(long_dependency.pattern_text()).run()
    at.button(key="next_word_train_own").click().run()
    assert not at.exception, at.exception
    assert "in the background" in _text(at) and "the page below shows the bundled ones" in _text(at)
    assert len(at.get("vega_lite_chart")) >= 4, "the bundled models answer meanwhile"
    rerun_until(at, lambda at: _live_table(at) is not None and _live_table(at)["epochs done"].max() > 0)
    live = _live_table(at)
    assert list(live["model"]) == [LABELS[k] for k in ("window", "bow", "rnn", "lstm")]
    assert live["next word"].iloc[0] != "–" and live["held-out perplexity"].iloc[0] > 1
    next(b for b in at.button if b.label == "Stop").click().run()
    rerun_until(at, lambda at: "Training was stopped when you pressed Stop" in _text(at))
    assert not any(b.label == "Stop" for b in at.button)
    assert "Your text's long-range pattern" in _text(at), "the page now shows the stopped models on your text"
    assert resources.get_watch_jobs().threads_alive() == 0


def test_a_new_text_while_one_trains_gets_a_message_and_the_first_goes_on(monkeypatch):
    from components import resources
    from components.watch_jobs import WatchPart

    monkeypatch.setattr(resources, "BLOCKING", False)
    release = threading.Event()
    running = WatchPart("lstm", "the four models on your text", lambda on_step: release.wait(60))
    resources.get_watch_jobs().request("next_word-running", "the four models on your text", [running])
    try:
        at = _open(_lab_watch_jobs={"next_word_own": "next_word-running"})
        at.text_area(key="next_word_own_text").set_value("My cat sleeps on the sofa. " * 50).run()
        at.button(key="next_word_train_own").click().run()
        assert not at.exception, at.exception
        assert any("Still training: the four models on your text" in w.value for w in at.warning)
        assert "next_word_custom_text" not in at.session_state, "the new text waits: nothing was replaced"
        assert resources.get_watch_jobs().get("next_word-running").state == "training"
    finally:
        release.set()
        resources.get_watch_jobs().clear()


def test_every_tab_is_a_section_and_runs():
    for tab in ("Through time", "Compare", "Limitations", "Unrolled graph", "LSTM gates"):
        at = _open(tab)
        assert at.header, tab


def test_example_text_fills_the_text_area():
    at = _open()
    at.button(key="next_word_example").click().run()
    assert "was still" in at.text_area(key="next_word_own_text").value


def test_word_embeddings_tab_finds_neighbours_and_names_groups():
    at = _open("Word embeddings")
    tables = [df.value for df in at.dataframe]
    assert list(tables[0].columns) == ["word", "cosine"] and len(tables[0]) == 8
    assert "two random words" in list(tables[1]["group"])
    assert "Words used alike land together" in _text(at)  # measured on the default LSTM: days, pronouns, …
    at.text_input(key="next_word_embed_word").set_value("zzqx").run()
    assert any("not in this model's vocabulary" in w.value for w in at.warning)
    at.radio(key="next_word_embed_model").set_value("window").run()
    at.radio(key="next_word_embed_view").set_value("as trained").run()
    assert not at.exception


def test_dot_labels_are_escaped():
    assert diagrams.dot_label('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c d"'
    dot = diagrams.unrolled_graph_dot(["<s>", 'x"y'], [("a", 0.5), ("b", 0.25)])
    assert 'label="x2: x\\"y"' in dot and "h1 -> h2" in dot


def test_the_page_shows_at_once_on_an_empty_cache_while_the_models_train(monkeypatch, tmp_path):
    """A fresh server: title, prompt and model-free sections at once; each missing model is its live panel."""
    from components import resources
    from components.model_shelf import ModelShelf
    from models import store

    monkeypatch.setattr(resources, "BLOCKING", False)  # as on a server: a background worker trains the models
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))  # an empty cache: nothing to load
    shelf = ModelShelf()  # a fresh process's shelf: no model in memory
    monkeypatch.setattr(resources, "get_model_shelf", lambda: shelf)
    try:
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.session_state["next_word_prompt"] = "the qwzx dog"
        at.run()
        assert not at.exception, at.exception
        assert at.title[0].value == "Next word: from a window to an LSTM"
        assert at.text_input(key="next_word_prompt").label == "Prompt"
        assert any("being trained for this server" in m.value for m in at.markdown), "a live training panel"
        assert "Predict the next word" in [h.value for h in at.header]
        assert "1 of the prompt's 3 words are outside it" in _text(at), "the prompt is checked without a model"
        at.session_state["next_word_tab"] = "Limitations"  # a section that needs no model
        at.run()
        assert not at.exception, at.exception
        assert "Where RNNs struggle" in [h.value for h in at.header] and at.radio(key="next_word_check_bow_choice")
    finally:
        shelf.shutdown()
