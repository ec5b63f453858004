"""The language models: tokenizer, vocabulary, corpus, the four models, and their probes checked against torch."""

import io
import math
import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from models import language as L
from models import long_dependency as LD
from models.corpus import corpus_files, read_corpus, split_heldout, split_paragraphs
from models.training import count_parameters

SLIDE = "This morning I took my dog for a walk."


@pytest.fixture(scope="module")
def small_text() -> str:
    """The first 80 paragraphs of the corpus: enough to learn something, quick to train on."""
    return "\n\n".join(split_paragraphs(read_corpus())[:80])


@pytest.fixture(scope="module")
def trained(small_text) -> dict[str, L.LanguageModel]:
    return {kind: L.train_language_model(small_text, kind, epochs=2) for kind in L.KINDS}


# --- text ----------------------------------------------------------------------------------------------------
def test_tokenize_words_and_punctuation():
    assert L.tokenize("This morning I took my dog's lead, then left!") == [
        "this", "morning", "i", "took", "my", "dog's", "lead", ",", "then", "left", "!",
    ]  # fmt: skip


def test_sentence_starts_are_marked():
    tokens = L.mark_sentences(L.tokenize('I ran. "Stop!" She said. ok'), open_end=True)
    assert tokens == ["<s>", "i", "ran", ".", '"', "<s>", "stop", "!", '"', "<s>", "she", "said", ".", "<s>", "ok"]
    assert L.mark_sentences(L.tokenize("Home."), open_end=True)[-1] == L.START
    assert L.mark_sentences([], open_end=True) == [L.START]


def test_vocabulary_min_count_cap_and_unknown_words():
    tokens = ["a", "a", "a", "b", "b", "c"]
    vocab = L.Vocabulary.build(tokens, min_count=2, max_size=10)
    assert vocab.itos == ["<s>", "<unk>", "a", "b"]
    assert vocab.encode(["a", "c", "zebra"]) == [2, 1, 1]
    assert L.Vocabulary.build(tokens, min_count=1, max_size=3).itos == ["<s>", "<unk>", "a"]
    assert list(vocab.count_vector(["<s>", "a", "b", "a", "x"])) == [0, 1, 2, 1]


def test_sequences_are_inputs_shifted_by_one_and_skip_sentence_starts():
    ids = [0, 5, 6, 7, 0, 8, 9]
    x, y = L.make_sequences(ids, seq_len=4, start_id=0)
    assert x.tolist() == [[0, 5, 6, 7], [0, 8, 9, 0]]  # the tail is padded with <s>
    assert y.tolist() == [[5, 6, 7, L.IGNORE], [8, 9, L.IGNORE, L.IGNORE]]


def test_shuffle_keeps_the_words():
    shuffled = L.shuffle_words(SLIDE, seed=3)
    assert sorted(L.tokenize(shuffled)) == sorted(L.tokenize(SLIDE))
    assert shuffled != " ".join(L.tokenize(SLIDE))


