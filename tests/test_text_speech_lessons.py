"""The text-and-speech page's small computations: vote terms, repeated detectors, table rows, spread over seeds."""

from types import SimpleNamespace

from models import text_speech_lessons as tsl


def test_vote_terms_and_repeated_detectors():
    assert tsl.vote_terms({"positive": 1.0, "negated": 2.0}, {"positive": 1, "negated": -1}) == [
        "positive 1 × +1",
        "negated 2 × -1",
    ]
    assert tsl.repeated({"positive": 2, "negated": 1, "very": 3}) == ["positive", "very"]


def test_filter_rows_name_the_winning_words_and_top_ngrams():
    trace = SimpleNamespace(name="w2 #1", start=1, width=2, value=1.234)
    [row] = tsl.filter_rows(["the", "not", "bad", "film"], [trace], {"w2 #1": [("not bad", 2.5), ("not good", 2.0)]})
    assert row["wins here on"] == "not bad" and row["score"] == 1.23
    assert row["n-grams that excite it most in the training sentences"] == "not bad (2.5) · not good (2.0)"


def test_win_rows_and_seed_spread():
    assert tsl.win_rows([("not bad", "positive", "positive", "negative")]) == [
        {"sentence": "not bad", "true": "positive", "text CNN": "positive", "bag of words": "negative"}
    ]
    assert tsl.seed_spread([0.02, -0.01, 0.05]) == (-0.01, 0.05, True, False)
    assert tsl.seed_spread([0.01, 0.02]) == (0.01, 0.02, True, True)
