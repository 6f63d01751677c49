"""One entry point, four gradients of the same loss (see :mod:`stochad.snn`).

Which spikes each method sees under one seed (``rng`` an int, or Generators in the same
state):

* ``"surrogate"``, ``"smoothed"``, ``"score"`` and the primal run of ``"triple"`` draw the
  same spike trains (the same uniforms in the same order), so ``"surrogate"`` and
  ``"smoothed"`` agree to rounding, and each sample's loss value is the same for all
  four;
* ``"triple"`` additionally uses streams spawned from the sample's generator: with
  ``coordinates_per_pass=1`` every coordinate's pass replays the sample's primal draws
  (coupled alternates and pruning choices from an auxiliary stream); batched (the
  default), each block of rows draws its own spikes from a spawned stream, so the
  coordinates' estimates do not share spikes (the same distribution);
* ``samples=1`` draws from ``rng`` itself; with ``samples=n > 1`` sample ``j`` draws from
  ``numpy.random.default_rng(SeedSequence(rng).spawn(n)[j])`` (the sample grid of
  :mod:`stochad.montecarlo`; a Generator ``rng`` gives the root's 128 bits), so the
  numbers are the same with or without ``client=`` and for any ``chunks``, and sample
  ``j`` is reproduced alone with that generator and ``samples=1``.

Per-row losses: ``loss`` may return a vector ``(batch,)`` instead of a scalar. Its mean
is the loss; the unbiased methods then use the rows as independent samples (each row draws
its own spikes): ``"triple"`` keeps one estimate per row (pruning never mixes rows) and
``"score"`` credits each row's log-probability with that row's loss only. Both cut the
variance by about the batch size compared with a scalar mean over rows.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np

import stochad
from stochad.montecarlo import map_blocks, root_seed
from stochad.snn.bptt import kernel_backward, kernel_forward
from stochad.snn.layers import LIF, RowTangent
from stochad.snn.network import Network, generator

__all__ = ["value_and_grad", "directional_derivative", "METHODS", "log_probability"]

METHODS = ("surrogate", "smoothed", "triple", "score")
_OPTIONS = {
    "triple": {"subset", "direction", "backend", "coordinates_per_pass"},
    "score": {"baseline"},
}
_TINY = 1e-300  # keeps log(p) finite where an escape probability is exactly 0 or 1


def _check_samples(samples) -> int:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"samples must be a whole number >= 1, got samples={samples!r}")
    return int(samples)


def _as_params(network: Network, params: dict, inputs):
    inputs = network.check(params, inputs)
    return {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}, inputs


def _copy_generator(gen: np.random.Generator) -> np.random.Generator:
    """A generator in ``gen``'s current state (to replay its draws)."""
    copy = np.random.Generator(type(gen.bit_generator)())
    copy.bit_generator.state = gen.bit_generator.state
    return copy


def _loss_of(loss, loss_args, batch: int):
    """``loss`` made scalar: a per-row vector ``(batch,)`` is averaged."""

    def scalar(output):
        value = loss(output, *loss_args)
        shape = np.shape(value)
        if shape == (batch,):
            return stochad.mean(value)
        if shape != ():
            raise ValueError(
                f"loss must return a scalar or a per-row vector of shape ({batch},), "
                f"got shape {shape}"
            )
        return value

    return scalar


def _surrogate(network, loss, params, inputs, loss_args, gen):
    tape = kernel_forward(network, params, inputs, gen)
    scalar = _loss_of(loss, loss_args, inputs.shape[0])
    value, g_out = stochad.value_and_grad(scalar)(tape.output)
    return value, kernel_backward(tape, g_out), tape.output


def _smoothed(network, loss, params, inputs, loss_args, gen):
    scalar = _loss_of(loss, loss_args, inputs.shape[0])

    def objective(p):
        out = network.run(p, inputs).output
        return scalar(out), stochad.value(out)

    (value, output), grads = stochad.value_and_grad(objective, has_aux=True, rng=gen)(params)
    return value, grads, np.asarray(output)


