"""Optimizers: hand-computed first steps, PyTorch's recurrences, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_lib as cl
from course_lib.optim import (
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    AdamW,
    GradientNoise,
    Momentum,
    Nesterov,
    RMSProp,
    clip_grad_norm,
)

pytestmark = pytest.mark.ch2

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta, Adam, AdamW]


def run(opt, p0, grads):
    """Apply ``opt`` to a copy of p0 with the given gradient sequence."""
    p = np.array(p0, dtype=np.float64)
    path = []
    for g in grads:
        opt.update({"w": p}, {"w": np.array(g, dtype=np.float64)})
        path.append(p.copy())
    return path


# --- first steps computed by hand -----------------------------------------

def test_sgd_by_hand():
    path = run(SGD(lr=0.1), [1.0, -1.0], [[2.0, 0.5], [2.0, 0.5]])
    np.testing.assert_allclose(path[0], [0.8, -1.05])
    np.testing.assert_allclose(path[1], [0.6, -1.1])


def test_momentum_by_hand():
    # v1 = -0.1, v2 = 0.9 * -0.1 - 0.1 = -0.19, v3 = -0.171 - 0.1 = -0.271
    path = run(Momentum(lr=0.1, momentum=0.9), [0.0], [[1.0]] * 3)
    np.testing.assert_allclose(np.ravel(path), [-0.1, -0.29, -0.561])


def test_nesterov_by_hand():
    # v1 = -0.1, step = 0.9 * v1 - 0.1 = -0.19
    # v2 = 0.9 * -0.1 - 0.1 = -0.19, step = 0.9 * -0.19 - 0.1 = -0.271
    path = run(Nesterov(lr=0.1, momentum=0.9), [0.0], [[1.0]] * 2)
    np.testing.assert_allclose(np.ravel(path), [-0.19, -0.461])


def test_adagrad_by_hand():
    # h = 4: step 0.1 * 2 / 2 = 0.1; h = 8: step 0.2 / sqrt(8)
    # (eps = 1e-12 moves these by about 1e-13)
    path = run(AdaGrad(lr=0.1, eps=1e-12), [1.0], [[2.0]] * 2)
    np.testing.assert_allclose(np.ravel(path),
                               [0.9, 0.9 - 0.2 / math.sqrt(8.0)],
                               rtol=1e-11)


def test_adagrad_eps_is_outside_the_root():
    # h = 1e-4, sqrt(h) + eps = 0.01 + 0.01 = 0.02 (inside: sqrt(0.0101))
    path = run(AdaGrad(lr=1.0, eps=0.01), [0.0], [[0.01]])
    np.testing.assert_allclose(np.ravel(path), [-0.5])


def test_rmsprop_by_hand():
    # h = 0.1, then 0.09 + 0.1 = 0.19
    path = run(RMSProp(lr=0.01, rho=0.9, eps=1e-12), [0.0], [[1.0]] * 2)
    s1 = 0.01 / math.sqrt(0.1)
    np.testing.assert_allclose(np.ravel(path), [-s1, -s1 - 0.01 / math.sqrt(
        0.19)], rtol=1e-10)


def test_rmsprop_eps_is_outside_the_root():
    # h = 0.5 * 1e-4, sqrt(h) = 0.0070711, + eps 0.01
    path = run(RMSProp(lr=1.0, rho=0.5, eps=0.01), [0.0], [[0.01]])
    np.testing.assert_allclose(np.ravel(path),
                               [-0.01 / (math.sqrt(0.5e-4) + 0.01)])


def test_adadelta_by_hand():
    eps = 1e-6
    # step 1: h = 0.1, delta = sqrt(0 + eps) / sqrt(0.1 + eps), s = 0.1 d^2
    d1 = math.sqrt(eps) / math.sqrt(0.1 + eps)
    s1 = 0.1 * d1 ** 2
    # step 2: h = 0.09 + 0.1 = 0.19, delta = sqrt(s1 + eps) / sqrt(0.19 + eps)
    d2 = math.sqrt(s1 + eps) / math.sqrt(0.19 + eps)
    path = run(AdaDelta(lr=1.0, rho=0.9, eps=eps), [0.0], [[1.0]] * 2)
    np.testing.assert_allclose(np.ravel(path), [-d1, -d1 - d2], rtol=1e-12)
    # the lr multiplies the step
    half = run(AdaDelta(lr=0.5, rho=0.9, eps=eps), [0.0], [[1.0]] * 2)
    np.testing.assert_allclose(np.ravel(half), [-d1 / 2, -(d1 + d2) / 2])


def test_adam_constant_gradient_moves_lr_per_step():
    # bias correction makes m_hat = g and v_hat = g^2 exactly
    path = run(Adam(lr=0.1, eps=1e-12), [1.0, 1.0], [[0.5, -3.0]] * 3)
    np.testing.assert_allclose(np.array(path),
                               [[0.9, 1.1], [0.8, 1.2], [0.7, 1.3]],
                               rtol=1e-10)


def test_adam_by_hand_with_sign_change():
    # g = 1 then -1: m2 = 0.09 - 0.1 = -0.01, m_hat = -0.01 / 0.19;
    # v2 = 0.999e-3 + 1e-3 = 1.999e-3, v_hat = v2 / (1 - 0.999^2) = 1
    path = run(Adam(lr=0.1, eps=1e-12), [0.0], [[1.0], [-1.0]])
    np.testing.assert_allclose(np.ravel(path),
                               [-0.1, -0.1 + 0.1 * 0.01 / 0.19], rtol=1e-9)


# --- PyTorch's recurrences, written out independently -----------------------

def torch_sgd(p, grads, lr, momentum=0.0, nesterov=False):
    buf = None
    out = []
    for g in grads:
        d = g
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + g
            d = g + momentum * buf if nesterov else buf
        p = p - lr * d
        out.append(p)
    return out


def torch_adagrad(p, grads, lr, eps):
    s = np.zeros_like(p)
    out = []
    for g in grads:
        s = s + g * g
        p = p - lr * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


def torch_rmsprop(p, grads, lr, alpha, eps):
    sq = np.zeros_like(p)
    out = []
    for g in grads:
        sq = alpha * sq + (1 - alpha) * g * g
        p = p - lr * g / (np.sqrt(sq) + eps)
        out.append(p)
    return out


def torch_adadelta(p, grads, lr, rho, eps):
    sq = np.zeros_like(p)
    acc = np.zeros_like(p)
    out = []
    for g in grads:
        sq = rho * sq + (1 - rho) * g * g
        delta = np.sqrt(acc + eps) / np.sqrt(sq + eps) * g
        acc = rho * acc + (1 - rho) * delta * delta
        p = p - lr * delta
        out.append(p)
    return out


def torch_adam(p, grads, lr, b1, b2, eps):
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    out = []
    for step, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) / math.sqrt(1 - b2 ** step) + eps
        p = p - lr / (1 - b1 ** step) * m / denom
        out.append(p)
    return out


# (factory, reference): a fresh optimizer for every run of the test
CASES = [
    (lambda: SGD(lr=0.05), lambda p, G: torch_sgd(p, G, 0.05)),
    (lambda: Momentum(lr=0.05, momentum=0.9),
     lambda p, G: torch_sgd(p, G, 0.05, momentum=0.9)),
    (lambda: Nesterov(lr=0.05, momentum=0.8),
     lambda p, G: torch_sgd(p, G, 0.05, momentum=0.8, nesterov=True)),
    (lambda: AdaGrad(lr=0.1, eps=1e-3), lambda p, G: torch_adagrad(p, G, 0.1, 1e-3)),
    (lambda: RMSProp(lr=0.01, rho=0.8, eps=1e-3),
     lambda p, G: torch_rmsprop(p, G, 0.01, 0.8, 1e-3)),
    (lambda: AdaDelta(lr=0.7, rho=0.9, eps=1e-3),
     lambda p, G: torch_adadelta(p, G, 0.7, 0.9, 1e-3)),
    (lambda: Adam(lr=0.02, beta1=0.8, beta2=0.95, eps=1e-3),
     lambda p, G: torch_adam(p, G, 0.02, 0.8, 0.95, 1e-3)),
]


@pytest.mark.parametrize("make, reference", CASES,
                         ids=[type(c[0]()).__name__ for c in CASES])
def test_trajectory_equals_pytorch_recurrence(make, reference):
    opt = make()
    rng = np.random.default_rng(7)
    shapes = {"W": (3, 4), "b": (4,), "k": (2, 1, 3)}
    start = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads = {k: [rng.standard_normal(s) for _ in range(8)]
             for k, s in shapes.items()}
    params = {k: v.copy() for k, v in start.items()}
    ours = {k: [] for k in shapes}
    for i in range(8):
        opt.update(params, {k: grads[k][i] for k in shapes})
        for k in shapes:
            ours[k].append(params[k].copy())
    assert opt.t == 8
    for k in shapes:
        expected = reference(start[k], grads[k])
        np.testing.assert_allclose(np.array(ours[k]), np.array(expected),
                                   rtol=1e-12, atol=1e-14, err_msg=k)


def test_momentum_zero_is_sgd():
    rng = np.random.default_rng(1)
    G = [rng.standard_normal(5) for _ in range(4)]
    a = run(Momentum(lr=0.1, momentum=0.0), np.ones(5), G)
    b = run(SGD(lr=0.1), np.ones(5), G)
    np.testing.assert_allclose(a, b)


# --- contract: in place, dtype, state, validation --------------------------

@pytest.mark.parametrize("cls", ALL)
def test_updates_in_place_and_keeps_aliases(cls):
    W = np.ones((2, 3))
    view = W[0]
    params = {"W": W}
    cls().update(params, {"W": np.full((2, 3), 0.5)})
    assert params["W"] is W
    assert np.all(view != 1.0)


@pytest.mark.parametrize("cls", ALL)
def test_float32_stays_float32(cls):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4, 3)).astype(np.float32)
    opt = cls()
    for _ in range(3):
        opt.update({"W": W}, {"W": rng.standard_normal((4, 3)).astype(
            np.float32)})
    assert W.dtype == np.float32
    for buf in opt.state.get("W", {}).values():
        assert buf.dtype == np.float32


@pytest.mark.parametrize("cls", ALL)
def test_state_dict_round_trip(cls):
    rng = np.random.default_rng(3)
    G = [{"a": rng.standard_normal(3), "b": rng.standard_normal((2, 2))}
         for _ in range(5)]
    p = {"a": np.zeros(3), "b": np.ones((2, 2))}
    opt = cls(lr=0.05)
    for g in G[:3]:
        opt.update(p, g)
    saved = opt.state_dict()
    p_saved = {k: v.copy() for k, v in p.items()}
    for g in G[3:]:
        opt.update(p, g)
    # the saved copy did not move with the optimizer
    assert saved["t"] == 3
    fresh = cls(lr=1.0)
    fresh.load_state_dict(saved)
    assert fresh.lr == 0.05 and fresh.t == 3
    for g in G[3:]:
        fresh.update(p_saved, g)
    for k in p:
        np.testing.assert_array_equal(p_saved[k], p[k])
    for st in fresh.state.values():
        for buf in st.values():
            assert not any(np.shares_memory(buf, b)
                           for s in saved["state"].values()
                           for b in s.values())


def test_load_state_dict_rejects_garbage():
    with pytest.raises(ValueError, match="state"):
        Adam().load_state_dict({"lr": 0.1})


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan"), float("inf")])
def test_lr_setter_rejects_bad_values(cls, bad):
    opt = cls()
    with pytest.raises(ValueError, match="'lr'"):
        opt.lr = bad
    with pytest.raises(ValueError, match="'lr'"):
        cls(lr=bad)


def test_lr_setter_accepts_new_rate_between_steps():
    opt = SGD(lr=0.1)
    p = {"w": np.zeros(1)}
    opt.update(p, {"w": np.ones(1)})
    opt.lr = 0.5
    opt.update(p, {"w": np.ones(1)})
    np.testing.assert_allclose(p["w"], [-0.6])
    with pytest.raises(TypeError, match="'lr'"):
        opt.lr = "0.1"


@pytest.mark.parametrize("cls, name", [
    (Momentum, "momentum"), (Nesterov, "momentum"), (RMSProp, "rho"),
    (AdaDelta, "rho"), (Adam, "beta1"), (Adam, "beta2"), (AdamW, "beta1"),
    (AdamW, "beta2")])
@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_decay_rates_must_be_in_0_1(cls, name, bad):
    with pytest.raises(ValueError, match=f"'{name}'.*\\[0.0, 1.0\\)"):
        cls(**{name: bad})


@pytest.mark.parametrize("cls", [AdaGrad, RMSProp, AdaDelta, Adam, AdamW])
@pytest.mark.parametrize("bad", [-1e-8, 0.0, 0, float("nan"), float("inf")])
def test_eps_must_be_positive(cls, bad):
    with pytest.raises(ValueError, match=f"{cls.__name__}: 'eps' must be a "
                       "finite number > 0"):
        cls(eps=bad)


def test_no_kwargs_misspelling_fails():
    with pytest.raises(TypeError):
        Momentum(lr=0.1, momentun=0.9)


@pytest.mark.parametrize("cls", ALL)
def test_mismatched_keys_and_shapes_are_named(cls):
    opt = cls()
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        opt.update({"W": np.zeros(2), "b": np.zeros(1)}, {"W": np.zeros(2)})
    with pytest.raises(ValueError, match=r"unexpected \['c'\]"):
        opt.update({"W": np.zeros(2)}, {"W": np.zeros(2), "c": np.zeros(2)})
    with pytest.raises(ValueError,
                       match=r"grads\['W'\].*\(2, 3\); got \(3, 2\)"):
        opt.update({"W": np.zeros((2, 3))}, {"W": np.zeros((3, 2))})
    assert opt.t == 0  # nothing was applied


def test_integer_params_rejected():
    with pytest.raises(TypeError, match="floating-point"):
        SGD().update({"W": np.zeros(2, dtype=int)}, {"W": np.ones(2)})


@pytest.mark.parametrize("cls", ALL)
def test_repr_shows_hyperparameters(cls):
    text = repr(cls(lr=0.25))
    assert text.startswith(cls.__name__ + "(") and "lr=0.25" in text


def test_state_is_lazy_and_per_key():
    opt = Adam()
    assert opt.state == {}
    opt.update({"a": np.zeros(2), "b": np.zeros(3)},
               {"a": np.ones(2), "b": np.ones(3)})
    assert set(opt.state) == {"a", "b"}
    assert opt.state["b"]["m"].shape == (3,)


# --- gradient noise ---------------------------------------------------------

def test_gradient_noise_has_the_stated_variance():
    n = 200_000
    eta, gamma = 0.3, 0.55
    noisy = GradientNoise(SGD(lr=1.0), eta=eta, gamma=gamma, rng=0)
    p = np.zeros(n)
    zero = np.zeros(n)
    for t in range(1, 4):
        p[:] = 0.0
        noisy.update({"w": p}, {"w": zero})   # p = -noise
        var = eta / (1 + t) ** gamma
        assert noisy.variance(t) == pytest.approx(var)
        # sample variance of n Gaussians: standard error var * sqrt(2/(n-1))
        se = var * math.sqrt(2.0 / (n - 1))
        assert abs(np.var(p) - var) < 5 * se, (t, np.var(p), var)
        assert abs(np.mean(p)) < 5 * math.sqrt(var / n)
    assert np.all(zero == 0.0)  # the caller's gradients are untouched


def test_gradient_noise_wraps_lr_and_state():
    inner = Momentum(lr=0.1)
    noisy = GradientNoise(inner, eta=0.01, rng=1)
    noisy.lr = 0.2
    assert inner.lr == 0.2 and noisy.lr == 0.2
    with pytest.raises(ValueError, match="'lr'"):
        noisy.lr = -1.0
    p = {"w": np.zeros(3, dtype=np.float32)}
    noisy.update(p, {"w": np.ones(3, dtype=np.float32)})
    assert p["w"].dtype == np.float32 and noisy.t == 1 and inner.t == 1
    assert noisy.state_dict()["optimizer"]["t"] == 1
    assert "GradientNoise(Momentum(" in repr(noisy)


def test_gradient_noise_validation():
    with pytest.raises(ValueError, match="'eta'"):
        GradientNoise(SGD(), eta=-1.0)
    with pytest.raises(ValueError, match="'gamma'"):
        GradientNoise(SGD(), gamma=float("nan"))
    with pytest.raises(TypeError, match="'optimizer'"):
        GradientNoise(object())
    with pytest.raises(ValueError, match="grads"):
        GradientNoise(SGD()).update({"w": np.zeros(2)}, {"w": np.zeros(3)})


def test_gradient_noise_zero_eta_is_the_wrapped_optimizer():
    rng = np.random.default_rng(0)
    G = [rng.standard_normal(4) for _ in range(3)]
    a = run(GradientNoise(Adam(lr=0.1), eta=0.0, rng=0), np.ones(4), G)
    b = run(Adam(lr=0.1), np.ones(4), G)
    np.testing.assert_array_equal(a, b)


# --- with the trainer -------------------------------------------------------

@pytest.mark.parametrize("cls", ALL)
def test_every_optimizer_trains_a_small_network(cls):
    x, t = cl.two_moons(60, noise=0.1, rng=0)
    net = cl.mlp([2, 8, 2], rng=0)
    lr = {AdaDelta: 1.0, SGD: 0.3, Momentum: 0.1, Nesterov: 0.1,
          AdaGrad: 0.1}.get(cls, 0.01)
    hist = cl.Trainer(net, cls(lr=lr), batch_size=10, rng=0,
                      progress=False).fit(x, t, epochs=15)
    assert hist.train_loss[-1] < hist.train_loss[0]


# --- the contract: the same trajectory as torch.optim ----------------------

TORCH_PEERS = [
    (lambda: SGD(lr=0.05), "SGD", dict(lr=0.05)),
    (lambda: SGD(lr=0.05, weight_decay=0.1), "SGD",
     dict(lr=0.05, weight_decay=0.1)),
    (lambda: Momentum(lr=0.05, momentum=0.9), "SGD", dict(lr=0.05, momentum=0.9)),
    (lambda: Nesterov(lr=0.05, momentum=0.9), "SGD",
     dict(lr=0.05, momentum=0.9, nesterov=True)),
    (lambda: AdaGrad(lr=0.1, eps=1e-7), "Adagrad", dict(lr=0.1, eps=1e-7)),
    (lambda: RMSProp(lr=0.01, rho=0.9, eps=1e-7), "RMSprop",
     dict(lr=0.01, alpha=0.9, eps=1e-7)),
    (lambda: AdaDelta(lr=1.0, rho=0.95, eps=1e-6), "Adadelta",
     dict(lr=1.0, rho=0.95, eps=1e-6)),
    (lambda: Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8), "Adam",
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    (lambda: AdamW(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8), "AdamW",
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    (lambda: AdamW(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6,
                   weight_decay=0.5), "AdamW",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.5)),
]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10),
                                         ("float32", 1e-5)])
@pytest.mark.parametrize("make,peer,kwargs", TORCH_PEERS,
                         ids=[p[1] + str(i) for i, p in enumerate(TORCH_PEERS)])
def test_trajectory_equals_torch_optim(make, peer, kwargs, dtype, rtol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 4))
    A = (A @ A.T + np.eye(4)).astype(dtype)   # a convex quadratic bowl
    b = rng.standard_normal(4).astype(dtype)
    w0 = rng.standard_normal(4).astype(dtype)

    ours, opt = w0.copy(), make()
    theirs = torch.tensor(w0, requires_grad=True)
    torch_opt = getattr(torch.optim, peer)([theirs], **kwargs)
    tA, tb = torch.from_numpy(A), torch.from_numpy(b)
    for step in range(50):
        opt.update({"w": ours}, {"w": A @ ours + b})
        torch_opt.zero_grad()
        (0.5 * theirs @ tA @ theirs + tb @ theirs).backward()
        torch_opt.step()
        assert ours.dtype == dtype
        expected = theirs.detach().numpy()
        # relative to the vector's scale: a coordinate near 0 carries the
        # rounding of the others
        np.testing.assert_allclose(ours, expected, rtol=rtol,
                                   atol=rtol * np.max(np.abs(expected)),
                                   err_msg=f"step {step + 1}")


# --- per-key step counts ----------------------------------------------------

def test_adam_counts_steps_per_key():
    opt = Adam(lr=0.1)
    params = {"W": np.zeros(3)}
    for _ in range(5):
        opt.update(params, {"W": np.ones(3)})
    params["c"] = np.zeros(2)             # joins at the sixth update
    opt.update(params, {"W": np.ones(3), "c": np.array([0.5, -2.0])})
    assert opt.t == 6 and opt.steps == {"W": 6, "c": 1}
    # its own bias correction from t = 1: m_hat = g, v_hat = g^2, so the
    # first step is -lr * sign(g) (with the global t = 6 it would be
    # -0.1 * 0.1 / 0.4095 / sqrt(0.001 / 0.00599) = -0.0598)
    np.testing.assert_allclose(params["c"], [-0.1, 0.1], rtol=1e-6)
    saved = opt.state_dict()
    assert saved["steps"] == {"W": 6, "c": 1}
    fresh = Adam(lr=0.1)
    fresh.load_state_dict(saved)
    assert fresh.steps == {"W": 6, "c": 1}
    # a dict saved without per-key counts gives every key the count t
    fresh.load_state_dict({k: v for k, v in saved.items() if k != "steps"})
    assert fresh.steps == {"W": 6, "c": 6}


def test_a_key_added_mid_training_follows_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    w0, c0 = rng.standard_normal(3), rng.standard_normal(2)
    grads = [(rng.standard_normal(3), rng.standard_normal(2))
             for _ in range(12)]
    params = {"w": w0.copy()}
    opt = AdamW(lr=0.05, weight_decay=0.1)
    tw = torch.tensor(w0, requires_grad=True)
    tc = torch.tensor(c0, requires_grad=True)
    topt = torch.optim.AdamW([tw], lr=0.05, weight_decay=0.1)
    for i, (gw, gc) in enumerate(grads):
        if i == 4:
            params["c"] = c0.copy()
            topt.add_param_group({"params": [tc]})
        g = {"w": gw, "c": gc} if "c" in params else {"w": gw}
        opt.update(params, g)
        tw.grad, tc.grad = torch.from_numpy(gw), torch.from_numpy(gc)
        topt.step()
    np.testing.assert_allclose(params["w"], tw.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(params["c"], tc.detach().numpy(), rtol=1e-10)


# --- one rule for gradients that are not arrays ------------------------------

@pytest.mark.parametrize("cls", ALL)
def test_list_gradients_are_rejected_by_name(cls):
    W = np.ones(2)
    opt = cls()
    with pytest.raises(TypeError, match=r"update: \"grads\['W'\]\" must be "
                       r"a numpy.ndarray.*got list"):
        opt.update({"W": W, "b": np.ones(1)},
                   {"W": [0.5, 0.5], "b": np.ones(1)})
    assert opt.t == 0 and opt.state == {}
    np.testing.assert_array_equal(W, [1.0, 1.0])


def test_gradient_noise_rejects_list_gradients_too():
    with pytest.raises(TypeError, match=r"GradientNoise.update: \"grads\['W'\]\""):
        GradientNoise(SGD(), rng=0).update({"W": np.ones(2)}, {"W": [1, 2]})


def test_adadelta_first_steps_are_about_sqrt_eps_over_one_minus_rho():
    eps, rho = 1e-6, 0.95
    path = run(AdaDelta(eps=eps, rho=rho), [0.0], [[3.0]] * 3)
    steps = -np.diff(np.concatenate([[0.0], np.ravel(path)]))
    first = math.sqrt(eps / (1 - rho))          # 4.47e-3
    np.testing.assert_allclose(steps[0], first, rtol=1e-3)
    assert first < steps[1] < steps[2] < 3 * first   # they grow slowly


# --- weight decay -----------------------------------------------------------

def test_adamw_decay_is_decoupled_from_the_gradient():
    # a zero gradient: Adam leaves w alone, AdamW shrinks it by lr * wd
    w = np.array([2.0, -4.0])
    AdamW(lr=0.1, weight_decay=0.5).update({"w": w}, {"w": np.zeros(2)})
    np.testing.assert_allclose(w, [2.0 * 0.95, -4.0 * 0.95])
    # weight_decay = 0 is Adam, bit for bit
    rng = np.random.default_rng(2)
    G = [rng.standard_normal(3) for _ in range(5)]
    np.testing.assert_array_equal(
        run(AdamW(lr=0.1, weight_decay=0.0), np.ones(3), G),
        run(Adam(lr=0.1), np.ones(3), G))


def test_sgd_weight_decay_by_hand():
    # w = 1 - 0.1 * (2 + 0.5 * 1) = 0.75
    path = run(SGD(lr=0.1, weight_decay=0.5), [1.0], [[2.0]])
    np.testing.assert_allclose(np.ravel(path), [0.75])
    assert repr(SGD(lr=0.1, weight_decay=0.5)) == (
        "SGD(lr=0.1, weight_decay=0.5)")


@pytest.mark.parametrize("cls", [SGD, AdamW])
@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_weight_decay_must_be_non_negative(cls, bad):
    with pytest.raises(ValueError, match=f"{cls.__name__}: 'weight_decay'"):
        cls(weight_decay=bad)


# --- gradient clipping ------------------------------------------------------

@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12),
                                         (np.float32, 1e-5)])
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e3])
def test_clip_grad_norm_equals_torch(max_norm, dtype, rtol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    grads = {"W": rng.standard_normal((3, 4)).astype(dtype),
             "b": rng.standard_normal(4).astype(dtype),
             "k": rng.standard_normal((2, 1, 3, 3)).astype(dtype)}
    tensors = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype,
                           requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    before = {k: g.copy() for k, g in grads.items()}
    total = clip_grad_norm(grads, max_norm)
    t_total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert isinstance(total, float)
    assert total == pytest.approx(float(t_total), rel=rtol)
    assert total == pytest.approx(math.sqrt(sum(
        float(np.sum(g.astype(np.float64) ** 2)) for g in before.values())),
        rel=rtol)
    for t, (k, g) in zip(tensors, grads.items(), strict=True):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=rtol, err_msg=k)
    if max_norm > total:
        for k in grads:
            np.testing.assert_array_equal(grads[k], before[k])
    else:
        clipped = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2))
                                for g in grads.values()))
        assert clipped == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_by_hand_and_in_place():
    W = np.array([3.0, 0.0])
    grads = {"W": W, "b": np.array([4.0])}
    assert clip_grad_norm(grads, 1.0) == 5.0
    assert grads["W"] is W
    np.testing.assert_allclose(W, [3.0 / (5.0 + 1e-6), 0.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_clip_grad_norm_rejects_bad_max_norm(bad):
    with pytest.raises(ValueError, match="clip_grad_norm: 'max_norm' must be "
                       "a finite number > 0"):
        clip_grad_norm({"W": np.ones(2)}, bad)


def test_clip_grad_norm_rejects_bad_grads():
    with pytest.raises(TypeError, match="clip_grad_norm: 'grads' must be a "
                       "dict"):
        clip_grad_norm([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match=r"grads\['W'\].*got list"):
        clip_grad_norm({"W": [1.0, 2.0]}, 1.0)
    with pytest.raises(TypeError, match=r"grads\['W'\].*dtype int64"):
        clip_grad_norm({"W": np.array([1, 2])}, 1.0)