def test_detokenize_reads_like_text():
    assert L.detokenize(["<s>", "i", "took", "my", "dog", ".", "<s>", "it", "rained", "."]) == (
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
        L.decode_text(data, max_bytes=2000)


def test_decode_text_accepts_utf8_with_bom():
    assert L.decode_text("Caf\u00e9 time.".encode("utf-8-sig"), 2000) == "Caf\u00e9 time."


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
    tokens = L.text_tokens(read_corpus())
    words = sum(t[0].isalnum() for t in tokens)
    sentences = tokens.count(L.START)
    assert words >= 30_000 and sentences >= 3_000, (words, sentences)


def test_split_heldout_needs_enough_paragraphs():
    assert split_heldout(["a", "b"]) == (["a", "b"], [])


# --- the four models -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", ["", "   ", "zyxwv qqq", "🙂🙂 dog", "x" * 10_000, "the " * 3000, SLIDE])
def test_predict_next_accepts_any_string_and_sums_to_one(trained, prompt):
    for model in trained.values():
        probs = model.next_distribution(prompt)
        assert probs.shape == (len(model.vocab),)
        assert math.isclose(probs.sum(), 1.0, abs_tol=1e-9) and probs[model.vocab.start_id] == 0
        top = model.predict_next(prompt, k=5)
        assert len(top) == 5 and [p for _, p in top] == sorted((p for _, p in top), reverse=True)


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
        shuffled = L.shuffle_words(prompt, seed)
        assert shuffled != prompt
        assert np.array_equal(bow.next_distribution(prompt), bow.next_distribution(shuffled))
    assert not np.array_equal(trained["lstm"].next_distribution(prompt), trained["lstm"].next_distribution(shuffled))


def test_bow_first_layer_is_a_linear_layer_over_the_count_vector(trained):
    bow = trained["bow"]
    prompt = "the dog and the cat and the dog"
    counts = torch.tensor(bow.count_vector(prompt), dtype=torch.float32)
    expected = torch.relu(counts @ bow.net.hidden.weight.T + bow.net.hidden.bias)
    _, hidden = bow.hidden_states(prompt)
    assert torch.allclose(torch.tensor(hidden[-1]), expected, atol=1e-5)
    assert counts.sum() == len(L.tokenize(prompt))


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
    ids = model.vocab.encode(L.text_tokens(text))
    with torch.no_grad():
        logits = model.net(torch.tensor([ids[:-1]]))[0]
    targets = torch.tensor(ids[1:])
    keep = targets != model.vocab.start_id
    expected = math.exp(F.cross_entropy(logits[keep], targets[keep]).item())
    assert math.isclose(model.perplexity(text), expected, rel_tol=1e-5)


def test_generate_greedy_is_deterministic_and_sampling_is_seeded(trained):
    model = trained["lstm"]
    greedy = model.generate(SLIDE, 8, 0.0)
    assert len(greedy) == 8 and greedy == model.generate(SLIDE, 8, 0.0, seed=5)
    assert model.generate(SLIDE, 8, 1.0, seed=1) == model.generate(SLIDE, 8, 1.0, seed=1)
    assert L.UNK not in greedy and L.START not in greedy
    assert model.generate("", 0) == []
    with pytest.raises(ValueError):
        model.generate(SLIDE, 3, -1.0)


def test_payload_round_trip_is_weights_only_safe(trained):
    for model in trained.values():
        buffer = io.BytesIO()
        torch.save(model.to_payload(), buffer)
        buffer.seek(0)
        restored = L.LanguageModel.from_payload(torch.load(buffer, weights_only=True))
        assert restored.predict_next(SLIDE, 3) == model.predict_next(SLIDE, 3)
        assert restored.num_parameters == model.num_parameters == count_parameters(model.net)
        assert restored.history.loss == model.history.loss


def test_parameter_counts_match_the_architecture(trained):
    v = len(trained["window"].vocab)
    c = L.default_config("window", epochs=2)
    e, h = c.embedding_dim, c.hidden_size
    assert trained["window"].num_parameters == v * e + (2 * e * h + h) + (h * v + v)
    assert trained["bow"].num_parameters == (v * h + h) + (h * v + v)
    assert trained["lstm"].num_parameters == v * e + 4 * h * (e + h + 2) + (h * v + v)
    assert trained["rnn"].num_parameters == v * e + h * (e + h + 2) + (h * v + v)


def test_heldout_perplexity_and_history(trained):
    for model in trained.values():
        assert len(model.history.loss) == 2 and len(model.history.val_loss) == 2
        assert model.heldout_perplexity > 1


@pytest.mark.parametrize("text", ["", "   \n\n  ", None])
def test_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="empty"):
        L.train_language_model(text, "rnn")


def test_unknown_kind_and_setting_are_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        L.train_language_model("Some words here.", "transformer")
    with pytest.raises(ValueError, match="unknown setting"):
        L.train_language_model("Some words here.", "rnn", dropout=0.5)


@pytest.mark.parametrize("text", ["Hello.", "dog", "🙂", "The cat sat on the mat. The dog sat on the log."])
def test_a_tiny_text_still_trains(text):
    for kind in L.KINDS:
        model = L.train_language_model(text, kind, epochs=3, hidden_size=8, embedding_dim=4)
        assert math.isclose(model.next_distribution("the").sum(), 1.0, abs_tol=1e-9)
        assert math.isnan(model.heldout_perplexity)


def test_overrides_reach_the_model(small_text):
    model = L.train_language_model(small_text, "rnn", epochs=1, hidden_size=16, embedding_dim=8, learning_rate=0.01)
    assert model.config.hidden_size == 16 and model.net.rnn.hidden_size == 16
    assert model.net.embed.embedding_dim == 8 and len(model.history.loss) == 1


# --- looking inside: checked against torch ---------------------------------------------------------------------
def test_lstm_gates_match_torch_lstm(trained):
    model = trained["lstm"]
    trace = model.lstm_gates(SLIDE)
    for gate in (trace.forget, trace.input, trace.output):
        assert gate.min() >= 0 and gate.max() <= 1
    assert np.abs(trace.candidate).max() <= 1
    c_prev = np.vstack([np.zeros((1, trace.cell.shape[1])), trace.cell[:-1]])
    assert np.allclose(trace.cell, trace.forget * c_prev + trace.input * trace.candidate, atol=1e-6)
    assert np.allclose(trace.hidden, trace.output * np.tanh(trace.cell), atol=1e-6)
    ids = torch.tensor([model.vocab.encode(trace.tokens)])
    with torch.no_grad():
        out, (_, c_n) = model.net.rnn(model.net.embed(ids))
    assert np.allclose(trace.hidden, out[0].numpy(), atol=1e-5)
    assert np.allclose(trace.cell[-1], c_n[0, 0].numpy(), atol=1e-5)
    assert len(trace.busiest_units(10)) == 10
    with pytest.raises(ValueError):
        trained["rnn"].lstm_gates(SLIDE)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_gradient_norms_match_autograd_through_torch_layers(trained, kind):
    model = trained[kind]
    tokens, norms = model.gradient_norms(SLIDE)
    ids = model.vocab.encode([*tokens, L.tokenize(SLIDE)[-1]])
    # Reference: torch's own layer, one step at a time, so every h_t is a leaf we can ask for its gradient.
    layer, x = model.net.rnn, model.net.embed(torch.tensor(ids[:-1])).detach()
    h = torch.zeros(1, 1, layer.hidden_size)
    c = torch.zeros(1, 1, layer.hidden_size)
    states = []
    for t in range(len(x)):
        if kind == "rnn":
            _, h = layer(x[t].view(1, 1, -1), h)
        else:
            _, (h, c) = layer(x[t].view(1, 1, -1), (h, c))
        h.retain_grad()
        states.append(h)
    F.cross_entropy(model.net.out(h[0]), torch.tensor([ids[-1]])).backward()
    model.net.zero_grad(set_to_none=True)
    expected = np.array([float(s.grad.norm()) for s in states])
    assert np.allclose(norms, expected, rtol=1e-4, atol=1e-9)