def log_probability(network: Network, trace) -> object:
    """Per-row ``log P(S)`` of a run with forced spikes (escape-noise layers), any carrier.

    Parameters
    ----------
    network : Network
    trace : Trace
        from ``network.run(params, inputs, forced=...)``.

    Returns
    -------
    carrier or ndarray of shape (batch,)
        each row's log-probability of its forced spikes (0.0 without escape noise).

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn
    >>> net = snn.Network(1, [snn.BinaryDense(1)])           # P(S = 1) = σ(0) = 1/2
    >>> params = {"W0": np.zeros((1, 1)), "b0": np.zeros(1)}
    >>> trace = net.run(params, np.ones((2, 3, 1)), forced=[np.ones((2, 3, 1))])
    >>> np.round(log_probability(net, trace), 4).tolist()    # 3 log(1/2)
    [-2.0794, -2.0794]
    """
    total = 0.0
    for spikes, probs in zip(trace.layers, trace.probabilities, strict=True):
        for s, p in zip(spikes, probs or [], strict=False):
            log_fire = stochad.log(stochad.maximum(p, _TINY))
            log_rest = stochad.log(stochad.maximum(1.0 - p, _TINY))
            total = total + stochad.sum(stochad.where(s, log_fire, log_rest), axis=1)
    return total


def _sample_spikes(network, params, inputs, gen):
    """One plain run: its output and each escape-noise layer's spikes ``(B, T, N)``."""
    with stochad.using_rng(gen):
        trace = network.run(params, inputs)
    forced = [
        np.stack(trace.layers[k], axis=1) if layer.stochastic else None
        for k, layer in enumerate(network.layers)
    ]
    return np.asarray(trace.output), forced


def _checked_loss(loss, output, loss_args, batch: int) -> np.ndarray:
    """The loss of a plain output as an array: a scalar or one value per row."""
    value = np.asarray(loss(output, *loss_args), dtype=np.float64)
    if value.shape not in ((), (batch,)):
        raise ValueError(
            f"loss must return a scalar or a per-row vector of shape ({batch},), "
            f"got shape {value.shape}"
        )
    return value


def _score_sample(network, loss, params, inputs, loss_args, gen, baseline):
    """One REINFORCE sample: the pathwise part (spikes fixed) plus, per row,
    ``(L_b − baseline_b) ∇ log P(S_b)``. A leave-one-out baseline is the mean loss of the
    other rows (per-row losses) or of the other samples (a scalar loss): independent of
    the row's own spikes, so the estimate stays unbiased.

    Returns ``(value, estimates, output, parts)``; ``parts`` is None except for a scalar
    loss with the leave-one-out baseline, whose credit needs every sample's loss: then the
    estimates are left to :func:`_credit_samples` and ``parts`` holds the loss, the
    pathwise gradient and the gradient of the summed log-probability."""
    output, forced = _sample_spikes(network, params, inputs, gen)
    batch = inputs.shape[0]
    losses = _checked_loss(loss, output, loss_args, batch)
    per_row = losses.ndim == 1
    if baseline == "leave_one_out" and per_row:
        if batch < 2:
            raise ValueError("baseline='leave_one_out' needs at least 2 rows or samples")
        credit = losses - (losses.sum() - losses) / (batch - 1)
    elif baseline == "leave_one_out":

        def pathwise(p):
            return loss(network.run(p, inputs, forced=forced).output, *loss_args)

        def log_p(p):
            return stochad.sum(log_probability(network, network.run(p, inputs, forced=forced)))

        parts = (float(losses), stochad.grad(pathwise)(params), stochad.grad(log_p)(params))
        return float(losses), None, output, parts
    else:
        credit = losses - (0.0 if baseline is None else baseline)

    def objective(p):
        trace = network.run(p, inputs, forced=forced)
        pathwise = loss(trace.output, *loss_args)
        # a scalar credit multiplies the summed log-probability of the whole batch
        scored = stochad.sum(credit * log_probability(network, trace))
        return stochad.mean(pathwise + scored / batch) if per_row else pathwise + scored

    grads = stochad.grad(objective)(params)
    return float(np.mean(losses)), {k: g[None] for k, g in grads.items()}, output, None


