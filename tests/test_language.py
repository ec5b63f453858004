"""models/language.py: the four next-word models (window, bag of words, RNN, LSTM): prediction, perplexity,
generation, persistence, and bad prompts or texts.
"""

import io
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import language as L
from models.corpus import read_corpus, split_paragraphs
from models.language_networks import READOUT_DIV
from models.training import count_parameters
from models.vocabulary import MAX_TEXT_CHARS, START, UNK, shuffle_words, text_tokens, tokenize

SLIDE = "This morning I took my dog for a walk."


# --- the four models -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "prompt",
    ["", "   \n\t ", "zyxwv qqq", "🙂🙂 dog", "🐶🌧️ 🚌", "?!.,;:", "x" * 10_000, "the " * 3000, "word " * 2000, SLIDE],
    ids=["empty", "whitespace", "unknown words", "emoji and a word", "emoji", "punctuation only", "10,000 characters",
         "3,000 words", "2,000 words", "the slide"],
)  # fmt: skip
def test_predict_next_accepts_any_string_and_sums_to_one(trained, prompt):
    for model in trained.values():
        probs = model.next_distribution(prompt)
        assert probs.shape == (len(model.vocab),)
        assert math.isclose(probs.sum(), 1.0, abs_tol=1e-9) and probs[model.vocab.start_id] == 0
        top = model.predict_next(prompt, k=5)
        assert len(top) == 5 and [p for _, p in top] == sorted((p for _, p in top), reverse=True)
        words = model.generate(prompt, n=3, temperature=0.8)
        assert len(words) == 3 and all(w in model.vocab.stoi for w in words)


def test_long_prompt_keeps_the_last_tokens(trained):
    model = trained["lstm"]
    assert len(model.prompt_tokens("word " * 5000)) == L.MAX_PROMPT_TOKENS
    assert model.prompt_tokens("blah " * 500 + "my dog")[-2:] == ["my", "dog"]


def test_models_learn_the_slide_sentence():
    walks = "\n\n".join(p for p in split_paragraphs(read_corpus()) if "walk" in p)
    for kind in ("window", "lstm"):
        model = L.train_language_model(walks, kind, epochs=8)
        assert model.history.loss[-1] < model.history.loss[0]
        words = [w for w, _ in model.predict_next("This morning I took my dog for a", k=5)]
        assert "walk" in words, (kind, words)


def test_bow_ignores_word_order_exactly(trained):
    bow = trained["bow"]
    prompt = "this morning i took my dog for a"
    for seed in range(3):
        shuffled = shuffle_words(prompt, seed)
        assert shuffled != prompt
        assert np.array_equal(bow.next_distribution(prompt), bow.next_distribution(shuffled))
    assert not np.array_equal(trained["lstm"].next_distribution(prompt), trained["lstm"].next_distribution(shuffled))


def test_bow_first_layer_is_a_linear_layer_over_the_count_vector(trained):
    bow = trained["bow"]
    prompt = "the dog and the cat and the dog"
    counts = torch.tensor(bow.count_vector(prompt), dtype=torch.float32)
    expected = torch.relu(counts @ bow.network.hidden.weight.T + bow.network.hidden.bias)
    _, hidden = bow.hidden_states(prompt)
    assert torch.allclose(torch.tensor(hidden[-1]), expected, atol=1e-5)
    assert counts.sum() == len(tokenize(prompt))


def test_window_sees_only_the_last_two_words(trained):
    window = trained["window"]
    a = window.next_distribution("yesterday at school my friend gave me a")
    b = window.next_distribution("at home my brother gave me a")
    assert np.allclose(a, b, atol=1e-6)
    assert not np.allclose(a, window.next_distribution("the dog came back with a"), atol=1e-6)


def test_perplexity_is_finite_and_beats_uniform(trained, small_text):
    for model in trained.values():
        ppl = model.perplexity(small_text)
        assert 1 < ppl < len(model.vocab)
    with pytest.raises(ValueError):
        trained["rnn"].perplexity("   ")


def test_perplexity_matches_cross_entropy(trained):
    model = trained["rnn"]
    text = "My dog likes the park. We walk there every morning."
    ids = model.vocab.encode(text_tokens(text))
    with torch.no_grad():
        logits = model.network(torch.tensor([ids[:-1]]))[0]
    targets = torch.tensor(ids[1:])
    keep = targets != model.vocab.start_id
    expected = math.exp(F.cross_entropy(logits[keep], targets[keep]).item())
    assert math.isclose(model.perplexity(text), expected, rel_tol=1e-5)


@pytest.mark.parametrize("kind", ["bow", "lstm"])
def test_perplexity_read_in_slices_equals_one_pass_over_every_piece(trained, small_text, kind):
    """Perplexity scores a training batch of pieces at a time (memory); the number is that of one big pass."""
    model = trained[kind]
    text = " ".join([small_text] * 4)  # more pieces than one batch holds
    inputs, targets = L.make_sequences(
        model.vocab.encode(text_tokens(text)), model.config.seq_len, model.vocab.start_id
    )
    assert len(inputs) > model.config.batch_size
    with torch.no_grad():
        logits = model.network(inputs)
    loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=L.IGNORE, reduction="sum").item()
    expected = math.exp(loss / int((targets != L.IGNORE).sum()))
    assert math.isclose(model.perplexity(text), expected, rel_tol=1e-5)


