"""Plausible wrong answers to assignment 01-foundations."""

from tests.assignments import Mutant

MUTANTS = [
    Mutant(
        name="softmax-no-max-shift",
        cell="softmax",
        source='''def softmax(x):
    e = np.exp(x)
    return e / np.sum(e, axis=1, keepdims=True)''',
        loses=("test_softmax",),
        message="subtract the row maximum",
    ),
    Mutant(
        name="softmax-wrong-axis",
        cell="softmax",
        source='''def softmax(x):
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)''',
        loses=("test_softmax",),
    ),
    Mutant(
        name="cross-entropy-sum-not-mean",
        cell="cross_entropy",
        source='''def cross_entropy(x, t):
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.sum(log_y[np.arange(x.shape[0]), t]))''',
        loses=("test_cross_entropy",),
        message="take the mean",
    ),
    Mutant(
        name="cross-entropy-log-of-softmax",
        cell="cross_entropy",
        source='''def cross_entropy(x, t):
    y = softmax(x)
    return float(-np.mean(np.log(y[np.arange(x.shape[0]), t])))''',
        loses=("test_cross_entropy",),
        message="log-probabilities directly",
    ),
    Mutant(
        name="sigmoid-backward-missing-factor",
        cell="sigmoid",
        source='''class Sigmoid:
    def forward(self, x):
        self.out = 0.5 * (1.0 + np.tanh(0.5 * x))
        return self.out

    def backward(self, dout):
        return dout * self.out''',
        loses=("test_sigmoid",),
    ),
    Mutant(
        name="relu-backward-masks-on-dout",
        cell="relu",
        source='''class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, dout):
        return np.where(dout > 0, dout, 0.0)''',
        loses=("test_relu",),
    ),
    Mutant(
        name="relu-in-place",
        cell="relu",
        source='''class ReLU:
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0.0
        return x

    def backward(self, dout):
        dout[self.mask] = 0.0
        return dout''',
        loses=("test_relu",),
        message="in place",
    ),
    Mutant(
        name="affine-transposed-dW",
        cell="affine",
        source='''class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW, self.db = None, None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W.T''',
        loses=("test_affine",),
        message="transposed product",
    ),
    Mutant(
        name="numerical-gradient-one-sided",
        cell="numerical_gradient",
        source='''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad''',
        loses=("test_numerical_gradient",),
        message="central differences",
    ),
    Mutant(
        name="numerical-gradient-no-restore",
        cell="numerical_gradient",
        source='''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad''',
        loses=("test_numerical_gradient",),
        message="restore",
    ),
]