def _credit_samples(samples: list) -> list:
    """The estimates of scalar-loss score samples with the leave-one-out baseline, once
    every sample's loss is known: ``pathwise + (L_i − mean of the others) ∇ log P_i``."""
    losses = np.array([parts[0] for _, _, _, parts in samples])
    credits = losses - (losses.sum() - losses) / (len(losses) - 1)
    return [
        (value, {k: (path[k] + c * score[k])[None] for k in path}, output, None)
        for (value, _, output, (_, path, score)), c in zip(samples, credits, strict=True)
    ]


def _triple_leaves(params, subset):
    if subset is None:
        return list(params)
    subset = [subset] if isinstance(subset, str) else list(subset)
    unknown = [k for k in subset if k not in params]
    if unknown or not subset:
        raise ValueError(f"subset must name parameters among {sorted(params)}, got {subset!r}")
    return subset


SCALAR_BACKENDS = ("dict", "exact")
"""``"triple"`` backends without triple arrays: the network then runs on object arrays of
scalar triples (one Python operation per element), one pass per coordinate."""

DICT_MAX_ROW_DRAWS = 64
"""The most spike draws per batch row (``T`` × the stochastic layers' neurons) that
``backend="dict"`` accepts: it runs one scalar triple at a time and carries every
perturbation of a row to the loss, so a pass costs about the batch times this number
squared Python operations."""


def _scalar_backend(backend, network: Network, inputs) -> bool:
    """Whether ``backend`` runs on scalar triples; refuse a network too big for it."""
    if backend not in SCALAR_BACKENDS:
        return False
    draws = inputs.shape[1] * sum(layer.size for layer in network.layers if layer.stochastic)
    if draws > DICT_MAX_ROW_DRAWS:
        raise ValueError(
            f"backend={backend!r} runs the network on scalar triples and is for small "
            f"networks only: T × stochastic neurons = {inputs.shape[1]} × "
            f"{draws // inputs.shape[1]} = {draws} spike draws per row, above the limit "
            f"DICT_MAX_ROW_DRAWS = {DICT_MAX_ROW_DRAWS}; use backend='pruned'"
        )
    return True


def _moved(v: np.ndarray, t, tangent: np.ndarray, scalar: bool):
    """``v + t · tangent``: a triple array, or for a scalar backend an object array whose
    entries along the tangent are scalar triples."""
    if not scalar:
        return v + t * tangent
    out = v.astype(object)
    for index in zip(*np.nonzero(tangent), strict=True):
        out[index] = float(v[index]) + float(tangent[index]) * t
    return out


def _each(fn, x) -> np.ndarray:
    """``fn`` of every element of a scalar backend's output (object array or scalar)."""
    return np.asarray(np.frompyfunc(fn, 1, 1)(np.asarray(x, dtype=object)), dtype=float)


def _reset_kept(network: Network, backend) -> Network:
    """``network`` with every LIF reset kept in the derivative, for the unbiased backends.

    ``detach_reset`` reads the spike's value for the reset: on a triple that drops the
    spike's perturbation from the reset, so in the alternate world the neuron would fire
    without resetting, and the estimate is biased (measured: z up to 11 against
    enumeration). Detaching is a property of surrogate (smoothed) gradients only."""
    if backend == "smoothed" or not any(getattr(k, "detach_reset", False) for k in network.layers):
        return network
    return Network(network.n_in, [dataclasses.replace(k, detach_reset=False)
                                  if isinstance(k, LIF) else k for k in network.layers])


