"""Cached getters of the dimensionality page: datasets, PCA fits and their tables, the digits autoencoders and
the views that compare them with PCA. Thin: the work is done in ``models``; ``resources`` owns the cache policy."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from components import images as _images
from components import pca_charts as _pca_charts
from components import resources
from models import autoencoder as _autoencoder
from models import pca as _pca
from models import pca_datasets as _pca_datasets
from models import pca_lessons as _pca_lessons
from models.training_process import Trainer

AUTOENCODER_VERSION = 1  # bump when the autoencoder's architecture or training changes
PREPROCESSING_KS = (1, 2, 3, 5, 8, 12, 16, 20, 30, 40, 64)  # k grid for logistic regression after PCA
SCATTER_MAX_POINTS = 1000  # scatters show at most this many (seeded) points


@resources.cache_data(max_entries=64)
def get_image_tiles(images: np.ndarray, signed: bool = False, size: int = 64) -> list[bytes]:
    """Small images (n, h, w) as crisp PNG tiles for ``st.image``, encoded once."""
    return _images.image_tiles(images, signed=signed, size=size)


def get_autoencoder(linear: bool = False) -> _autoencoder.TrainedAutoencoder:
    """The shared digits autoencoder with a 2-unit bottleneck: non-linear, or ``linear`` (no non-linearity)."""
    config = _autoencoder.LINEAR_CONFIG if linear else _autoencoder.DEFAULT_CONFIG
    return resources.shared_model(
        "linear_autoencoder" if linear else "autoencoder",
        config,
        AUTOENCODER_VERSION,
        train=Trainer(_autoencoder.train_autoencoder, (config,)),
        restore=_autoencoder.TrainedAutoencoder.from_payload,
        label="the linear autoencoder" if linear else "the digits autoencoder",
    )


AUTOENCODERS = (get_autoencoder, functools.partial(get_autoencoder, linear=True))  # what the page needs of the shelf


@resources.cache_data(max_entries=8)
def get_dataset(name: str, csv: bytes | None = None) -> _pca_datasets.Dataset:
    """A bundled dataset by name, or the parsed upload when ``csv`` is given (raises ValueError on bad files)."""
    return _pca_datasets.parse_csv(csv, name) if csv is not None else _pca_datasets.load_builtin(name)


@resources.cache_data(max_entries=32)
def get_pca(
    name: str, standardize: bool, csv: bytes | None = None, feature: int | None = None, factor: float = 1.0
) -> _pca.PCAResult:
    """PCA of a dataset, optionally after multiplying one feature by ``factor`` (a change of unit)."""
    X = get_dataset(name, csv).X
    if feature is not None and factor != 1.0:
        X = X.copy()
        X[:, feature] *= factor
    return _pca.fit_pca(X, standardize=standardize)


@resources.cache_data(max_entries=16)
def get_sklearn_agreement(name: str, standardize: bool) -> float:
    """How far the hand-written PCA is from sklearn's on a bundled dataset."""
    return _pca.sklearn_agreement(get_dataset(name).X, standardize=standardize)


@resources.cache_data(max_entries=16)
def get_pca_step_tables(name: str, standardize: bool) -> dict[str, pd.DataFrame]:
    """The numbers of each step of :func:`models.pca.fit_pca` on a bundled dataset, as small rounded tables."""
    data, result = get_dataset(name), get_pca(name, standardize)
    names = list(data.feature_names)
    eig = [f"λ{i + 1}" for i in range(len(names))]
    pcs = [f"PC{i + 1}" for i in range(len(names))]
    centre = {"mean": result.mean} | ({"std (divided out)": result.scale} if result.scale is not None else {})
    return {
        "centre": pd.DataFrame(centre, index=names).T.round(3),
        "prepared": pd.DataFrame(result.prepared[:5], columns=names).round(3),
        "eigenvalues": pd.DataFrame([result.raw_eigenvalues], index=["eigenvalue"], columns=eig).round(4),
        "eigenvectors": pd.DataFrame(result.raw_eigenvectors, index=names, columns=eig).round(3),
        "sorted": pd.DataFrame(
            {
                "was": [eig[i] for i in result.order],
                "eigenvalue (variance)": result.all_variance.round(4),
                "share (%)": (100 * result.all_variance_ratio).round(1),
                "cumulative (%)": (100 * result.cumulative_ratio).round(1),
            },
            index=pcs,
        ),
        "scores": pd.DataFrame(result.transform(data.X[:5]), columns=pcs).round(3),
    }