def test_generate_greedy_is_deterministic_and_sampling_is_seeded(trained):
    model = trained["lstm"]
    greedy = model.generate(SLIDE, 8, 0.0)
    assert len(greedy) == 8 and greedy == model.generate(SLIDE, 8, 0.0, seed=5)
    assert model.generate(SLIDE, 8, 1.0, seed=1) == model.generate(SLIDE, 8, 1.0, seed=1)
    assert UNK not in greedy and START not in greedy
    assert model.generate("", 0) == []
    with pytest.raises(ValueError, match="temperature"):
        model.generate(SLIDE, 3, -1.0)


def test_payload_round_trip_is_weights_only_safe(trained):
    for model in trained.values():
        buffer = io.BytesIO()
        torch.save(model.to_payload(), buffer)
        buffer.seek(0)
        restored = L.LanguageModel.from_payload(torch.load(buffer, weights_only=True))
        assert restored.predict_next(SLIDE, 3) == model.predict_next(SLIDE, 3)
        assert restored.num_parameters == model.num_parameters == count_parameters(model.network)
        assert restored.history.loss == model.history.loss


def adaptive_readout_parameters(h: int, v: int, cutoffs: tuple[int, ...], div: float) -> int:
    """By hand: a head over the first ids and one entry per group, then per group a projection and its scores."""
    bounds = [*cutoffs, v]
    count = h * (cutoffs[0] + len(cutoffs))  # the head has no bias
    for i in range(len(cutoffs)):
        small = int(h // div ** (i + 1))
        count += h * small + small * (bounds[i + 1] - bounds[i])
    return count


def test_parameter_counts_match_the_architecture(trained):
    v = len(trained["window"].vocab)
    c = L.default_config("window", epochs=2)
    e, h = c.embedding_dim, c.hidden_size
    assert v > c.readout_cutoffs[-1] + 1  # the bundled corpus gets the adaptive softmax
    out = adaptive_readout_parameters(h, v, c.readout_cutoffs, READOUT_DIV)
    assert trained["window"].num_parameters == v * e + (2 * e * h + h) + out
    assert trained["bow"].num_parameters == (v * h + h) + out
    assert trained["lstm"].num_parameters == v * e + 4 * h * (e + h + 2) + out
    assert trained["rnn"].num_parameters == v * e + h * (e + h + 2) + out


def test_heldout_perplexity_and_history(trained):
    for model in trained.values():
        assert len(model.history.loss) == 2 and len(model.history.val_loss) == 2
        assert model.heldout_perplexity > 1


@pytest.mark.parametrize("text", ["", "   \n\n  ", None])
def test_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="empty"):
        L.train_language_model(text, "rnn")


def test_a_text_over_the_size_limit_is_refused():
    with pytest.raises(ValueError, match="too long"):
        L.train_language_model("a " * (MAX_TEXT_CHARS // 2 + 10), "bow", epochs=1)


def test_unknown_kind_and_setting_are_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        L.train_language_model("Some words here.", "transformer")
    with pytest.raises(ValueError, match="unknown setting"):
        L.train_language_model("Some words here.", "rnn", dropout=0.5)


@pytest.mark.parametrize(
    "text", ["Hello.", "dog", "the dog", "🙂", "!!! ??? ...", "The cat sat on the mat. The dog sat on the log."]
)
def test_a_tiny_text_still_trains(text):
    for kind in L.KINDS:
        model = L.train_language_model(text, kind, epochs=3, hidden_size=8, embedding_dim=4)
        assert math.isclose(model.next_distribution("the").sum(), 1.0, abs_tol=1e-9)
        assert math.isnan(model.heldout_perplexity)


def test_overrides_reach_the_model(small_text):
    model = L.train_language_model(small_text, "rnn", epochs=1, hidden_size=16, embedding_dim=8, learning_rate=0.01)
    assert model.config.hidden_size == 16 and model.network.rnn.hidden_size == 16
    assert model.network.embed.embedding_dim == 8 and len(model.history.loss) == 1


def test_sequences_are_inputs_shifted_by_one_and_skip_sentence_starts():
    ids = [0, 5, 6, 7, 0, 8, 9]
    x, y = L.make_sequences(ids, seq_len=4, start_id=0)
    assert x.tolist() == [[0, 5, 6, 7], [0, 8, 9, 0]]  # the tail is padded with <s>
    assert y.tolist() == [[5, 6, 7, L.IGNORE], [8, 9, L.IGNORE, L.IGNORE]]


def test_epochs_none_means_as_many_as_the_token_budget_needs():
    assert L.default_config("lstm").epochs is None
    text = "The cat sat on the mat. The dog sat on the log. " * 30
    model = L.train_language_model(text, "window", token_budget=4 * 64 * 10, hidden_size=8, embedding_dim=4)
    assert 1 <= len(model.history.loss) <= L.MAX_AUTO_EPOCHS
    assert len(L.train_language_model(text, "window", epochs=2, hidden_size=8).history.loss) == 2


def test_model_key_follows_the_weights(small_text):
    a = L.train_language_model(small_text, "window", epochs=1, hidden_size=8, embedding_dim=4)
    b = L.train_language_model(small_text, "window", epochs=1, hidden_size=8, embedding_dim=4)
    c = L.train_language_model(small_text, "window", epochs=1, hidden_size=8, embedding_dim=4, seed=1)
    assert a.key == b.key != c.key and a.key.startswith("window-")