def test_spectral_radius_controls_vanishing(trained):
    model = trained["rnn"]
    w = torch.randn(6, 6)
    assert math.isclose(float(torch.linalg.eigvals(L.scale_spectral_radius(w, 0.7)).abs().max()), 0.7, rel_tol=1e-4)
    sentence = "This morning I took my dog for a walk in the park and then we went home for breakfast"
    _, small = model.gradient_norms(sentence, spectral_radius=0.25)
    assert small[0] < 1e-4 * small[-1]  # vanishing: the first step hears almost nothing
    _, big = model.gradient_norms(sentence, spectral_radius=2.0)
    assert big[0] / big[-1] > small[0] / small[-1]
    with pytest.raises(ValueError):
        trained["lstm"].gradient_norms(sentence, spectral_radius=2.0)
    with pytest.raises(ValueError):
        trained["window"].gradient_norms(sentence)


def test_exploding_run_records_norms_before_clipping(small_text):
    config = L.ExplodingConfig(steps=6, batch_size=4, seq_len=24)
    free = L.exploding_gradient_run(small_text, clip=None, config=config)
    clipped = L.exploding_gradient_run(small_text, clip=0.5, config=config)
    assert len(free.grad_norm) == len(clipped.grad_norm) == 6
    assert free.grad_norm[0] == clipped.grad_norm[0] > 0.5  # same start; the record is before clipping
    assert free.step_loss[0] == clipped.step_loss[0]


# --- long-term dependencies ------------------------------------------------------------------------------------
def test_recall_sentence_puts_the_colour_at_the_distance():
    rng = random.Random(0)
    for distance in (3, 12, 30):
        tokens, colour = LD.recall_sentence(distance, rng)
        assert colour in LD.COLOURS and tokens[LD.PREFIX_LEN - 1] == colour
        assert len(tokens) - 1 - (LD.PREFIX_LEN - 1) == distance
        assert tokens.count(colour) == 1
    with pytest.raises(ValueError):
        LD.recall_sentence(1, rng)


def test_recall_model_trains_and_reports_accuracy():
    config = LD.RecallConfig(stages=(6, 10), examples=64, epochs=1, hidden_size=8)
    for kind in ("rnn", "lstm"):
        model = LD.train_recall_model(kind, config)
        accuracy = LD.recall_accuracy(model, [4, 10], n=20)
        assert set(accuracy) == {4, 10} and all(0 <= a <= 1 for a in accuracy.values())
        assert len(model.history.loss) == 2
    with pytest.raises(ValueError):
        LD.train_recall_model("bow", config)


def test_recurrent_net_matches_torch_layers():
    torch.manual_seed(0)
    net = L.RecurrentNet("lstm", 20, 4, 6)
    x = torch.randint(0, 20, (2, 5))
    reference = nn.LSTM(4, 6, batch_first=True)
    reference.load_state_dict(net.rnn.state_dict())
    out, _ = reference(net.embed(x))
    assert torch.allclose(net(x), net.out(out))


def test_bow_training_path_equals_the_count_vector_path(trained):
    net = trained["bow"].net
    x = torch.tensor([trained["bow"].vocab.encode(L.text_tokens("The dog and the cat. The dog ran home."))])
    with torch.no_grad():
        net.train()
        fast = net.features(x)
        net.eval()
        exact = net.features(x)
    assert torch.allclose(fast, exact, atol=1e-5)


def test_recurrent_weight_norms_grow_above_one_and_shrink_below(trained):
    model = trained["rnn"]
    sentence = "This morning I took my dog for a walk in the park and then we went home"
    tokens, real = model.gradient_norms(sentence)
    for radius, grows in ((0.5, False), (1.5, True)):
        norms = model.recurrent_weight_norms(sentence, radius)
        assert len(norms) == len(tokens) and math.isclose(norms[-1], real[-1], rel_tol=1e-4)
        assert (norms[0] > norms[-1]) == grows