@resources.cache_data()
def get_digit_thumbnails() -> list[str]:
    """Every sklearn digit as a PNG data URL, for tooltips."""
    pixels, _ = _pca_datasets.digits_pixels()
    return [_images.image_data_url(row.reshape(8, 8)) for row in pixels]


@resources.cache_data(max_entries=64)
def get_pc_scatter_spec(name: str, standardize: bool, pc_x: int, pc_y: int, csv: bytes | None = None) -> dict:
    """Chart spec of the points on two chosen PCs (0-based), coloured by class, with digit-image tooltips."""
    data = get_dataset(name, csv)
    result = get_pca(name, standardize, csv)
    rows = np.random.default_rng(0).permutation(len(data.X))[:SCATTER_MAX_POINTS]
    scores = result.transform(data.X[rows])
    df = pd.DataFrame({"x": scores[:, pc_x], "y": scores[:, pc_y]})
    if data.labels is not None:
        df["label"] = data.labels[rows]
    if data.image_shape is not None:
        thumbnails = get_digit_thumbnails()
        df["image"] = [thumbnails[i] for i in rows]
    return _pca_charts.pc_scatter_chart(df, x_title=f"PC{pc_x + 1}", y_title=f"PC{pc_y + 1}").to_dict()


@resources.cache_data()
def get_digits_pca() -> _pca.PCAResult:
    """PCA of the digits pixels in [0, 1] (no standardising, so components are images in pixel units)."""
    return _pca.fit_pca(_pca_datasets.digits_pixels()[0])


@resources.cache_data(spinner="Fitting logistic regression once for each k…")
def get_preprocessing_curve(
    ks: tuple[int, ...] = PREPROCESSING_KS,
) -> tuple[list[_pca.PreprocessingPoint], _pca.PreprocessingPoint]:
    """Logistic regression on digits after standardise → PCA(k), for every k, and the baseline without PCA."""
    data = get_dataset("digits")
    return _pca.pca_then_logistic(data.X, data.labels, ks)


@dataclass(frozen=True)
class LatentViews:
    """What the autoencoder section shows: both 2-D codes as chart specs, sample reconstructions and the errors."""

    ae_spec: dict  # held-out digits in the autoencoder's code
    pca_spec: dict  # the same digits on PCA's first two components
    count: int  # how many held-out digits
    tiles: dict[str, tuple[list[bytes], list[str]]]  # row name -> (PNG tiles, captions)
    errors: dict[str, float]  # method -> mean squared error per pixel on the held-out digits


@resources.cache_data(max_entries=4)
def get_latent_views(
    model: _autoencoder.TrainedAutoencoder, linear: _autoencoder.TrainedAutoencoder, samples: int = 8
) -> LatentViews:
    """Held-out digits in the autoencoder's 2-D code and in PCA's, reconstructions of ``samples`` of them (each
    with its MSE per pixel), and each method's mean test error (``pca_lessons.latent_comparison``)."""
    found = _pca_lessons.latent_comparison(model, linear)
    thumbnails = [_images.image_data_url(row.reshape(8, 8)) for row in found.digits]

    def scatter(codes: np.ndarray, axis: str, title: str) -> dict:
        df = pd.DataFrame({"x": codes[:, 0], "y": codes[:, 1], "label": found.labels, "image": thumbnails})
        return _pca_charts.pc_scatter_chart(df, x_title=f"{axis} 1", y_title=f"{axis} 2", title=title).to_dict()

    shown = found.digits[:samples]
    captions = [f"label {d}" for d in found.labels[:samples]]
    tiles = {"original": (_images.image_tiles(shown.reshape(-1, 8, 8)), captions)}
    for method, rows in found.rebuilt.items():
        errors = ((rows[:samples] - shown) ** 2).mean(axis=1)
        tiles[method] = (_images.image_tiles(rows[:samples].reshape(-1, 8, 8)), [f"{e:.3f}" for e in errors])
    return LatentViews(
        ae_spec=scatter(found.codes["autoencoder"], "code", "Autoencoder: its 2-D code"),
        pca_spec=scatter(found.codes["pca"], "PC", "PCA: the first 2 components"),
        count=len(found.digits),
        tiles=tiles,
        errors=found.errors,
    )