def _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend):
    """One forward-mode pass along ``tangents``: (mean loss, contributions).

    The contributions are a ``(1,)`` array for a scalar loss, one per row for a per-row
    loss (each an independent estimate of its row's directional derivative)."""
    scalar = _scalar_backend(backend, network, inputs)

    def f(t):
        p = {k: (_moved(v, t, tangents[k], scalar) if k in tangents else v)
             for k, v in params.items()}  # fmt: skip
        return loss(network.run(p, inputs).output, *loss_args)

    out = stochad.stochastic_triple(f, 0.0, backend=backend, rng=gen)
    if scalar:
        contributions = _each(stochad.derivative_contribution, out)
        values = _each(stochad.value, out)
    else:
        contributions, values = stochad.derivative_contribution(out), stochad.value(out)
    # an output that does not depend on t is a plain array: its contributions are 0
    contributions = np.broadcast_to(contributions, np.shape(values))
    contributions = np.atleast_1d(np.asarray(contributions, dtype=float))
    if contributions.shape not in ((1,), (inputs.shape[0],)):
        raise ValueError(
            f"loss must return a scalar or a per-row vector of shape ({inputs.shape[0]},), "
            f"got shape {contributions.shape}"
        )
    return float(np.mean(values)), contributions


def _triple_estimates(network, loss, params, inputs, loss_args, gen, leaves, direction, backend,
                      per_pass):  # fmt: skip
    """One sample's unbiased estimates ``{name: (m, *shape)}``: the coordinates' passes,
    or one random ±1 direction ``v`` giving ``(∇L·v) v`` (unbiased since ``E[v vᵀ] = I``;
    its rows share ``v``, so they are averaged into one estimate)."""
    if direction == "random":
        signs = gen.spawn(1)[0]
        v = {k: signs.choice([-1.0, 1.0], size=params[k].shape) for k in leaves}
        value, d = _triple_run(network, loss, params, inputs, loss_args, gen, v, backend)
        return value, {k: (d.mean() * v[k])[None] for k in leaves}
    if per_pass == 1 or backend in SCALAR_BACKENDS:
        return _replayed_coordinates(network, loss, params, inputs, loss_args, gen, leaves,
                                     backend)  # fmt: skip
    return _batched_coordinates(network, loss, params, inputs, loss_args, gen, leaves, backend,
                                per_pass)  # fmt: skip


def _replayed_coordinates(network, loss, params, inputs, loss_args, gen, leaves, backend):
    """One pass per coordinate, every pass replaying the sample's draws."""
    start = _copy_generator(gen)
    estimates, value, replay = {}, None, None
    for k in leaves:
        shape = params[k].shape
        rows = []
        for index in np.ndindex(shape):
            replay = _copy_generator(start)
            tangent = np.zeros(shape)
            tangent[index] = 1.0
            value, c = _triple_run(
                network, loss, params, inputs, loss_args, replay, {k: tangent}, backend
            )
            rows.append(c)
        estimates[k] = np.stack(rows, axis=1).reshape(-1, *shape)
    gen.bit_generator.state = replay.bit_generator.state  # one sample's draws consumed
    return value, estimates


ROWS_PER_PASS = 1024
"""``"triple"``'s default batching: as many coordinates per pass as fit in this many rows
(at least one), the batch repeated once per coordinate, and in :data:`PASS_ELEMENTS`."""

PASS_ELEMENTS = 2**22
"""The most ``rows × T × widest layer`` elements of a default batched pass: a layer's
whole output is held as triple arrays while the next layer runs (measured: 48 MB more
peak memory for 3·10⁶ elements, 1024 rows of T = 50 and 60 neurons), so this caps a
pass at roughly 70 MB, more where every element carries a perturbation."""


