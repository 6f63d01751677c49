"""A training loop for spiking networks: epochs, mini-batches, any gradient method.

:func:`train` runs ``epochs`` passes over the data in mini-batches; each update averages
the gradient of ``trials`` stochastic runs of the same batch (fresh spikes each, Gygax &
Zenke's "trials per update") computed by :func:`stochad.snn.value_and_grad` with the
chosen method, then applies an optimizer of :mod:`stochad.snn.optimizers`. It returns the
trained parameters and a history of the loss, the accuracy (for classification data) and
the output layer's Fano factor across the trials (when ``trials > 1``).

Seeding: one ``numpy.random.Generator`` made from ``rng`` spawns two independent streams,
one for the mini-batch order and one for the spikes, so the spikes do not depend on the
shuffling. Under one seed, ``"surrogate"`` and ``"smoothed"`` draw the same spikes and
give the same losses (their gradients agree to rounding).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from numbers import Integral

import numpy as np

from stochad.snn.data import SpikeDataset
from stochad.snn.gradients import METHODS, value_and_grad
from stochad.snn.metrics import accuracy, fano_factor
from stochad.snn.network import Network
from stochad.snn.optimizers import Optimizer

try:  # optional: the progress bar
    from tqdm.auto import tqdm
except ImportError:  # pragma: no cover - depends on the environment
    tqdm = None

__all__ = ["train"]


def _batches(data, batch_size, order_rng, shuffle) -> tuple[int, Callable[[], Iterator]]:
    """The number of samples and a function giving one epoch's mini-batches.

    ``data`` is a :class:`SpikeDataset` (batches ``(X, labels)``) or a tuple
    ``(inputs, *targets)`` of arrays sliced together along axis 0.
    """
    if isinstance(data, SpikeDataset):
        n = len(data)
        size = n if batch_size is None else batch_size
        return n, lambda: data.batches(size, rng=order_rng if shuffle else None)
    if not isinstance(data, (tuple, list)) or not data:
        raise TypeError(
            "data must be a SpikeDataset or a tuple (inputs, *targets) of arrays with the "
            f"samples on axis 0, got {type(data).__name__}"
        )
    arrays = [np.asarray(a) for a in data]
    n = len(arrays[0])
    for k, a in enumerate(arrays):
        if a.ndim == 0 or len(a) != n:
            raise ValueError(
                f"data[{k}] must have the {n} samples of data[0] on axis 0, got shape {a.shape}"
            )
    size = n if batch_size is None else batch_size

    def epoch():
        order = order_rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, size):
            chosen = order[start : start + size]
            yield tuple(a[chosen] for a in arrays)

    return n, epoch


def _is_labels(x) -> bool:
    return isinstance(x, np.ndarray) and x.ndim == 1 and np.issubdtype(x.dtype, np.integer)


def train(
    loss: Callable,
    params: dict,
    data,
    *,
    network: Network,
    optimizer: Optimizer,
    epochs: int = 1,
    batch_size: int | None = None,
    method: str = "surrogate",
    trials: int = 1,
    rng=None,
    shuffle: bool = True,
    progress: bool = False,
    method_options: dict | None = None,
    client=None,
):
    """Train ``network``'s parameters on ``data`` by minimizing ``loss``.

    Parameters
    ----------
    loss : callable
        ``loss(output, *targets) -> scalar`` written with stochad primitives (e.g.
        :func:`stochad.snn.losses.spike_mse`), ``output`` the network's
        ``(batch, T, n_out)`` output, ``targets`` the batch's targets.
    params : dict of str to ndarray
        the initial parameters (``network.param_shapes()``); not modified.
    data : SpikeDataset or tuple
        a :class:`~stochad.snn.data.SpikeDataset` (targets: the labels), or
        ``(inputs, *targets)``: ``inputs`` of shape ``(n_samples, T, n_in)`` and each
        target with ``n_samples`` on axis 0.
    network : stochad.snn.Network
    optimizer : SGD, Adam or SMORMS3
        any object with ``init(params)`` and ``update(grads, state, params)``.
    epochs : int
        passes over the data, ``≥ 1``.
    batch_size : int, optional
        samples per update (default: all of them, full-batch descent).
    method : {"surrogate", "smoothed", "triple", "score"}
        the gradient (see :func:`stochad.snn.value_and_grad`).
    trials : int
        stochastic runs per update, their gradients and losses averaged (fresh spikes
        each); with ``trials ≥ 2`` the history records the Fano factor of the output.
    rng : None, int or numpy.random.Generator
        the seed; the same seed gives the same run.
    shuffle : bool
        shuffle the samples at every epoch.
    progress : bool
        show a tqdm progress bar over epochs with the loss (and accuracy); needs ``tqdm``
        (``pip install "stochad[training]"``).
    method_options : dict, optional
        passed to :func:`stochad.snn.value_and_grad` (e.g. ``{"baseline": 0.5}`` for
        ``"score"``, ``{"direction": "random"}`` for ``"triple"``).
    client : None or dask.distributed.Client
        run each update's trials on the cluster's workers (``value_and_grad(...,
        samples=trials, client=client)``); the same numbers as without it.

    Returns
    -------
    (dict, dict)
        the trained parameters and the history: ``"loss"`` (per epoch, the mean over its
        updates of the trial-averaged loss), ``"step_loss"`` (per update), ``"accuracy"``
        (per epoch, for integer labels and a ``(batch, T, C)`` output read by its maximum
        over time; else empty), ``"fano_factor"`` (per epoch, the nan-mean over updates of
        the output's Fano factor across trials; empty with ``trials = 1``) and
        ``"seconds"`` (wall time per epoch).

    Raises
    ------
    ValueError
        for ``epochs``, ``batch_size`` or ``trials`` below 1, an unknown method, or data
        whose arrays disagree on the number of samples.
    TypeError
        for data of another type.
    ImportError
        for ``progress=True`` without tqdm.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn, surrogates
    >>> from stochad.snn.losses import spike_mse
    >>> from stochad.snn.optimizers import SMORMS3
    >>> from stochad.snn.training import train
    >>> net = snn.Network(10, [snn.LIF(2, spike=snn.EscapeNoise(surrogates.logistic(5.0)))])
    >>> x = (np.random.default_rng(0).random((1, 20, 10)) < 0.2) * 1.0
    >>> target = np.zeros((1, 20, 2)); target[0, 5:15, 0] = 1.0
    >>> params = {"W0": np.full((10, 2), 0.5)}
    >>> params, history = train(spike_mse, params, (x, target), network=net,
    ...                         optimizer=SMORMS3(lr=0.05), epochs=30, trials=2, rng=0)
    >>> history["loss"][-1] < history["loss"][0]
    True
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a stochad.snn.Network, got {type(network).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got method={method!r}")
    for name, x in (("epochs", epochs), ("trials", trials)):
        if isinstance(x, bool) or not isinstance(x, Integral) or x < 1:
            raise ValueError(f"{name} must be an integer ≥ 1, got {name}={x!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an integer ≥ 1 or None, got {batch_size!r}")
    if progress and tqdm is None:
        raise ImportError('progress=True needs tqdm: pip install "stochad[training]"')
    options = dict(method_options or {})
    order_rng, spike_rng = np.random.default_rng(rng).spawn(2)
    _, epoch_batches = _batches(data, batch_size, order_rng, shuffle)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    state = optimizer.init(params)
    history = {"loss": [], "step_loss": [], "accuracy": [], "fano_factor": [], "seconds": []}
    bar = tqdm(range(epochs), desc="training", unit="epoch") if progress else range(epochs)
    for _ in bar:
        start, losses, accuracies, fanos = time.perf_counter(), [], [], []
        for inputs, *targets in epoch_batches():
            # the trials are value_and_grad's samples: on its sample grid, on the client
            value, grad, aux = value_and_grad(
                loss, params, inputs, *targets, network=network, method=method,
                rng=spike_rng, samples=trials, return_aux=True, client=client, **options,
            )  # fmt: skip
            outputs = aux["outputs"]
            params, state = optimizer.step(params, grad, state)
            losses.append(value)
            history["step_loss"].append(losses[-1])
            if outputs[0] is not None and targets and _is_labels(targets[0]):
                accuracies.append(np.mean([accuracy(o, targets[0]) for o in outputs]))
            if trials > 1 and outputs[0] is not None:
                fanos.append(fano_factor(np.stack(outputs)))
        history["loss"].append(float(np.mean(losses)))
        if accuracies:
            history["accuracy"].append(float(np.mean(accuracies)))
        if fanos:
            defined = [f for f in fanos if not np.isnan(f)]  # an update without spikes: nan
            history["fano_factor"].append(float(np.mean(defined)) if defined else float("nan"))
        history["seconds"].append(time.perf_counter() - start)
        if progress:
            shown = {"loss": f"{history['loss'][-1]:.4g}"}
            if accuracies:
                shown["acc"] = f"{history['accuracy'][-1]:.3f}"
            bar.set_postfix(shown)
    return params, history
