"""Text for the next-word models: tokenizer, sentence marks, vocabulary, uploads and the team's corpus."""

import pytest

from models import vocabulary as V
from models.corpus import corpus_files, read_corpus, split_heldout, split_paragraphs
from models.language import IGNORE, make_sequences

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


def test_sequences_are_inputs_shifted_by_one_and_skip_sentence_starts():
    ids = [0, 5, 6, 7, 0, 8, 9]
    x, y = make_sequences(ids, seq_len=4, start_id=0)
    assert x.tolist() == [[0, 5, 6, 7], [0, 8, 9, 0]]  # the tail is padded with <s>
    assert y.tolist() == [[5, 6, 7, IGNORE], [8, 9, IGNORE, IGNORE]]


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
        ("caf\u00e9".encode("latin-1"), "UTF-8"),
        (b"x" * 2001, "limit"),
    ],
)
def test_decode_text_refuses_bad_uploads(data, message):
    with pytest.raises(ValueError, match=message):
        V.decode_text(data, max_bytes=2000)


def test_decode_text_accepts_utf8_with_bom():
    assert V.decode_text("Caf\u00e9 time.".encode("utf-8-sig"), 2000) == "Caf\u00e9 time."


# --- corpus ----------------------------------------------------------------------------------------------------
def test_corpus_is_read_in_sorted_order_and_holds_the_slide_sentence():
    names = [p.name for p in corpus_files()]
    assert names == sorted(names) and len(names) >= 3
    text = read_corpus()
    assert SLIDE in text
    paragraphs = split_paragraphs(text)
    train_part, heldout = split_heldout(paragraphs)
    assert len(heldout) == len(paragraphs) // 10
    assert heldout[0] == paragraphs[9] and len(train_part) + len(heldout) == len(paragraphs)


def test_corpus_is_big_enough():
    tokens = V.text_tokens(read_corpus())
    words = sum(t[0].isalnum() for t in tokens)
    sentences = tokens.count(V.START)
    assert words >= 30_000 and sentences >= 3_000, (words, sentences)


def test_split_heldout_needs_enough_paragraphs():
    assert split_heldout(["a", "b"]) == (["a", "b"], [])