def _default_per_pass(network: Network, inputs) -> int:
    batch, steps = inputs.shape[:2]
    widest = max(layer.size for layer in network.layers)
    rows = min(ROWS_PER_PASS, PASS_ELEMENTS // (steps * widest))
    return max(1, rows // batch)


def _batched_coordinates(network, loss, params, inputs, loss_args, gen, leaves, backend,
                         per_pass):  # fmt: skip
    """``per_pass`` coordinates per forward pass: the batch repeated once per coordinate,
    block ``j`` of rows moving along coordinate ``j`` (:class:`~stochad.snn.layers.RowTangent`).

    Rows never meet in the network and each block's loss is computed on its own rows, so
    every block is the single-coordinate pass on its own draws: pruning only ever chooses
    among one row's events. The blocks draw fresh spikes (the engine draws the uniforms of
    all rows at once), so unlike ``per_pass=1`` the coordinates do not share spikes. The
    loss value is that of a plain run on ``gen`` (the spikes every method sees first); the
    passes draw from a stream spawned from ``gen`` after it."""
    batch = inputs.shape[0]
    value = float(np.mean(_checked_loss(loss, _sample_spikes(network, params, inputs, gen)[0],
                                        loss_args, batch)))  # fmt: skip
    passes = gen.spawn(1)[0]
    coordinates = [(k, index) for k in leaves for index in np.ndindex(params[k].shape)]
    per_pass = per_pass or _default_per_pass(network, inputs)
    columns = []
    for start in range(0, len(coordinates), per_pass):
        chunk = coordinates[start : start + per_pass]
        columns.append(_block_pass(network, loss, params, inputs, loss_args, passes, chunk,
                                   backend))  # fmt: skip
    contributions = np.concatenate(columns, axis=0)  # (coordinates, m)
    estimates, at = {}, 0
    for k in leaves:
        size = params[k].size
        estimates[k] = contributions[at : at + size].T.reshape(-1, *params[k].shape)
        at += size
    return value, estimates


def _block_pass(network, loss, params, inputs, loss_args, gen, chunk, backend) -> np.ndarray:
    """One forward pass of ``len(chunk)`` blocks of rows: the contributions ``(blocks, m)``."""
    batch, blocks = inputs.shape[0], len(chunk)
    index = {k: np.full((blocks, params[k].ndim), -1) for k, _ in chunk}
    for j, (k, coordinate) in enumerate(chunk):
        index[k][j] = coordinate
    stacked = np.concatenate([inputs] * blocks, axis=0)

    def f(t):
        p = {k: (RowTangent(v, t, np.repeat(index[k], batch, axis=0)) if k in index else v)
             for k, v in params.items()}  # fmt: skip
        out = network.run(p, stacked).output
        # a list, not a stack: stacking would prune a scalar loss's bag of row events
        # down to one event, where each block's own contribution keeps them all
        return [loss(out[j * batch : (j + 1) * batch], *loss_args) for j in range(blocks)]

    losses = stochad.stochastic_triple(f, 0.0, backend=backend, rng=gen)
    contributions = np.array([np.broadcast_to(stochad.derivative_contribution(b), np.shape(b))
                              for b in losses], dtype=float)  # fmt: skip
    if contributions.shape not in ((blocks,), (blocks, batch)):
        raise ValueError(
            f"loss must return a scalar or a per-row vector of shape ({batch},), "
            f"got shape {contributions.shape[1:]} per block"
        )
    return contributions.reshape(blocks, -1)


def _summary(estimates: list) -> tuple[dict, dict | None]:
    """Mean and standard error over all independent estimates (rows of every sample)."""
    # C order whatever the estimates' strides (a worker's arrays come back unpickled in
    # another layout): numpy's reductions sum in an order that follows the memory layout
    pooled = {k: np.ascontiguousarray(np.concatenate([e[k] for e in estimates]))
              for k in estimates[0]}  # fmt: skip
    mean = {k: v.mean(axis=0) for k, v in pooled.items()}
    count = len(next(iter(pooled.values())))
    if count < 2:
        return mean, None
    return mean, {k: v.std(axis=0, ddof=1) / np.sqrt(count) for k, v in pooled.items()}


def _check_call(loss, network, method, options):
    if not callable(loss):
        raise TypeError(f"loss must be callable, got {type(loss).__name__}")
    if not isinstance(network, Network):
        raise TypeError(f"network must be a stochad.snn.Network, got {type(network).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got method={method!r}")
    bad = set(options) - _OPTIONS.get(method, set())
    if bad:
        raise ValueError(
            f"method={method!r} takes no option {sorted(bad)} "
            f"(options: {sorted(_OPTIONS.get(method, ())) or 'none'})"
        )
    per_pass = options.get("coordinates_per_pass")
    if per_pass is not None and (isinstance(per_pass, bool) or not isinstance(
            per_pass, (int, np.integer)) or per_pass < 1):  # fmt: skip
        raise ValueError(
            f"coordinates_per_pass must be None or a whole number >= 1, got {per_pass!r}"
        )
    if options.get("direction") not in (None, "random"):
        raise ValueError(f"direction must be None or 'random', got {options['direction']!r}")
    baseline = options.get("baseline")
    if not (baseline is None or baseline == "leave_one_out" or np.isscalar(baseline)):
        raise ValueError(f"baseline must be a float or 'leave_one_out', got {baseline!r}")


def value_and_grad(
    loss: Callable,
    params: dict,
    inputs,
    *loss_args,
    network: Network,
    method: str = "surrogate",
    rng=None,
    samples: int = 1,
    return_aux: bool = False,
    client=None,
    chunks=None,
    **options,
):
    """The loss of a network and one of four gradients of it (module :mod:`stochad.snn`).

    Parameters
    ----------
    loss : callable
        ``loss(output, *loss_args)`` written with stochad primitives, returning a scalar
        or a per-row vector ``(batch,)`` (averaged; see the module docstring); ``output``
        is the network's ``(batch, T, n_out)`` output.
    params : dict of str to ndarray
        the keys and shapes of ``network.param_shapes()``.
    inputs : array-like
        ``(batch, T, n_in)``.
    *loss_args
        passed to ``loss`` after the output (targets, masks, ...).
    network : Network
    method : {"surrogate", "smoothed", "triple", "score"}
        ``"surrogate"``: numba BPTT with each layer's surrogate derivative;
        ``"smoothed"``: :func:`stochad.grad` (equal to ``"surrogate"`` on the same spikes);
        ``"triple"``: unbiased for the gradient of ``E[loss]`` (stochastic triples);
        ``"score"``: unbiased REINFORCE.
    rng : None, int or numpy.random.Generator
        the spikes' generator (None: fresh entropy).
    samples : int
        average this many independent estimates (fresh spikes each; sample ``j`` on the
        ``j``-th child of the seed, see the module docstring).
    return_aux : bool
        also return ``aux = {"output": the first sample's output (None for "triple"),
        "outputs": every sample's, "stderr": a dict like the gradient, or None, "values":
        each sample's loss}``. The standard error is over samples, and for ``"triple"``
        with a per-row loss over rows as well; None when there is only one estimate.
    client : None or dask.distributed.Client
        with ``samples > 1``, run the samples on the cluster's workers (anything with
        ``submit(fn, *args)`` returning futures; ``loss`` and the network are pickled
        with cloudpickle). The same numbers as without it; ``samples=1`` runs here.
    chunks : None, int or sequence of int
        samples per chunk (the unit of work of a worker) or the chunk sizes; ``None``:
        one chunk, or 32 with a client. Never changes the numbers.
    **options
        for ``"triple"``: ``subset`` (parameter names; default all: every coordinate),
        ``coordinates_per_pass`` (coordinates per forward pass, the batch repeated once
        per coordinate; default ``None``: as many as fit in :data:`ROWS_PER_PASS` rows
        and :data:`PASS_ELEMENTS` elements of a layer's output;
        ``1``: one pass per coordinate, every pass replaying the sample's draws),
        ``direction="random"`` (one pass along a random ±1 direction ``v`` per sample,
        estimate ``(∇·v) v``: unbiased and cheap, noisy), ``backend`` (``"pruned"``, the
        default; ``"dict"``/``"exact"`` carry every perturbation, on scalar triples, one
        pass per coordinate, for networks of at most :data:`DICT_MAX_ROW_DRAWS` spike
        draws per row; ``"smoothed"``: the smoothed forward-mode derivative). For
        ``"score"``: ``baseline`` (a float, or ``"leave_one_out"``; default 0).

    Returns
    -------
    (float, dict) or (float, dict, dict)
        the loss (mean over samples) and the gradient dict (for ``"triple"`` with
        ``subset``, only those keys).

    Raises
    ------
    ValueError
        for an unknown ``method``, an option the method does not take, ``samples < 1``,
        bad ``chunks`` or ``coordinates_per_pass``, a network too big for
        ``backend="dict"``, a loss of another shape, or bad ``params``/``inputs`` (see
        :meth:`Network.check`).
    TypeError
        if ``loss`` is not callable, ``network`` is not a Network, ``client`` has no
        ``submit``, or the client cannot pickle the work (naming ``loss``).

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn, surrogates
    >>> net = snn.Network(2, [snn.LIF(2, spike=snn.EscapeNoise(surrogates.logistic(4.0))),
    ...                       snn.Readout(1)])
    >>> params = {"W0": np.full((2, 2), 2.0), "W1": np.ones((2, 1))}
    >>> x = np.ones((4, 6, 2))
    >>> per_row = lambda out: stochad.sum(stochad.sum(out, axis=2), axis=1)
    >>> v, g, aux = snn.value_and_grad(per_row, params, x, network=net, method="triple",
    ...                                rng=0, samples=3, return_aux=True)
    >>> sorted(g), aux["stderr"]["W1"].shape
    (['W0', 'W1'], (2, 1))
    >>> _, g2 = snn.value_and_grad(per_row, params, x, network=net, method="triple", rng=0,
    ...                            samples=3, chunks=[1, 2])   # or client=..., same numbers
    >>> bool(np.array_equal(g2["W0"], g["W0"]))
    True
    """
    _check_call(loss, network, method, options)
    n = _check_samples(samples)
    params, inputs = _as_params(network, params, inputs)
    if method == "score" and options.get("baseline") not in (None, "leave_one_out"):
        options = {**options, "baseline": float(options["baseline"])}
    sample = functools.partial(_one_sample, method, network, loss, params, inputs, loss_args,
                               options)  # fmt: skip
    results = _samples(sample, n, rng, client, chunks, f"value_and_grad({method})", loss)
    if results[0][3] is not None:  # a scalar loss and the leave-one-out baseline
        if n < 2:
            raise ValueError("baseline='leave_one_out' needs at least 2 rows or samples")
        results = _credit_samples(results)
    values = np.array([r[0] for r in results])
    grad, stderr = _summary([r[1] for r in results])
    value = float(np.mean(values))
    if not return_aux:
        return value, grad
    outputs = [r[2] for r in results]
    return value, grad, {"output": outputs[0], "outputs": outputs, "stderr": stderr,
                         "values": values}  # fmt: skip


def _one_sample(method, network, loss, params, inputs, loss_args, options, gen):
    """One independent sample on ``gen``: ``(value, estimates, output, parts)``."""
    if method == "score":
        return _score_sample(network, loss, params, inputs, loss_args, gen,
                             options.get("baseline"))  # fmt: skip
    if method == "triple":
        backend = options.get("backend", "pruned")
        value, e = _triple_estimates(
            _reset_kept(network, backend), loss, params, inputs, loss_args, gen,
            _triple_leaves(params, options.get("subset")), options.get("direction"),
            options.get("backend", "pruned"), options.get("coordinates_per_pass"),
        )  # fmt: skip
        return value, e, None, None
    run = _surrogate if method == "surrogate" else _smoothed
    value, g, out = run(network, loss, params, inputs, loss_args, gen)
    return float(value), {k: v[None] for k, v in g.items()}, out, None


def _samples(sample, n: int, rng, client, chunks, name: str, shipped) -> list:
    """``[sample(gen_0), ...]``: one sample on ``rng`` itself, here; ``n > 1`` on the
    sample grid (:mod:`stochad.montecarlo`), here or on ``client``'s workers."""
    if n == 1:
        return [sample(generator(rng))]
    root = np.random.SeedSequence() if rng is None else root_seed(rng)
    return map_blocks(functools.partial(_grid_sample, sample), n, rng=root, client=client,
                      chunks=chunks, name=name, shipped=shipped)


def _grid_sample(sample, seed: np.random.SeedSequence, size: int):
    """Sample ``j`` of the grid (:mod:`stochad.montecarlo`, one sample per block): ``sample``
    on ``numpy.random.default_rng(seed)``; this runs on a worker with a client."""
    return sample(np.random.default_rng(seed))


def directional_derivative(
    loss: Callable,
    params: dict,
    inputs,
    *loss_args,
    network: Network,
    direction: dict,
    backend: str = "pruned",
    rng=None,
    samples: int = 1,
    client=None,
    chunks=None,
):
    """Forward-mode derivative of the loss along ``direction``, ``samples`` times.

    ``backend="pruned"`` gives unbiased samples of ``∇E[loss]·direction``;
    ``backend="smoothed"`` gives the forward-mode (RTRL) smoothed derivative, equal to
    ``"smoothed"``'s gradient dotted with ``direction`` on the same draws. A per-row loss
    gives one sample per row and pass.

    Parameters
    ----------
    loss, params, inputs, *loss_args, network
        as :func:`value_and_grad`.
    direction : dict of str to ndarray
        tangents of some parameters (missing keys: 0).
    backend : {"pruned", "smoothed"}
    rng : None, int or numpy.random.Generator
    samples : int
        passes, each on fresh draws: ``samples=1`` draws from ``rng``, more on the sample
        grid, as :func:`value_and_grad` (pass ``j`` on
        ``default_rng(SeedSequence(rng).spawn(samples)[j])``).
    client, chunks
        as :func:`value_and_grad`: run the passes on a cluster's workers, in chunks;
        the same numbers with or without them.

    Returns
    -------
    stochad.DerivativeEstimate
        ``.mean``, ``.stderr`` and the ``.samples``.

    Raises
    ------
    ValueError
        for a direction key that is not a parameter or of the wrong shape; as
        :func:`value_and_grad` otherwise.
    TypeError
        if ``direction`` is not a dict or ``network`` not a Network.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn
    >>> net = snn.Network(1, [snn.BinaryDense(1)])               # y ~ Bernoulli(σ(w x + b))
    >>> params = {"W0": np.zeros((1, 1)), "b0": np.zeros(1)}
    >>> per_row = lambda out: stochad.sum(stochad.sum(out, axis=2), axis=1)
    >>> r = snn.directional_derivative(per_row, params, np.ones((4000, 1, 1)), network=net,
    ...                                direction={"W0": np.ones((1, 1))}, rng=0)
    >>> bool(abs(r.mean - 0.25) < 5 * r.stderr)                  # σ′(0) = 1/4
    True
    """
    _check_call(loss, network, "triple", {})
    params, inputs = _as_params(network, params, inputs)
    if not isinstance(direction, dict):
        raise TypeError(f"direction must be a dict of arrays, got {type(direction).__name__}")
    tangents = {}
    for k, d in direction.items():
        if k not in params or np.shape(d) != params[k].shape:
            expected = params[k].shape if k in params else "(no such parameter)"
            raise ValueError(f"direction[{k!r}] must be a parameter's tangent of shape {expected}")
        tangents[k] = np.asarray(d, dtype=np.float64)
    network = _reset_kept(network, backend)
    sample = functools.partial(_direction_sample, network, loss, params, inputs, loss_args,
                               tangents, backend)  # fmt: skip
    contributions = _samples(sample, _check_samples(samples), rng, client, chunks,
                             "directional_derivative", loss)  # fmt: skip
    return stochad.DerivativeEstimate(np.concatenate(contributions))


def _direction_sample(network, loss, params, inputs, loss_args, tangents, backend, gen):
    """One pass along the tangents on ``gen``: its contributions (one per row or one)."""
    return _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend)[1]
