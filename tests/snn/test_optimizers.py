"""Optimizers: first steps against their formulas evaluated by hand, pytrees, bad input."""

from collections import namedtuple

import numpy as np
import pytest

from stochad.snn.optimizers import SGD, SMORMS3, Adam, apply_updates, tree_map


def run(opt, theta, gradients):
    """The parameters after each step with the given gradients."""
    state, path = opt.init(theta), []
    for g in gradients:
        theta, state = opt.step(theta, g, state)
        path.append(theta)
    return path


def test_sgd_plain_steps():
    path = run(SGD(lr=0.1), np.array([1.0, -2.0]), [np.array([0.5, 1.0])] * 2)
    assert path[0] == pytest.approx([0.95, -2.1])
    assert path[1] == pytest.approx([0.90, -2.2])


def test_sgd_momentum_steps():
    # v1 = 2, θ1 = 1 − 0.1·2 = 0.8; v2 = 0.9·2 − 1 = 0.8, θ2 = 0.72; v3 = 0.72 + 3 = 3.72
    path = run(SGD(lr=0.1, momentum=0.9), 1.0, [2.0, -1.0, 3.0])
    assert path == pytest.approx([0.8, 0.72, 0.72 - 0.372])


def test_adam_first_two_steps():
    # lr 0.01, betas (0.9, 0.999), eps 1e-8, G = 2 then −1:
    # m1 = 0.2, v1 = 0.004, m̂1 = 2, v̂1 = 4: Δ1 = −0.01·2/(2 + 1e-8)
    # m2 = 0.18 − 0.1 = 0.08, v2 = 0.003996 + 0.001 = 0.004996,
    # m̂2 = 0.08/0.19, v̂2 = 0.004996/0.001999: Δ2 = −0.01·m̂2/(√v̂2 + 1e-8)
    path = run(Adam(lr=0.01), 1.0, [2.0, -1.0])
    d1 = -0.01 * 2 / (2 + 1e-8)
    d2 = -0.01 * (0.08 / 0.19) / (np.sqrt(0.004996 / 0.001999) + 1e-8)
    assert path[0] == pytest.approx(1.0 + d1, rel=1e-12)
    assert path[1] == pytest.approx(1.0 + d1 + d2, rel=1e-12)
    assert d2 == pytest.approx(-0.00266337, abs=1e-8)


def test_smorms3_first_two_steps():
    # step 1, G = 2: r = ½, g = 1, g2 = 2, g²/g2 = ½, mem = 1·½ + 1 = 1.5,
    #   lr_t = min(½, 0.1) = 0.1, Δ = −0.1·2/√2
    # step 2, G = −1: r = 1/2.5 = 0.4, g = 0.6 − 0.4 = 0.2, g2 = 1.2 + 0.4 = 1.6,
    #   g²/g2 = 0.025, mem = 1.5·0.975 + 1 = 2.4625, lr_t = 0.025, Δ = 0.025/√1.6
    opt = SMORMS3(lr=0.1, eps=0.0)
    state = opt.init(1.0)
    theta, state = opt.step(1.0, 2.0, state)
    assert theta == pytest.approx(1.0 - 0.2 / np.sqrt(2.0))
    assert (state.mem, state.g, state.g2) == pytest.approx((1.5, 1.0, 2.0))
    theta, state = opt.step(theta, -1.0, state)
    assert theta == pytest.approx(1.0 - 0.2 / np.sqrt(2.0) + 0.025 / np.sqrt(1.6))
    assert (state.mem, state.g, state.g2) == pytest.approx((2.4625, 0.2, 1.6))


def test_smorms3_default_eps_matches_the_formula():
    opt = SMORMS3(lr=0.5)  # eps = 1e-16: lr_t = min(½/(1 + ½e-16·…), 0.5)
    theta, _ = opt.step(np.array([0.0]), np.array([4.0]), opt.init(np.array([0.0])))
    ratio = 4.0 / (8.0 + 1e-16)
    assert theta == pytest.approx([-min(ratio, 0.5) * 4.0 / (np.sqrt(8.0) + 1e-16)], rel=1e-15)


@pytest.mark.parametrize("opt", [SGD(lr=0.1, momentum=0.5), Adam(lr=0.05), SMORMS3(lr=0.05)])
def test_each_optimizer_minimizes_a_quadratic(opt):
    target = np.array([1.0, -3.0, 0.5])
    theta, state = np.zeros(3), opt.init(np.zeros(3))
    for _ in range(600):
        theta, state = opt.step(theta, 2 * (theta - target), state)
    assert theta == pytest.approx(target, abs=1e-2)


Pair = namedtuple("Pair", "a b")


def test_pytrees_keep_structure_and_float_leaves():
    params = {"W": np.ones((2, 2)), "layers": [Pair(1.0, np.zeros(3)), (2.0,)]}
    grads = tree_map(lambda p: p * 0 + 1.0, params)
    for opt in (SGD(lr=0.5), Adam(lr=0.5), SMORMS3(lr=0.5)):
        new, _ = opt.step(params, grads, opt.init(params))
        assert isinstance(new["layers"][0], Pair)
        assert isinstance(new["layers"][0].a, float)
        assert isinstance(new["layers"][1], tuple)
        assert new["W"].shape == (2, 2)
        assert np.all(new["W"] < 1.0)
    assert params["W"][0, 0] == 1.0  # nothing was modified in place
    assert apply_updates({"x": 1.0}, {"x": 2.0}) == {"x": 3.0}


def test_mismatched_trees_and_bad_leaves_raise():
    opt = SGD(lr=0.1)
    state = opt.init({"a": 1.0})
    with pytest.raises(TypeError, match="tree structures differ"):
        opt.update({"b": 1.0}, state)
    with pytest.raises(TypeError, match="tree structures differ"):
        tree_map(lambda x, y: x, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="parameter pytree holds"):
        opt.init({"a": "text"})


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(lr=0.0), "lr must be a positive"),
        (lambda: SGD(lr=0.1, momentum=1.0), r"momentum must lie in \[0, 1\)"),
        (lambda: Adam(lr=-1.0), "lr must be a positive"),
        (lambda: Adam(betas=(0.9,)), "betas must be a pair"),
        (lambda: Adam(betas=(0.9, 1.5)), r"betas\[1\] must lie in \[0, 1\)"),
        (lambda: Adam(eps=-1.0), "eps must be"),
        (lambda: SMORMS3(lr=np.inf), "lr must be a positive"),
        (lambda: SMORMS3(eps=-1e-3), "eps must be"),
    ],
)
def test_bad_hyperparameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()
