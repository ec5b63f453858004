"""models/vocabulary.py: text for the next-word models: tokenizer, sentence marks, vocabulary and uploads."""

import pytest

from models import vocabulary as V

SLIDE = "This morning I took my dog for a walk."


# --- text ----------------------------------------------------------------------------------------------------
def test_tokenize_words_and_punctuation():
    assert V.tokenize("This morning I took my dog's lead, then left!") == [
        "this", "morning", "i", "took", "my", "dog's", "lead", ",", "then", "left", "!",
    ]  # fmt: skip


def test_sentence_starts_are_marked():
    tokens = V.mark_sentences(V.tokenize('I ran. "Stop!" She said. ok'), open_end=True)
    assert tokens == ["<s>", "i", "ran", ".", '"', "<s>", "stop", "!", '"', "<s>", "she", "said", ".", "<s>", "ok"]
    assert V.mark_sentences(V.tokenize("Home."), open_end=True)[-1] == V.START
    assert V.mark_sentences([], open_end=True) == [V.START]


def test_vocabulary_min_count_cap_and_unknown_words():
    tokens = ["a", "a", "a", "b", "b", "c"]
    vocab = V.Vocabulary.build(tokens, min_count=2, max_size=10)
    assert vocab.itos == ["<s>", "<unk>", "a", "b"]
    assert vocab.encode(["a", "c", "zebra"]) == [2, 1, 1]
    assert V.Vocabulary.build(tokens, min_count=1, max_size=3).itos == ["<s>", "<unk>", "a"]
    assert list(vocab.count_vector(["<s>", "a", "b", "a", "x"])) == [0, 1, 2, 1]


def test_shuffle_keeps_the_words():
    shuffled = V.shuffle_words(SLIDE, seed=3)
    assert sorted(V.tokenize(shuffled)) == sorted(V.tokenize(SLIDE))
    assert shuffled != " ".join(V.tokenize(SLIDE))


def test_detokenize_reads_like_text():
    assert V.detokenize(["<s>", "i", "took", "my", "dog", ".", "<s>", "it", "rained", "."]) == (
        "I took my dog. It rained."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"\x00\x01\x02binary", "binary"),
        ("caf\u00e9".encode("latin-1"), "UTF-8"),
        (b"\xff\xfe\xfa", "UTF-8"),
        (b"x" * 2001, "limit"),
    ],
)
def test_decode_text_refuses_bad_uploads(data, message):
    with pytest.raises(ValueError, match=message):
        V.decode_text(data, max_bytes=2000)


def test_decode_text_accepts_utf8_with_bom():
    assert V.decode_text("Caf\u00e9 time.".encode("utf-8-sig"), 2000) == "Caf\u00e9 time."
