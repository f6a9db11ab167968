"""Plausible wrong answers to assignment 01-foundations."""

from tests.assignments import Mutant

MUTANTS = [
    # exponentiates the raw logits, which overflow for large x
    Mutant(name="softmax-no-max-shift", cell="softmax",
           edits=[("np.exp(shifted)", "np.exp(x)")],
           loses=("test_softmax",), message="subtract the row maximum"),
    Mutant(name="softmax-wrong-axis", cell="softmax",
           edits=[("np.sum(e, axis=1", "np.sum(e, axis=0")],
           loses=("test_softmax",)),
    Mutant(name="cross-entropy-sum-not-mean", cell="cross_entropy",
           edits=[("-np.mean(", "-np.sum(")],
           loses=("test_cross_entropy",), message="take the mean"),
    # log(softmax) underflows to log(0) where the log-sum-exp form does not
    Mutant(name="cross-entropy-log-of-softmax", cell="cross_entropy",
           source='''def cross_entropy(x, t):
    y = softmax(x)
    return float(-np.mean(np.log(y[np.arange(x.shape[0]), t])))''',
           loses=("test_cross_entropy",),
           message="log-probabilities directly"),
    Mutant(name="sigmoid-backward-missing-factor", cell="sigmoid",
           edits=[(" * (1.0 - self.out)", "")],
           loses=("test_sigmoid",)),
    Mutant(name="relu-backward-masks-on-dout", cell="relu",
           edits=[("np.where(self.mask, dout,", "np.where(dout > 0, dout,")],
           loses=("test_relu",)),
    # overwrites the caller's arrays in forward and backward
    Mutant(name="relu-in-place", cell="relu",
           source='''class ReLU:
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0.0
        return x

    def backward(self, dout):
        dout[self.mask] = 0.0
        return dout''',
           loses=("test_relu",), message="in place"),
    Mutant(name="affine-transposed-dW", cell="affine",
           edits=[("self.dW = self.x.T @ dout", "self.dW = dout.T @ self.x")],
           loses=("test_affine",), message="transposed product"),
    # forward difference (f(x + h) - f(x)) / h: error O(h), not O(h^2)
    Mutant(name="numerical-gradient-one-sided", cell="numerical_gradient",
           edits=[("        x[i] = old - h\n        f_minus = f(x)\n", ""),
                  ("(f_plus - f_minus) / (2 * h)", "(f_plus - f(x)) / h")],
           loses=("test_numerical_gradient",),
           message="central differences"),
    # leaves x[i] at old - h after each coordinate
    Mutant(name="numerical-gradient-no-restore", cell="numerical_gradient",
           edits=[("        x[i] = old\n", "")],
           loses=("test_numerical_gradient",), message="restore"),
]
