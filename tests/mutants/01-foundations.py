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
    # the log of a clipped softmax caps each loss term near -log(1e-7)
    Mutant(name="softmax-with-loss-log-eps", cell="softmax_with_loss",
           edits=[("""        shifted = x - np.max(x, axis=1, keepdims=True)
        log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1,
                                        keepdims=True))
        self.y = np.exp(log_y)
""", """        self.y = softmax(x)
        log_y = np.log(self.y + 1e-7)
""")],
           loses=("test_softmax_with_loss",),
           message="log-probabilities directly"),
    Mutant(name="softmax-with-loss-backward-not-mean", cell="softmax_with_loss",
           edits=[("(self.y - self.t) / self.t.shape[0]",
                   "(self.y - self.t)")],
           loses=("test_softmax_with_loss",), message="batch size"),
    # indexes with t as if it were labels, also when it is one-hot
    Mutant(name="softmax-with-loss-one-hot-as-labels",
           cell="softmax_with_loss",
           edits=[("        if t.ndim == 1:\n            t = np.eye(",
                   "        if True:\n            t = np.eye("),
                  ("[t]\n", "[t.astype(int)]\n")],
           loses=("test_softmax_with_loss",), message="one-hot"),
    Mutant(name="gradient-forward-order", cell="two_layer_net",
           edits=[("for layer in reversed(self.layers):",
                   "for layer in self.layers:")],
           loses=("test_two_layer_gradient",)),
    Mutant(name="gradient-skips-relu", cell="two_layer_net",
           edits=[("for layer in reversed(self.layers):",
                   "for layer in (self.layers[2], self.layers[0]):")],
           loses=("test_two_layer_gradient",), message="ReLU included"),
    # backward on the caches of whatever batch ran forward last
    Mutant(name="gradient-without-forward", cell="two_layer_net",
           edits=[("        self.loss(x, t)\n", "")],
           loses=("test_two_layer_gradient",)),
    Mutant(name="train-one-permutation", cell="train",
           edits=[("    for epoch in range(epochs):\n        order = "
                   "rng.permutation(n)\n",
                   "    order = rng.permutation(n)\n"
                   "    for epoch in range(epochs):\n")],
           loses=("test_train",), message="new permutation"),
    # the from-scratch book's habit: each batch drawn with replacement
    Mutant(name="train-with-replacement", cell="train",
           edits=[("        order = rng.permutation(n)\n", ""),
                  ("batch = order[start:start + batch_size]",
                   "batch = rng.choice(n, batch_size)")],
           loses=("test_train",)),
    Mutant(name="train-drops-last-batch", cell="train",
           edits=[("range(0, n, batch_size)",
                   "range(0, n - batch_size + 1, batch_size)")],
           loses=("test_train",), message="batch_size"),
    Mutant(name="train-loss-after-update", cell="train",
           edits=[("            losses.append(net.loss(xb, tb))\n", ""),
                  ("lr * grads[key]\n", "lr * grads[key]\n"
                   "            losses.append(net.loss(xb, tb))\n")],
           loses=("test_train",)),
]
