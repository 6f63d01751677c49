"""Spike data: frozen Poisson inputs, dithered pictures as targets, SHD-shaped data sets.

- :func:`poisson_spikes`: Bernoulli-per-bin Poisson spike trains (``P(spike) = rate·dt``),
  drawn once and reused ("frozen").
- :func:`dither`: a picture as a binary spike raster (Floyd–Steinberg error diffusion), the
  spike-train-matching target of Gygax & Zenke.
- :class:`SpikeDataset`: a classification data set stored sparsely (one ``(step, unit)``
  event list per sample) that yields dense ``(batch, T, n)`` mini-batches.
- :func:`synthetic_shd`: a random-manifold task with the shape of the Spiking Heidelberg
  Digits (700 units, 350 steps, 20 classes), in the spirit of Zenke & Vogels' randman.
- :func:`load_shd`: the real SHD HDF5 files (``pip install stochad[hdf5]`` for ``h5py``).

Arrays follow the layer set's convention: time on axis ``-2``, units on axis ``-1``.
Randomness comes only from the ``numpy.random.Generator`` each function is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

try:  # optional: only the SHD loader needs it
    import h5py
except ImportError:  # pragma: no cover - depends on the environment
    h5py = None

__all__ = ["poisson_spikes", "dither", "SpikeDataset", "synthetic_shd", "load_shd"]


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng


def _positive_int(x, name: str) -> int:
    if not (isinstance(x, Integral) and x >= 1):
        raise ValueError(f"{name} must be an integer ≥ 1, got {x!r}")
    return int(x)


def _positive(x, name: str) -> float:
    if not (isinstance(x, Real) and np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive finite number, got {x!r}")
    return float(x)


# -- Poisson inputs -------------------------------------------------------------------
def poisson_spikes(
    rate, T: int, n: int, dt: float, rng: np.random.Generator, *, batch: int | None = None
) -> np.ndarray:
    """Poisson spike trains on a time grid: each bin spikes with probability ``rate·dt``.

    The discrete-time Poisson process (at most one spike per bin, as a LIF input takes it):
    bins are independent, so each neuron's count over ``T`` bins is
    ``Binomial(T, rate·dt)``, mean ``T·rate·dt``.

    Parameters
    ----------
    rate : float or array-like
        firing rate(s), broadcastable to ``(T, n)`` (e.g. one per neuron, shape ``(n,)``),
        in events per unit of ``dt``; ``0 ≤ rate·dt ≤ 1``.
    T : int
        number of time steps.
    n : int
        number of neurons.
    dt : float
        time step.
    rng : numpy.random.Generator
    batch : int, optional
        draw ``batch`` independent samples, shape ``(batch, T, n)``.

    Returns
    -------
    ndarray of float64 (0/1), shape ``(T, n)`` or ``(batch, T, n)``

    Raises
    ------
    ValueError
        for ``rate·dt`` outside ``[0, 1]``, a rate that does not broadcast, or bad sizes.
    TypeError
        if ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.data import poisson_spikes
    >>> S = poisson_spikes(50.0, 198, 200, 1e-3, np.random.default_rng(0))   # Gygax & Zenke
    >>> S.shape, round(float(S.mean() / 1e-3), 1)                             # rate ≈ 50 Hz
    ((198, 200), 49.7)
    """
    T = _positive_int(T, "T")
    n = _positive_int(n, "n")
    dt = _positive(dt, "dt")
    _check_rng(rng)
    p = np.asarray(rate, dtype=np.float64) * dt
    try:
        p = np.broadcast_to(p, (T, n))
    except ValueError as error:
        raise ValueError(
            f"rate of shape {np.shape(rate)} does not broadcast to (T, n) = ({T}, {n})"
        ) from error
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError(
            f"rate·dt must lie in [0, 1] (a spike probability per bin), got values in "
            f"[{p.min():.4g}, {p.max():.4g}]"
        )
    shape = (T, n) if batch is None else (_positive_int(batch, "batch"), T, n)
    return (rng.random(shape) < p).astype(np.float64)


# -- dithering ------------------------------------------------------------------------
def _intensity(image) -> np.ndarray:
    """A picture as floats in [0, 1]: integer images by their dtype's range, floats as they are."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-d (height, width), got shape {image.shape}")
    if np.issubdtype(image.dtype, np.bool_):
        return image.astype(np.float64)
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        if image.min() < 0:
            raise ValueError("an integer image must be non-negative (0 = black)")
        return image.astype(np.float64) / info.max
    image = image.astype(np.float64)
    if not (np.all(np.isfinite(image)) and image.min() >= 0 and image.max() <= 1):
        raise ValueError(
            "a float image must lie in [0, 1] (integer images are scaled by their dtype's "
            f"maximum), got values in [{np.nanmin(image):.4g}, {np.nanmax(image):.4g}]"
        )
    return image


