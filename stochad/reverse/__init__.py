"""Reverse mode through smoothing: gradients of many parameters in one backward pass.

``tape`` records the primitives an evaluation applies; ``tracer`` is the carrier type that
records them; ``draws`` gives tracers their primal samples on the shared stream convention;
``pytree`` handles structured arguments; ``api`` holds :func:`grad` and
:func:`value_and_grad`.
"""

from stochad.reverse.api import grad, value_and_grad
from stochad.reverse.tracer import Tracer

__all__ = ["grad", "value_and_grad", "Tracer"]
