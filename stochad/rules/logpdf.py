"""Log-densities and ``gammaln`` as primitives: importance weights on triples and tracers.

Each log-density (log-pmf for the discrete distributions) is one elementwise primitive of
the value and the parameters, with one partial per argument, so every carrier gets it:
its δ by the chain rule, finite perturbations as the log-density of the alternates (an
alternate draw ``k'`` gives ``log P(k')``), smoothed and reverse rules from the same
partials. The partial in a count (``k`` of a Poisson, ``n`` of a binomial) is that of the
formula continued through ``gammaln`` (used only where a count carries a smoothed δ).

Values outside the support give ``-inf`` (and so ``pdf`` 0). scipy.special is imported
inside the functions that use it: ``import stochad`` does not load it for this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stochad.core.primitives import Primitive, call, register
from stochad.rules.elementwise import EQUAL, EXP, LOG, WHERE

__all__ = [
    "GAMMALN", "LOGPDF", "gammaln", "logpdf", "pdf",
]  # fmt: skip


def _special():
    import scipy.special  # deferred: scipy.special is not loaded by ``import stochad``

    return scipy.special


def _gammaln(x):
    return _special().gammaln(x)


def _digamma(x):
    return _special().digamma(x)


GAMMALN = register(Primitive("gammaln", _gammaln, (lambda x, o: _digamma(x),)))


def _quiet(value):
    """A log-density's value function, silent where the formula leaves the support
    (``gammaln`` of a negative integer, ``log 0``): those elements are set to ``-inf``."""

    def quiet(*args):
        with np.errstate(invalid="ignore", divide="ignore"):
            return value(*args)

    quiet.__name__ = value.__name__
    quiet.__wrapped__ = value
    return quiet


def _outside(condition, value):
    """``value`` with ``-inf`` where ``condition`` holds (outside the support)."""
    value = np.where(condition, -np.inf, value)
    return value[()] if value.ndim == 0 else value


def _normal(x, loc, scale):
    z = (np.subtract(x, loc)) / scale
    return -0.5 * z * z - np.log(scale) - 0.5 * np.log(2 * np.pi)


NORMAL = register(
    Primitive(
        "normal_logpdf",
        _normal,
        (
            lambda x, m, s, o: -(np.subtract(x, m)) / (s * s),
            lambda x, m, s, o: np.subtract(x, m) / (s * s),
            lambda x, m, s, o: np.subtract(x, m) ** 2 / s**3 - 1.0 / s,
        ),
    )
)


def _bernoulli(k, p):
    sp = _special()
    return _outside((k != 0) & (k != 1), sp.xlogy(k, p) + sp.xlog1py(1 - k, -p))


BERNOULLI = register(
    Primitive(
        "bernoulli_logpmf",
        _quiet(_bernoulli),
        (
            lambda k, p, o: np.log(p) - np.log1p(-p),
            lambda k, p, o: k / p - (1 - k) / (1 - p),
        ),
    )
)


def _binomial(k, n, p):
    sp = _special()
    value = (
        sp.gammaln(n + 1) - sp.gammaln(k + 1) - sp.gammaln(n - k + 1)
        + sp.xlogy(k, p) + sp.xlog1py(n - k, -p)
    )  # fmt: skip
    return _outside((k < 0) | (k > n), value)


BINOMIAL = register(
    Primitive(
        "binomial_logpmf",
        _quiet(_binomial),
        (
            lambda k, n, p, o: _digamma(n - k + 1) - _digamma(k + 1) + np.log(p) - np.log1p(-p),
            lambda k, n, p, o: _digamma(n + 1) - _digamma(n - k + 1) + np.log1p(-p),
            lambda k, n, p, o: k / p - (n - k) / (1 - p),
        ),
    )
)


def _geometric(k, p):
    """numpy's convention: trials up to the first success, ``k >= 1``."""
    return _outside(k < 1, np.log(p) + _special().xlog1py(k - 1, -p))


GEOMETRIC = register(
    Primitive(
        "geometric_logpmf",
        _quiet(_geometric),
        (lambda k, p, o: np.log1p(-p), lambda k, p, o: 1 / p - (k - 1) / (1 - p)),
    )
)


def _poisson(k, lam):
    sp = _special()
    return _outside(k < 0, sp.xlogy(k, lam) - lam - sp.gammaln(k + 1))


POISSON = register(
    Primitive(
        "poisson_logpmf",
        _quiet(_poisson),
        (lambda k, lam, o: np.log(lam) - _digamma(k + 1), lambda k, lam, o: k / lam - 1.0),
    )
)


def _negative_binomial(k, n, p):
    """numpy's convention: failures before the ``n``-th success."""
    sp = _special()
    value = (
        sp.gammaln(k + n) - sp.gammaln(n) - sp.gammaln(k + 1)
        + sp.xlogy(n, p) + sp.xlog1py(k, -p)
    )  # fmt: skip
    return _outside(k < 0, value)


