"""Word embeddings seen through PCA: a next-word model's embedding matrix projected to 2-D with the lab's own
``fit_pca``, nearest neighbours by cosine similarity in the full space, and how close named word groups sit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from models.language import LanguageModel, build_network
from models.pca import fit_pca
from models.training import seed_everything
from models.vocabulary import SPECIALS

WORD_GROUPS: dict[str, tuple[str, ...]] = {  # groups the page names; each word is in the bundled vocabulary
    "days": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "colours": ("red", "blue", "green", "yellow", "white", "black", "brown"),
    "family": ("mum", "dad", "sister", "brother", "grandma", "aunt", "uncle"),
    "numbers": ("two", "three", "four", "five", "six", "ten"),
    "pronouns": ("he", "she", "they", "we", "you", "i"),
    "meals": ("breakfast", "lunch", "dinner"),
    "times of day": ("morning", "afternoon", "evening", "night"),
}


@dataclass(frozen=True)
class EmbeddingView:
    """The embedding matrix of one model, its 2-D PCA map, and what the map keeps."""

    words: list[str]  # every vocabulary word (specials left out), most frequent first
    vectors: np.ndarray  # (V, E) the full-space embedding of each word
    coords: np.ndarray  # (V, 2) PC1 and PC2 scores of each word
    variance_kept: float  # share of the embeddings' variance the two components keep
    components: np.ndarray  # (2, E) the two principal directions

    def neighbours(self, word: str, k: int = 8) -> list[tuple[str, float]]:
        """The k words whose embeddings have the highest cosine similarity to ``word``'s, in the full space."""
        if word not in self.words:
            raise ValueError(f"{word!r} is not in the model's vocabulary")
        sims = cosine_matrix(self.vectors)[self.words.index(word)]
        order = [i for i in np.argsort(-sims, kind="stable") if self.words[i] != word][: max(int(k), 0)]
        return [(self.words[i], float(sims[i])) for i in order]

    def group_similarity(self, groups: Mapping[str, Sequence[str]] = WORD_GROUPS) -> dict[str, float]:
        """Average cosine similarity between the words of each group (pairs of different words)."""
        sims = cosine_matrix(self.vectors)
        result = {}
        for name, members in groups.items():
            idx = [self.words.index(w) for w in members if w in self.words]
            if len(idx) >= 2:
                block = sims[np.ix_(idx, idx)]
                result[name] = float((block.sum() - np.trace(block)) / (len(idx) * (len(idx) - 1)))
        return result

    def frequent(self, n: int) -> np.ndarray:
        """Indices of the n most frequent words (the vocabulary is ordered by frequency)."""
        return np.arange(min(max(int(n), 0), len(self.words)))

    def points(self, n: int, groups: Mapping[str, Sequence[str]] = WORD_GROUPS, focus: Sequence[str] = ()) -> list:
        """Map points for the n most frequent words plus every group and focus word: x, y, word, group, focus."""
        group_of = {w: name for name, members in groups.items() for w in members}
        wanted = set(group_of) | set(focus)
        shown = [i for i, w in enumerate(self.words) if i < n or w in wanted]
        return [
            {
                "x": round(float(self.coords[i, 0]), 4),
                "y": round(float(self.coords[i, 1]), 4),
                "word": self.words[i],
                "group": group_of.get(self.words[i], "other"),
                "focus": self.words[i] in focus,
            }
            for i in shown
        ]

    def random_pair_similarity(self) -> float:
        """Average cosine similarity between two different words of the vocabulary: the baseline for groups."""
        sims = cosine_matrix(self.vectors)
        n = len(sims)
        return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T


def initial_embedding(model: LanguageModel, seed: int = 0) -> np.ndarray:
    """The random embedding matrix the model started from: training seeds first, so the same seed rebuilds it."""
    seed_everything(seed)
    return build_network(model.config, len(model.vocab), model.vocab.start_id).embed.weight.detach().numpy()


def embedding_view(model: LanguageModel, *, change: bool = False, seed: int = 0) -> EmbeddingView:
    """The model's word embeddings (rows of its embedding layer) and their 2-D PCA map.

    With ``change`` the vectors are what training added, trained minus the random start (``seed`` must be the
    training seed): a few epochs move each vector only a little, so the start hides what was learned.
    """
    if not hasattr(model.network, "embed"):
        raise ValueError("the bag-of-words model has no embedding layer: it reads counts, not word vectors")
    keep = [i for i, tok in enumerate(model.vocab.itos) if tok not in SPECIALS]
    weights = model.network.embed.weight.detach().numpy()
    if change:
        weights = weights - initial_embedding(model, seed)
    vectors = weights[keep].astype(np.float64)
    pca = fit_pca(vectors, n_components=2)
    return EmbeddingView(
        words=[model.vocab.itos[i] for i in keep],
        vectors=vectors,
        coords=pca.transform(vectors),
        variance_kept=float(np.sum(pca.explained_variance_ratio)),
        components=pca.components,
    )


def start_similarity(model: LanguageModel, seed: int = 0) -> float:
    """Average cosine similarity between each word's trained embedding and its random start."""
    keep = [i for i, tok in enumerate(model.vocab.itos) if tok not in SPECIALS]
    start = initial_embedding(model, seed)[keep]
    trained = model.network.embed.weight.detach().numpy()[keep]
    cos = (start * trained).sum(1) / np.maximum(np.linalg.norm(start, axis=1) * np.linalg.norm(trained, axis=1), 1e-12)
    return float(cos.mean())
