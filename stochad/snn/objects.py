"""Step-by-step neurons for users of other libraries: snntorch's ``Leaky``, norse's ``lif_step``.

Both are plain functions of stochad carriers, so a hand-written time loop over them runs
under :func:`stochad.grad`, ``derivative_estimate`` and on plain arrays. They follow the
other library's equations (../shared/SNN_REFERENCE.md §2.1), not :class:`stochad.snn.LIF`'s:

* :class:`Leaky` (snntorch): ``U[t] = β U[t−1] + X[t] − R θ`` (``"subtract"``) or
  ``β (1 − R) U[t−1] + X[t]`` (``"zero"``), ``S[t] = spike(U[t] − θ)`` from the *new*
  membrane, the reset ``R`` detached as in snntorch. Its default surrogate is snntorch's
  default ``atan(α=2)``, which is exactly ``surrogates.cauchy(beta=2)``;
* :func:`lif_step` (norse): ``i_j = i + x Wᵀ + z Vᵀ``, ``v_d = v + Δt/τ_mem (v_leak − v +
  i_j)``, ``z' = spike(v_d − v_th)``, ``v' = (1 − z') v_d + z' v_reset`` (reset detached, as in
  norse's ``lif_step``), ``i' = i_j − Δt/τ_syn i_j``; weights in torch's ``(out, in)``
  layout; the default surrogate is norse's ``super`` with α = 100, i.e.
  ``surrogates.fast_sigmoid(100).scaled(2/100)``.

With escape noise the reset uses the sample that was emitted (snntorch's ``NoisyLeaky``
draws the reset again, a known bug), so :class:`Leaky` then needs the previous spike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import stochad
from stochad.rules import surrogates
from stochad.rules.surrogates import Surrogate, _check_positive
from stochad.snn.spikes import EscapeNoise, Heaviside

__all__ = ["Leaky", "LIFParameters", "LIFState", "lif_step"]

_LEAKY_RESETS = ("subtract", "zero", "none")


class Leaky:
    """snntorch-style leaky integrate-and-fire neuron: ``spk, mem = lif(input_, mem)``.

    Parameters
    ----------
    beta : float
        the membrane decay, in [0, 1].
    threshold : float
        θ, finite.
    spike_grad : Surrogate, optional
        the surrogate derivative (default ``surrogates.cauchy(beta=2)``, snntorch's
        ``atan(alpha=2)``); ``surrogates.from_library("snntorch", name, slope)`` ports
        the others with their scale.
    reset_mechanism : {"subtract", "zero", "none"}
    escape_noise : Surrogate, optional
        spike stochastically with ``Bernoulli(F(U − θ))`` instead of ``H(U − θ)``;
        ``spike_grad`` (if given) is then an explicit mismatch, else matched.

    Raises
    ------
    ValueError
        for ``beta`` outside [0, 1], a non-finite threshold or an unknown reset.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn
    >>> lif = snn.Leaky(beta=0.9)
    >>> mem = lif.init_leaky()
    >>> for x in [0.6, 0.6]:
    ...     spk, mem = lif(np.array([x]), mem)
    >>> spk.tolist(), mem.round(2).tolist()          # 0.9·0.6 + 0.6 = 1.14 > 1
    ([1.0], [1.14])
    >>> def count(w):
    ...     mem, total = lif.init_leaky(), 0.0
    ...     for _ in range(2):
    ...         spk, mem = lif(w * np.ones(1), mem)
    ...         total = total + stochad.sum(spk)
    ...     return total
    >>> round(stochad.grad(count)(0.6), 4)  # g(w − 1) + 1.9 g(1.9w − 1), g(x) = 1/(1 + π²x²)
    1.9798
    """

    def __init__(
        self,
        beta: float,
        threshold: float = 1.0,
        spike_grad: Surrogate | None = None,
        reset_mechanism: str = "subtract",
        escape_noise: Surrogate | None = None,
    ):
        beta = float(beta)
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got beta={beta!r}")
        if not math.isfinite(float(threshold)):
            raise ValueError(f"threshold must be finite, got threshold={threshold!r}")
        if reset_mechanism not in _LEAKY_RESETS:
            raise ValueError(
                f"reset_mechanism must be one of {_LEAKY_RESETS}, got {reset_mechanism!r}"
            )
        self.beta, self.threshold, self.reset_mechanism = beta, float(threshold), reset_mechanism
        if escape_noise is None:
            self.spike = Heaviside(spike_grad or surrogates.cauchy(beta=2.0))
        else:
            self.spike = EscapeNoise(escape_noise, spike_grad)

    def __repr__(self) -> str:
        return (
            f"Leaky(beta={self.beta!r}, threshold={self.threshold!r}, spike={self.spike!r}, "
            f"reset_mechanism={self.reset_mechanism!r})"
        )

    @staticmethod
    def init_leaky() -> float:
        """The initial membrane, 0 (broadcasts to any shape)."""
        return 0.0

    def __call__(self, input_, mem, spk=None):
        """One step: the spikes and the new membrane.

        Parameters
        ----------
        input_ : array or carrier
            the input current ``X[t]``.
        mem : array, carrier or float
            ``U[t−1]`` (:meth:`init_leaky` at the start).
        spk : array or carrier, optional
            the spikes emitted at ``t − 1``: the reset. Without it the reset is
            ``H(U[t−1] − θ)`` (snntorch's rule), which is only right for deterministic
            spikes.

        Returns
        -------
        (spk, mem)

        Raises
        ------
        ValueError
            for an escape-noise neuron called without ``spk`` after the first step.
        """
        if spk is None:
            if self.spike.stochastic and not (isinstance(mem, float) and mem == 0.0):
                raise ValueError(
                    "an escape-noise Leaky needs spk (the previous output) so that the reset "
                    "uses the emitted sample"
                )
            spk = stochad.heaviside(mem - self.threshold, self.spike.derivative)
        reset = stochad.value(spk)  # snntorch detaches the reset
        if self.reset_mechanism == "subtract":
            mem = self.beta * mem + input_ - reset * self.threshold
        elif self.reset_mechanism == "zero":
            mem = self.beta * (1.0 - reset) * mem + input_
        else:
            mem = self.beta * mem + input_
        return self.spike.emit(mem - self.threshold), mem


@dataclass(frozen=True)
class LIFParameters:
    """norse's ``LIFParameters`` (its defaults), plus stochad's spike generation.

    Parameters
    ----------
    tau_syn_inv, tau_mem_inv : float
        ``1/τ_syn``, ``1/τ_mem`` in 1/s (defaults 200, 100), > 0.
    v_leak, v_th, v_reset : float
    spike : Heaviside or EscapeNoise
        default ``Heaviside(surrogates.from_library("norse", "super", 100))``.

    Examples
    --------
    >>> from stochad import snn
    >>> snn.LIFParameters().spike.surrogate
    surrogates.fast_sigmoid(beta=100.0).scaled(0.02)
    """

    tau_syn_inv: float = 200.0
    tau_mem_inv: float = 100.0
    v_leak: float = 0.0
    v_th: float = 1.0
    v_reset: float = 0.0
    spike: Heaviside | EscapeNoise = field(
        default_factory=lambda: Heaviside(surrogates.from_library("norse", "super", 100.0))
    )

    def __post_init__(self):
        _check_positive("tau_syn_inv", self.tau_syn_inv)
        _check_positive("tau_mem_inv", self.tau_mem_inv)
        if not isinstance(self.spike, (Heaviside, EscapeNoise)):
            raise TypeError(
                f"spike must be snn.Heaviside or snn.EscapeNoise, got {type(self.spike).__name__}"
            )


class LIFState(NamedTuple):
    """norse's ``LIFState``: spikes ``z``, membrane ``v``, current ``i``."""

    z: object
    v: object
    i: object

    @classmethod
    def initial(cls, batch: int, size: int, p: LIFParameters | None = None) -> LIFState:
        """No spikes, ``v = v_leak``, no current: arrays of shape ``(batch, size)``."""
        p = LIFParameters() if p is None else p
        return cls(
            np.zeros((batch, size)), np.full((batch, size), p.v_leak), np.zeros((batch, size))
        )


def lif_step(input_spikes, state: LIFState, input_weights, recurrent_weights,
             p: LIFParameters | None = None, dt: float = 1e-3):  # fmt: skip
    """One step of norse's recurrent ``lif_step`` (module docstring), on stochad carriers.

    Parameters
    ----------
    input_spikes : array or carrier, shape (batch, n_in)
    state : LIFState
        e.g. ``LIFState.initial(batch, n, p)`` at the start.
    input_weights : array or carrier, shape (n, n_in)
    recurrent_weights : array or carrier, shape (n, n)
    p : LIFParameters, optional
    dt : float
        > 0.

    Returns
    -------
    (z, LIFState)

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn
    >>> w, v = np.full((1, 1), 6.0), np.zeros((1, 1))
    >>> state = snn.LIFState.initial(1, 1)
    >>> for _ in range(2):
    ...     z, state = snn.lif_step(np.ones((1, 1)), state, w, v)
    ...     print(z.tolist(), state.v.round(3).tolist(), state.i.round(3).tolist())
    [[0.0]] [[0.6]] [[4.8]]
    [[1.0]] [[0.0]] [[8.64]]

    Step 2: ``i_j = 4.8 + 6``, ``v_d = 0.6 + 0.1 (−0.6 + 10.8) = 1.62 > 1``: a spike, reset.
    """
    p = LIFParameters() if p is None else p
    dt = _check_positive("dt", dt)
    z, v, i = state
    i_jump = i + input_spikes @ input_weights.T + z @ recurrent_weights.T
    v_decayed = v + dt * p.tau_mem_inv * ((p.v_leak - v) + i_jump)
    z_new = p.spike.emit(v_decayed - p.v_th)
    reset = stochad.value(z_new)  # norse's lif_step detaches the reset
    v_new = (1.0 - reset) * v_decayed + reset * p.v_reset
    i_new = i_jump - dt * p.tau_syn_inv * i_jump
    return z_new, LIFState(z_new, v_new, i_new)
