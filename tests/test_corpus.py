"""models/corpus: the team's own text is read in a fixed order, holds the slide sentence, and is big enough."""

from models.corpus import corpus_files, read_corpus, split_heldout, split_paragraphs
from models.vocabulary import START, text_tokens

SLIDE = "This morning I took my dog for a walk."


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
    tokens = text_tokens(read_corpus())
    words = sum(t[0].isalnum() for t in tokens)
    sentences = tokens.count(START)
    assert words >= 30_000 and sentences >= 3_000, (words, sentences)


def test_split_heldout_needs_enough_paragraphs():
    assert split_heldout(["a", "b"]) == (["a", "b"], [])