def dither(image, *, invert: bool = False) -> np.ndarray:
    """A picture as a binary spike raster, by Floyd–Steinberg error diffusion.

    Each pixel, in reading order, becomes ``1`` if its intensity (plus the error diffused
    to it) is ``≥ ½``, else ``0``; the quantization error goes to the unvisited neighbours
    with weights 7/16 (right), 3/16 (below left), 5/16 (below) and 1/16 (below right). So
    a region's spike density follows its intensity (the total error is bounded).

    The raster is returned as spike trains: image **row i is neuron i** and **column t is
    time step t**, i.e. the result is the dithered image transposed, of shape
    ``(width, height) = (T, n)``; plotting ``raster.T`` shows the picture.

    Parameters
    ----------
    image : array-like, shape (height, width)
        floats in ``[0, 1]``, booleans, or unsigned integers scaled by their dtype's
        maximum (``uint8``: 255 is white). Bright pixels become spikes.
    invert : bool
        make dark pixels the spikes (a drawing in black ink on white).

    Returns
    -------
    ndarray of float64 (0/1), shape ``(width, height)``

    Raises
    ------
    ValueError
        for a non-2-d image or intensities outside the range.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.data import dither
    >>> dither(np.full((1, 4), 0.5))[:, 0]        # errors alternate: on, off, on, off
    array([1., 0., 1., 0.])
    >>> float(dither(np.full((40, 50), 0.25)).mean())   # ¼ up to the error lost at the edges
    0.242
    """
    pixels = _intensity(image)
    if invert:
        pixels = 1.0 - pixels
    height, width = pixels.shape
    # one extra column on each side and a row below absorb the edge errors
    work = np.zeros((height + 1, width + 2))
    work[:height, 1:-1] = pixels
    out = np.zeros((height, width))
    for i in range(height):
        row, below = work[i], work[i + 1]
        for j in range(1, width + 1):
            bit = 1.0 if row[j] >= 0.5 else 0.0
            error = row[j] - bit
            out[i, j - 1] = bit
            row[j + 1] += error * (7 / 16)
            below[j - 1] += error * (3 / 16)
            below[j] += error * (5 / 16)
            below[j + 1] += error * (1 / 16)
    return np.ascontiguousarray(out.T)