NEGATIVE_BINOMIAL = register(
    Primitive(
        "negative_binomial_logpmf",
        _quiet(_negative_binomial),
        (
            lambda k, n, p, o: _digamma(k + n) - _digamma(k + 1) + np.log1p(-p),
            lambda k, n, p, o: _digamma(k + n) - _digamma(n) + np.log(p),
            lambda k, n, p, o: n / p - k / (1 - p),
        ),
    )
)


def _categorical(i, probs):
    """``log probs[i]`` (``-inf`` outside ``0..k−1``), as a chain of ``where``: each entry
    keeps its own perturbations and the index's alternates pick their entry."""
    out = -np.inf
    for j in range(len(probs) - 1, -1, -1):
        out = call(WHERE, call(EQUAL, i, float(j)), call(LOG, probs[j]), out)
    return out


LOGPDF: dict[str, Primitive | Callable] = {
    "normal": NORMAL,
    "bernoulli": BERNOULLI,
    "binomial": BINOMIAL,
    "geometric": GEOMETRIC,
    "poisson": POISSON,
    "negative_binomial": NEGATIVE_BINOMIAL,
}
"""The log-density primitive of each distribution, by the sampler's name."""


def gammaln(x):
    """``log Γ(x)`` (scipy.special.gammaln) on floats, arrays and carriers.

    Its derivative is the digamma function ``ψ(x)``; finite perturbations map to
    ``log Γ`` of the alternates.

    Parameters
    ----------
    x : float, ndarray, Triple, TripleArray or Tracer

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer

    Examples
    --------
    >>> import math, stochad
    >>> float(stochad.gammaln(5.0)) == math.log(24.0)
    True
    >>> t = stochad.stochastic_triple(stochad.gammaln, 1.0)   # ψ(1) = −γ
    >>> round(float(stochad.delta(t)), 6)
    -0.577216
    """
    return call(GAMMALN, x)


def logpdf(distribution: str, x, *params):
    """The log-density (log-pmf) of ``x`` under a distribution, as a primitive.

    A function of the value and the parameters, for importance weights and likelihoods:
    its derivative follows the parameters' δ (and the value's, for the normal), and an
    alternate draw ``x'`` in a finite perturbation gives ``logpdf(x')``, so
    ``logpdf("poisson", stochad.poisson(lam), lam)`` keeps the draw's jumps.

    Parameters
    ----------
    distribution : str
        one of ``"normal"`` (``loc, scale``), ``"bernoulli"`` (``p``), ``"binomial"``
        (``n, p``), ``"geometric"`` (``p``; numpy's convention, ``x >= 1``), ``"poisson"``
        (``lam``), ``"negative_binomial"`` (``n, p``; failures before the ``n``-th success)
        and ``"categorical"`` (``probs``, a sequence: ``log probs[x]``).
    x : float, ndarray, Triple, TripleArray or Tracer
        the value (a count for the discrete distributions).
    *params : float, ndarray, Triple, TripleArray or Tracer
        the parameters, in the sampler's order.

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        ``-inf`` outside the support.

    Raises
    ------
    ValueError
        for an unknown distribution or a wrong number of parameters.

    See Also
    --------
    pdf, gammaln

    Examples
    --------
    >>> import math, stochad
    >>> float(stochad.logpdf("poisson", 2, 3.0)) == 2 * math.log(3.0) - 3.0 - math.log(2)
    True
    >>> t = stochad.stochastic_triple(lambda lam: stochad.logpdf("poisson", 2, lam), 3.0)
    >>> round(float(stochad.delta(t)), 6)     # d/dlam = k/lam − 1
    -0.333333
    """
    if distribution == "categorical":
        if len(params) != 1:
            raise ValueError(f"categorical takes 1 parameter (probs), got {len(params)}")
        return _categorical(x, list(params[0]))
    primitive = LOGPDF.get(distribution)
    if primitive is None:
        names = sorted([*LOGPDF, "categorical"])
        raise ValueError(f"distribution must be one of {names}, got {distribution!r}")
    expected = len(primitive.partials) - 1
    if len(params) != expected:
        raise ValueError(
            f"{distribution} takes {expected} parameter(s), got {len(params)}"
        )
    return call(primitive, x, *params)


def pdf(distribution: str, x, *params):
    """The density (pmf) ``exp(logpdf(distribution, x, *params))``; see :func:`logpdf`.

    Examples
    --------
    >>> import stochad
    >>> round(float(stochad.pdf("binomial", 1, 2, 0.5)), 6)
    0.5
    """
    return call(EXP, logpdf(distribution, x, *params))
