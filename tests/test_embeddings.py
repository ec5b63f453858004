"""Word embeddings through PCA: the 2-D map equals sklearn's PCA, neighbours equal a brute-force cosine search."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from models import embeddings as E
from models import language as L
from models.corpus import read_corpus, split_paragraphs
from models.vocabulary import START, UNK


@pytest.fixture(scope="module")
def model() -> L.LanguageModel:
    text = "\n\n".join(split_paragraphs(read_corpus())[:60])
    return L.train_language_model(text, "window", epochs=2)


@pytest.mark.parametrize("change", [False, True])
def test_embedding_pca_equals_sklearn(model, change):
    view = E.embedding_view(model, change=change)
    reference = PCA(n_components=2).fit(view.vectors)
    assert np.isclose(view.variance_kept, reference.explained_variance_ratio_.sum(), atol=1e-9)
    expected = reference.transform(view.vectors)
    for k in range(2):  # a component's sign is arbitrary
        assert np.allclose(np.abs(view.coords[:, k]), np.abs(expected[:, k]), atol=1e-8)
    assert UNK not in view.words and START not in view.words


def test_neighbours_equal_brute_force_cosine(model):
    view = E.embedding_view(model)
    word = view.words[5]
    target = view.vectors[5]
    sims = [
        (w, float(v @ target / (np.linalg.norm(v) * np.linalg.norm(target))))
        for w, v in zip(view.words, view.vectors, strict=True)
        if w != word
    ]
    expected = sorted(sims, key=lambda ws: -ws[1])[:6]
    got = view.neighbours(word, 6)
    assert [w for w, _ in got] == [w for w, _ in expected]
    assert np.allclose([s for _, s in got], [s for _, s in expected])
    with pytest.raises(ValueError, match="vocabulary"):
        view.neighbours("zzzqqq")


def test_change_from_start_is_zero_without_learning():
    text = "\n\n".join(split_paragraphs(read_corpus())[:20])
    frozen = L.train_language_model(text, "lstm", epochs=1, learning_rate=0.0)
    assert np.allclose(E.embedding_view(frozen, change=True).vectors, 0.0)
    assert np.isclose(E.start_similarity(frozen), 1.0)


def test_groups_and_baseline(model):
    view = E.embedding_view(model)
    groups = view.group_similarity({"pair": (view.words[2], view.words[3]), "missing": ("zzzqqq", "qqqzzz")})
    sims = E.cosine_matrix(view.vectors)
    assert set(groups) == {"pair"} and np.isclose(groups["pair"], sims[2, 3])
    assert -1 <= view.random_pair_similarity() <= 1
    points = view.points(10, focus=[view.words[40]])
    assert len(points) >= 10 and any(p["focus"] for p in points)


def test_bow_has_no_embedding():
    bow = L.train_language_model("The cat sat on the mat. The dog sat on the log.", "bow", epochs=1)
    with pytest.raises(ValueError, match="no embedding"):
        E.embedding_view(bow)
