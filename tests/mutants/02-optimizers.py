"""Plausible wrong answers to assignment 02-optimizers."""

import textwrap

from tests.assignments import Mutant


def _body(code, depth=3):
    """Indent a loop body written flush left to ``depth`` levels."""
    return textwrap.indent(textwrap.dedent(code).strip("\n"), "    " * depth)


def _momentum_like(name, body):
    return f'''class {name}:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = {{}}

    def update(self, params, grads):
        for key in params:
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            g = grads[key]
{_body(body)}'''


def _adaptive_like(name, init, body):
    args = {"AdaGrad": "lr=0.01, eps=1e-7",
            "RMSProp": "lr=0.001, rho=0.9, eps=1e-7"}[name]
    return f'''class {name}:
    def __init__(self, {args}):
{_body(init, 2)}
        self.h = {{}}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            g = grads[key]
{_body(body)}'''


ADAGRAD_INIT = """
self.lr = lr
self.eps = eps
"""
RMSPROP_INIT = """
self.lr = lr
self.rho = rho
self.eps = eps
"""


def _adam_like(step, count="first"):
    """``count``: where ``self.t += 1`` goes: "first", "last", "per_key"."""
    tick = "        self.t += 1\n" if count == "first" else ""
    late = "\n        self.t += 1" if count == "last" else ""
    inner = "self.t += 1\n" if count == "per_key" else ""
    return f'''class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = {{}}
        self.v = {{}}
        self.t = 0

    def update(self, params, grads):
{tick}        for key in params:
            if key not in self.m:
                self.m[key] = np.zeros_like(params[key])
                self.v[key] = np.zeros_like(params[key])
            g = grads[key]
            b1, b2 = self.beta1, self.beta2
            self.m[key] = b1 * self.m[key] + (1 - b1) * g
            self.v[key] = b2 * self.v[key] + (1 - b2) * g * g
{_body(inner + step)}{late}'''


ADAM_STEP = """
m_hat = self.m[key] / (1 - self.beta1 ** self.t)
v_hat = self.v[key] / (1 - self.beta2 ** self.t)
params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""

MUTANTS = [
    # --------------------------------------------------------------- momentum
    Mutant(
        name="momentum-wrong-sign",
        cell="momentum",
        source=_momentum_like("Momentum", """
            self.v[key] = self.momentum * self.v[key] + self.lr * g
            params[key] += self.v[key]
        """),
        loses=("test_momentum",),
        message="wrong sign",
    ),
    Mutant(
        name="momentum-rebinds-params",
        cell="momentum",
        source=_momentum_like("Momentum", """
            self.v[key] = self.momentum * self.v[key] - self.lr * g
            params[key] = params[key] + self.v[key]
        """),
        loses=("test_momentum",),
        message="in place",
    ),
    Mutant(
        name="momentum-forgets-velocity",
        cell="momentum",
        source=_momentum_like("Momentum", """
            v = self.momentum * self.v[key] - self.lr * g
            params[key] += v
        """),
        loses=("test_momentum",),
        message="velocity",
    ),
    # --------------------------------------------------------------- nesterov
    Mutant(
        name="nesterov-is-plain-momentum",
        cell="nesterov",
        source=_momentum_like("Nesterov", """
            self.v[key] = self.momentum * self.v[key] - self.lr * g
            params[key] += self.v[key]
        """),
        loses=("test_nesterov",),
        message="plain momentum",
    ),
    Mutant(
        name="nesterov-old-velocity-in-step",
        cell="nesterov",
        source=_momentum_like("Nesterov", """
            old = self.v[key]
            self.v[key] = self.momentum * old - self.lr * g
            params[key] += self.momentum * old - self.lr * g
        """),
        loses=("test_nesterov",),
    ),
    # ---------------------------------------------------------------- adagrad
    Mutant(
        name="adagrad-no-accumulation",
        cell="adagrad",
        source=_adaptive_like("AdaGrad", ADAGRAD_INIT, """
            self.h[key] = g * g
            params[key] -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)
        """),
        loses=("test_adagrad",),
        message="accumulate",
    ),
    Mutant(
        name="adagrad-eps-inside-root",
        cell="adagrad",
        source=_adaptive_like("AdaGrad", ADAGRAD_INIT, """
            self.h[key] += g * g
            params[key] -= self.lr * g / np.sqrt(self.h[key] + self.eps)
        """),
        loses=("test_adagrad",),
        message="outside the square root",
    ),
    # ---------------------------------------------------------------- rmsprop
    Mutant(
        name="rmsprop-eps-inside-root",
        cell="rmsprop",
        source=_adaptive_like("RMSProp", RMSPROP_INIT, """
            self.h[key] = self.rho * self.h[key] + (1 - self.rho) * g * g
            params[key] -= self.lr * g / np.sqrt(self.h[key] + self.eps)
        """),
        loses=("test_rmsprop",),
        message="inside the square root",
    ),
    Mutant(
        name="rmsprop-swapped-weights",
        cell="rmsprop",
        source=_adaptive_like("RMSProp", RMSPROP_INIT, """
            self.h[key] = (1 - self.rho) * self.h[key] + self.rho * g * g
            params[key] -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)
        """),
        loses=("test_rmsprop",),
    ),
    # ------------------------------------------------------------------- adam
    Mutant(
        name="adam-no-bias-correction",
        cell="adam",
        source=_adam_like("""
            denom = np.sqrt(self.v[key]) + self.eps
            params[key] -= self.lr * self.m[key] / denom
        """),
        loses=("test_adam",),
        message="bias correction",
    ),
    Mutant(
        name="adam-t-counted-from-zero",
        cell="adam",
        source=_adam_like(ADAM_STEP, count="last"),
        loses=("test_adam",),
        message="count t from 1",
    ),
    Mutant(
        name="adam-eps-inside-root",
        cell="adam",
        source=_adam_like("""
            m_hat = self.m[key] / (1 - self.beta1 ** self.t)
            v_hat = self.v[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
        """),
        loses=("test_adam",),
        message="outside the square root",
    ),
    Mutant(
        name="adam-t-per-key",
        cell="adam",
        source=_adam_like(ADAM_STEP, count="per_key"),
        loses=("test_adam",),
    ),
    # -------------------------------------------------------------- schedules
    Mutant(
        name="step-decay-smooth",
        cell="step_decay",
        source='''def step_decay(lr0, factor, interval, epoch):
    return float(lr0 * factor ** (epoch / interval))''',
        loses=("test_step_decay",),
        message="integer division",
    ),
    Mutant(
        name="step-decay-off-by-one",
        cell="step_decay",
        source='''def step_decay(lr0, factor, interval, epoch):
    return float(lr0 * factor ** ((epoch + 1) // interval))''',
        loses=("test_step_decay",),
    ),
    Mutant(
        name="time-decay-as-power",
        cell="time_based_decay",
        source='''def time_based_decay(lr0, decay, t):
    return float(lr0 / (1.0 + decay) ** t)''',
        loses=("test_time_based_decay",),
        message="not a power",
    ),
    Mutant(
        name="time-decay-linear",
        cell="time_based_decay",
        source='''def time_based_decay(lr0, decay, t):
    return float(lr0 * (1.0 - decay * t))''',
        loses=("test_time_based_decay",),
    ),
]
