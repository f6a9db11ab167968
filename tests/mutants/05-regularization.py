"""Plausible wrong answers to assignment 05-regularization."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------------------ l2_penalty
    Mutant(name="l2-decays-biases", cell="l2_penalty",
           edits=[('if key.endswith("W"):',
                   "if True:  # every parameter, biases included")],
           loses=("test_l2_penalty",), message="bias"),
    Mutant(name="l2-missing-half", cell="l2_penalty",
           edits=[("penalty += 0.5 * lam", "penalty += lam")],
           loses=("test_l2_penalty",), message="1/2 is missing"),
    # no zero gradient for the biases
    Mutant(name="l2-gradient-only-for-weights", cell="l2_penalty",
           edits=[("\n        else:\n            grads[key] = np.zeros_like(p)",
                   "")],
           loses=("test_l2_penalty",),
           message="gradient for every parameter"),
    # --------------------------------------------------------------- dropout
    Mutant(name="dropout-missing-rescale", cell="dropout",
           edits=[("x * self.mask / (1.0 - self.ratio)", "x * self.mask"),
                  ("dout * self.mask / (1.0 - self.ratio)", "dout * self.mask")],
           loses=("test_dropout_forward", "test_dropout_backward"),
           message="1/(1 - ratio)"),
    Mutant(name="dropout-fresh-mask-in-backward", cell="dropout",
           edits=[("return dout * self.mask",
                   "mask = self.rng.random(dout.shape) >= self.ratio\n"
                   "        return dout * mask")],
           loses=("test_dropout_backward",), message="same mask"),
    # keeps each unit with probability ratio
    Mutant(name="dropout-ratio-as-keep-probability", cell="dropout",
           edits=[(">= self.ratio", "< self.ratio")],
           loses=("test_dropout_forward",),
           message="probability of DROPPING"),
    Mutant(name="dropout-scales-at-inference", cell="dropout",
           edits=[("return x.copy()", "return x * (1.0 - self.ratio)")],
           loses=("test_dropout_forward",), message="inference"),
    Mutant(name="dropout-global-random-state", cell="dropout",
           edits=[("self.rng.random(x.shape)", "np.random.rand(*x.shape)")],
           # the frozen-mask gradient check of backward breaks as well
           loses=("test_dropout_forward", "test_dropout_backward"),
           message="self.rng"),
    # -------------------------------------------------------------- max_norm
    Mutant(name="max-norm-per-row", cell="max_norm",
           edits=[("axis=0", "axis=1")],
           loses=("test_max_norm",), message="per column"),
    # scales every column to norm max_value, shrinking or not
    Mutant(name="max-norm-rescales-every-column", cell="max_norm",
           edits=[("scale = np.minimum(1.0, ", "scale = (")],
           loses=("test_max_norm",), message="exactly as they are"),
    Mutant(name="max-norm-in-place", cell="max_norm",
           edits=[("return (W * scale).astype(W.dtype)",
                   "W *= scale\n    return W")],
           loses=("test_max_norm",), message="do not modify W"),
    # -------------------------------------------------------- early stopping
    Mutant(name="early-stopping-patience-off-by-one", cell="early_stopping",
           edits=[("self.wait >= self.patience", "self.wait > self.patience")],
           loses=("test_early_stopping",), message="off by one"),
    # the saved "best" parameters change with the training
    Mutant(name="early-stopping-keeps-references", cell="early_stopping",
           edits=[("{k: v.copy() for k, v in params.items()}",
                   "dict(params)")],
           loses=("test_early_stopping",), message="copy"),
    Mutant(name="early-stopping-ties-improve", cell="early_stopping",
           edits=[("val_loss < self.best", "val_loss <= self.best")],
           loses=("test_early_stopping",),
           message="a tie is no improvement"),
    # ---------------------------------------------- training with early stopping
    # the network keeps the weights of the last epoch run
    Mutant(name="loop-keeps-last-weights", cell="train_early_stopping",
           edits=[("    if monitor.best_params is not None:\n"
                   "        for key, best in monitor.best_params.items():\n"
                   "            net.params[key][...] = best\n", "")],
           loses=("test_train_early_stopping",), message="best epoch"),
    # one order drawn before the loop, reused every epoch
    Mutant(name="loop-one-permutation", cell="train_early_stopping",
           edits=[("    for epoch in range(1, epochs + 1):\n"
                   "        order = rng.permutation(n)\n",
                   "    order = rng.permutation(n)\n"
                   "    for epoch in range(1, epochs + 1):\n")],
           loses=("test_train_early_stopping",), message="every epoch"),
    # the best weights come back in new arrays the layers never see
    Mutant(name="loop-restore-rebinds", cell="train_early_stopping",
           edits=[("net.params[key][...] = best", "net.params[key] = best")],
           loses=("test_train_early_stopping",), message="in place"),
    # the monitor watches the training loss, which keeps falling
    Mutant(name="loop-monitors-training-loss", cell="train_early_stopping",
           edits=[("monitor.update(val_loss, epoch, net.params)",
                   'monitor.update(history["train_loss"][-1], epoch, '
                   "net.params)")],
           loses=("test_train_early_stopping",), message="validation loss"),
    # epochs counted from 0: best_epoch and stopped_epoch one too small
    Mutant(name="loop-epochs-from-zero", cell="train_early_stopping",
           edits=[("for epoch in range(1, epochs + 1):",
                   "for epoch in range(epochs):")],
           loses=("test_train_early_stopping",)),
]