# -- sparse data sets -----------------------------------------------------------------
@dataclass(frozen=True)
class SpikeDataset:
    """A spiking classification data set stored as events, densified per mini-batch.

    Sample ``k`` has the events ``steps[offsets[k]:offsets[k+1]]`` (time-step indices in
    ``[0, n_steps)``) and ``units[…]`` (in ``[0, n_units)``), and the label ``labels[k]``.
    Several events in one bin of one unit count once (:meth:`dense` is 0/1).

    Attributes
    ----------
    steps, units : ndarray of int
        all samples' events, concatenated.
    offsets : ndarray of int, shape (n_samples + 1,)
        where each sample's events start.
    labels : ndarray of int, shape (n_samples,)
    n_steps, n_units, n_classes : int
    dt : float
        the bin width the steps refer to.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.data import SpikeDataset
    >>> ds = SpikeDataset.from_events([([0, 2], [1, 0]), ([1], [1])], [0, 1],
    ...                               n_steps=3, n_units=2, dt=1e-3)
    >>> len(ds), ds.dense([0])[0]
    (2, array([[0., 1.],
           [0., 0.],
           [1., 0.]]))
    """

    steps: np.ndarray
    units: np.ndarray
    offsets: np.ndarray
    labels: np.ndarray
    n_steps: int
    n_units: int
    n_classes: int
    dt: float

    def __post_init__(self):
        if self.offsets.ndim != 1 or len(self.offsets) != len(self.labels) + 1:
            raise ValueError("offsets must have one entry more than labels")
        if self.steps.shape != self.units.shape or self.offsets[-1] != len(self.steps):
            raise ValueError("steps and units must be equally long and end at offsets[-1]")
        if len(self.steps) and (self.steps.min() < 0 or self.steps.max() >= self.n_steps):
            raise ValueError(f"event steps must lie in [0, n_steps={self.n_steps})")
        if len(self.units) and (self.units.min() < 0 or self.units.max() >= self.n_units):
            raise ValueError(f"event units must lie in [0, n_units={self.n_units})")
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= self.n_classes):
            raise ValueError(f"labels must lie in [0, n_classes={self.n_classes})")

    @classmethod
    def from_events(
        cls, events, labels, *, n_steps: int, n_units: int, dt: float, n_classes: int | None = None
    ) -> SpikeDataset:
        """A data set from one ``(steps, units)`` pair of integer sequences per sample."""
        events = list(events)
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer) and labels.size:
            raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
        if len(events) != len(labels):
            raise ValueError(f"got {len(events)} samples but {len(labels)} labels")
        lengths = [len(s) for s, _ in events]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        steps = np.concatenate(
            [np.asarray(s, dtype=np.int64) for s, _ in events] or [np.zeros(0, np.int64)]
        )
        units = np.concatenate(
            [np.asarray(u, dtype=np.int64) for _, u in events] or [np.zeros(0, np.int64)]
        )
        n_classes = int(labels.max()) + 1 if n_classes is None and labels.size else (n_classes or 1)
        return cls(
            steps,
            units,
            offsets,
            labels.astype(np.int64),
            _positive_int(n_steps, "n_steps"),
            _positive_int(n_units, "n_units"),
            _positive_int(n_classes, "n_classes"),
            _positive(dt, "dt"),
        )

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(n_samples, n_steps, n_units)``, the shape of the whole set made dense."""
        return (len(self), self.n_steps, self.n_units)

    def dense(self, indices=None) -> np.ndarray:
        """The samples ``indices`` (default: all) as a 0/1 float64 array ``(batch, T, n)``."""
        indices = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)
        if indices.ndim != 1:
            raise ValueError(f"indices must be 1-d, got shape {indices.shape}")
        if indices.size and (indices.min() < -len(self) or indices.max() >= len(self)):
            raise IndexError(f"sample indices must lie in [0, {len(self)})")
        out = np.zeros((len(indices), self.n_steps, self.n_units))
        for row, k in enumerate(indices % max(len(self), 1)):
            steps, units = self.events(k)
            out[row, steps, units] = 1.0
        return out

    def events(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample ``k``'s events: ``(steps, units)``."""
        start, stop = self.offsets[k], self.offsets[k + 1]
        return self.steps[start:stop], self.units[start:stop]

    def subset(self, indices) -> SpikeDataset:
        """The samples ``indices`` as a new data set (e.g. a validation split)."""
        indices = np.asarray(indices, dtype=np.int64)
        events = [self.events(k) for k in indices]
        return SpikeDataset.from_events(
            events,
            self.labels[indices],
            n_steps=self.n_steps,
            n_units=self.n_units,
            dt=self.dt,
            n_classes=self.n_classes,
        )

    def batches(
        self, batch_size: int, *, rng: np.random.Generator | None = None, drop_last: bool = False
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Mini-batches ``(X, labels)``, ``X`` dense ``(batch, T, n)``; shuffled if ``rng`` given.

        Examples
        --------
        >>> import numpy as np
        >>> from stochad.snn.data import synthetic_shd
        >>> ds = synthetic_shd(10, n_units=4, n_steps=5, n_classes=2, rng=np.random.default_rng(0))
        >>> [X.shape for X, y in ds.batches(4)]
        [(4, 5, 4), (4, 5, 4), (2, 5, 4)]
        """
        batch_size = _positive_int(batch_size, "batch_size")
        order = np.arange(len(self)) if rng is None else _check_rng(rng).permutation(len(self))
        stop = len(self) - len(self) % batch_size if drop_last else len(self)
        for start in range(0, stop, batch_size):
            chosen = order[start : start + batch_size]
            yield self.dense(chosen), self.labels[chosen]


# -- a synthetic SHD-shaped task ------------------------------------------------------
def _random_manifold(rng, n_out: int, dim: int, n_freq: int, alpha: float):
    """A smooth random map ``[0, 1]^dim → [0, 1]^n_out``: sums of random sinusoids.

    Output ``i`` is ``Σ_d Σ_k a_{idk} k^{−α} sin(2π(k b_{idk} x_d + φ_{idk}))`` with
    ``a, b, φ ~ U(0, 1)``; larger ``α`` damps the high frequencies (smoother manifolds).
    Each output is then rescaled to ``[0, 1]`` by its range over a reference sample.
    """
    k = np.arange(1, n_freq + 1)
    amplitude = rng.random((n_out, dim, n_freq)) * k**-alpha
    frequency = rng.random((n_out, dim, n_freq)) * k
    phase = rng.random((n_out, dim, n_freq))

    def raw(x):  # x: (samples, dim) -> (samples, n_out)
        angles = 2 * np.pi * (x[:, None, :, None] * frequency[None] + phase[None])
        return np.sum(amplitude[None] * np.sin(angles), axis=(2, 3))

    reference = raw(rng.random((256, dim)))
    low, high = reference.min(axis=0), reference.max(axis=0)

    def manifold(x):
        return np.clip((raw(x) - low) / (high - low), 0.0, 1.0)

    return manifold


def synthetic_shd(
    n_samples: int = 1000,
    *,
    rng: np.random.Generator,
    n_units: int = 700,
    n_steps: int = 350,
    n_classes: int = 20,
    dim_manifold: int = 1,
    n_spikes: int = 1,
    alpha: float = 2.0,
    n_freq: int = 5,
    dt: float = 2e-3,
) -> SpikeDataset:
    """A random-manifold spiking classification task with the shape of SHD.

    Like Zenke & Vogels' randman task: each class ``c`` is a smooth random manifold
    ``f_c: [0, 1]^dim → [0, 1]^{n_units·n_spikes}``; a sample of class ``c`` draws an intrinsic
    point ``x ~ U[0, 1]^dim`` and unit ``i`` fires at the steps
    ``⌊f_c(x)_{i + j·n_units}·(n_steps − 1)⌉`` for ``j < n_spikes``. Every unit fires
    ``n_spikes`` times in each sample, so only the spike *timing* tells the classes apart;
    the manifold's dimension and smoothness (``alpha``) set the difficulty. The defaults
    give SHD's shape: 700 units, 350 steps of 2 ms (the first 700 ms), 20 classes, with
    equally many samples per class (up to one), in random order.

    Parameters
    ----------
    n_samples : int
    rng : numpy.random.Generator
        draws the manifolds and the samples.
    n_units, n_steps, n_classes : int
    dim_manifold : int
        intrinsic dimension of each class's manifold.
    n_spikes : int
        spikes per unit and sample.
    alpha : float
        smoothness (decay exponent of the sinusoids' amplitudes), ``≥ 0``.
    n_freq : int
        number of sinusoids per unit and intrinsic dimension.
    dt : float
        the bin width recorded in the data set.

    Returns
    -------
    SpikeDataset

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.data import synthetic_shd
    >>> ds = synthetic_shd(40, rng=np.random.default_rng(0))
    >>> ds.shape, ds.n_classes, float(ds.dense([0]).sum())   # one spike per unit
    ((40, 350, 700), 20, 700.0)
    """
    n_samples = _positive_int(n_samples, "n_samples")
    n_units = _positive_int(n_units, "n_units")
    n_steps = _positive_int(n_steps, "n_steps")
    n_classes = _positive_int(n_classes, "n_classes")
    dim_manifold = _positive_int(dim_manifold, "dim_manifold")
    n_spikes = _positive_int(n_spikes, "n_spikes")
    n_freq = _positive_int(n_freq, "n_freq")
    if not (isinstance(alpha, Real) and alpha >= 0):
        raise ValueError(f"alpha must be a number ≥ 0, got {alpha!r}")
    _check_rng(rng)
    manifolds = [
        _random_manifold(rng, n_units * n_spikes, dim_manifold, n_freq, alpha)
        for _ in range(n_classes)
    ]
    labels = rng.permutation(np.arange(n_samples) % n_classes)
    units = np.tile(np.arange(n_units), n_spikes)
    events = [None] * n_samples
    for c, manifold in enumerate(manifolds):
        members = np.flatnonzero(labels == c)
        if not len(members):
            continue
        times = manifold(rng.random((len(members), dim_manifold)))
        steps = np.rint(times * (n_steps - 1)).astype(np.int64)
        for row, k in enumerate(members):
            events[k] = (steps[row], units)
    return SpikeDataset.from_events(
        events, labels, n_steps=n_steps, n_units=n_units, dt=dt, n_classes=n_classes
    )


# -- the real SHD files ---------------------------------------------------------------
def load_shd(
    path,
    *,
    dt: float = 2e-3,
    n_steps: int = 350,
    n_units: int = 700,
    n_classes: int = 20,
    max_samples: int | None = None,
) -> SpikeDataset:
    """Load a Spiking Heidelberg Digits file (``shd_train.h5``/``shd_test.h5``, Cramer et al. 2022).

    The HDF5 layout is SHD's: ``spikes/times`` (one float array of spike times in seconds
    per sample), ``spikes/units`` (the matching unit indices) and ``labels``. Times are
    binned to ``step = ⌊time/dt⌋``; spikes at ``step ≥ n_steps`` (after ``n_steps·dt``)
    are dropped, as are units ``≥ n_units``. Gygax & Zenke's setting is the default:
    ``dt = 2 ms``, the first 700 ms (350 steps).

    Parameters
    ----------
    path : str or path-like
        the ``.h5`` file (download and unpack it yourself; nothing is fetched).
    dt : float
        bin width in seconds.
    n_steps, n_units, n_classes : int
    max_samples : int, optional
        read only the first ``max_samples`` samples.

    Returns
    -------
    SpikeDataset

    Raises
    ------
    ImportError
        if ``h5py`` is not installed (``pip install "stochad[hdf5]"``).
    KeyError
        if the file lacks ``spikes/times``, ``spikes/units`` or ``labels``.
    """
    if h5py is None:
        raise ImportError('load_shd needs h5py: pip install "stochad[hdf5]" (or pip install h5py)')
    dt = _positive(dt, "dt")
    n_steps = _positive_int(n_steps, "n_steps")
    n_units = _positive_int(n_units, "n_units")
    with h5py.File(path, "r") as f:
        for key in ("spikes/times", "spikes/units", "labels"):
            if key not in f:
                raise KeyError(f"{path} is not in SHD's layout: no dataset {key!r}")
        count = (
            len(f["labels"])
            if max_samples is None
            else min(_positive_int(max_samples, "max_samples"), len(f["labels"]))
        )
        times, units = f["spikes/times"][:count], f["spikes/units"][:count]
        labels = np.asarray(f["labels"][:count], dtype=np.int64)
    events = []
    for t, u in zip(times, units, strict=True):
        steps = np.floor(np.asarray(t, dtype=np.float64) / dt).astype(np.int64)
        u = np.asarray(u, dtype=np.int64)
        keep = (steps >= 0) & (steps < n_steps) & (u < n_units)
        events.append((steps[keep], u[keep]))
    return SpikeDataset.from_events(
        events, labels, n_steps=n_steps, n_units=n_units, dt=dt, n_classes=n_classes
    )
