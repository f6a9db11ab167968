"""Plausible wrong answers to assignment 05-regularization."""

from tests.assignments import Mutant

DROPOUT_INIT = '''class Dropout:
    \'\'\'Inverted dropout: drop each unit with probability `ratio` in training.\'\'\'

    def __init__(self, ratio, rng):
        self.ratio = ratio
        self.rng = rng
        self.mask = None
'''

MONITOR_INIT = '''class EarlyStoppingMonitor:
    \'\'\'Stop when the validation loss has not improved for `patience` epochs.\'\'\'

    def __init__(self, patience, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best = np.inf
        self.best_epoch = None
        self.best_params = None
        self.wait = 0
        self.stopped_epoch = None
'''

MUTANTS = [
    # ------------------------------------------------------------ l2_penalty
    Mutant(
        name="l2-decays-biases",
        cell="l2_penalty",
        source='''def l2_penalty(params, lam):
    if lam < 0:
        raise ValueError(f"lam must be >= 0; got {lam}")
    penalty = 0.0
    grads = {}
    for key, p in params.items():
        # every parameter, biases included
        penalty += 0.5 * lam * float(np.sum(p * p))
        grads[key] = p * p.dtype.type(lam)
    return penalty, grads''',
        loses=("test_l2_penalty",),
        message="bias",
    ),
    Mutant(
        name="l2-missing-half",
        cell="l2_penalty",
        source='''def l2_penalty(params, lam):
    if lam < 0:
        raise ValueError(f"lam must be >= 0; got {lam}")
    penalty = 0.0
    grads = {}
    for key, p in params.items():
        if key.endswith("W"):
            penalty += lam * float(np.sum(p * p))
            grads[key] = p * p.dtype.type(lam)
        else:
            grads[key] = np.zeros_like(p)
    return penalty, grads''',
        loses=("test_l2_penalty",),
        message="1/2 is missing",
    ),
    Mutant(
        name="l2-gradient-only-for-weights",
        cell="l2_penalty",
        source='''def l2_penalty(params, lam):
    if lam < 0:
        raise ValueError(f"lam must be >= 0; got {lam}")
    penalty = 0.0
    grads = {}
    for key, p in params.items():
        if key.endswith("W"):
            penalty += 0.5 * lam * float(np.sum(p * p))
            grads[key] = lam * p
    return penalty, grads''',
        loses=("test_l2_penalty",),
        message="gradient for every parameter",
    ),
    # --------------------------------------------------------------- dropout
    Mutant(
        name="dropout-missing-rescale",
        cell="dropout",
        source=DROPOUT_INIT + '''
    def forward(self, x, train=True):
        if not train:
            return x.copy()
        self.mask = self.rng.random(x.shape) >= self.ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask''',
        loses=("test_dropout_forward", "test_dropout_backward"),
        message="1/(1 - ratio)",
    ),
    Mutant(
        name="dropout-fresh-mask-in-backward",
        cell="dropout",
        source=DROPOUT_INIT + '''
    def forward(self, x, train=True):
        if not train:
            return x.copy()
        self.mask = self.rng.random(x.shape) >= self.ratio
        return x * self.mask / (1.0 - self.ratio)

    def backward(self, dout):
        mask = self.rng.random(dout.shape) >= self.ratio
        return dout * mask / (1.0 - self.ratio)''',
        loses=("test_dropout_backward",),
        message="same mask",
    ),
    Mutant(
        name="dropout-ratio-as-keep-probability",
        cell="dropout",
        source=DROPOUT_INIT + '''
    def forward(self, x, train=True):
        if not train:
            return x.copy()
        self.mask = self.rng.random(x.shape) < self.ratio
        return x * self.mask / (1.0 - self.ratio)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.ratio)''',
        loses=("test_dropout_forward",),
        message="probability of DROPPING",
    ),
    Mutant(
        name="dropout-scales-at-inference",
        cell="dropout",
        source=DROPOUT_INIT + '''
    def forward(self, x, train=True):
        if not train:
            return x * (1.0 - self.ratio)
        self.mask = self.rng.random(x.shape) >= self.ratio
        return x * self.mask / (1.0 - self.ratio)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.ratio)''',
        loses=("test_dropout_forward",),
        message="inference",
    ),
    Mutant(
        name="dropout-global-random-state",
        cell="dropout",
        source=DROPOUT_INIT + '''
    def forward(self, x, train=True):
        if not train:
            return x.copy()
        self.mask = np.random.rand(*x.shape) >= self.ratio
        return x * self.mask / (1.0 - self.ratio)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.ratio)''',
        # the frozen-mask gradient check of backward breaks as well
        loses=("test_dropout_forward", "test_dropout_backward"),
        message="self.rng",
    ),
    # -------------------------------------------------------------- max_norm
    Mutant(
        name="max-norm-per-row",
        cell="max_norm",
        source='''def max_norm(W, max_value):
    norms = np.sqrt(np.sum(W * W, axis=1, keepdims=True))
    scale = np.minimum(1.0, max_value / np.maximum(norms, 1e-300))
    return (W * scale).astype(W.dtype)''',
        loses=("test_max_norm",),
        message="per column",
    ),
    Mutant(
        name="max-norm-rescales-every-column",
        cell="max_norm",
        source='''def max_norm(W, max_value):
    norms = np.sqrt(np.sum(W * W, axis=0, keepdims=True))
    return (W * max_value / np.maximum(norms, 1e-300)).astype(W.dtype)''',
        loses=("test_max_norm",),
        message="exactly as they are",
    ),
    Mutant(
        name="max-norm-in-place",
        cell="max_norm",
        source='''def max_norm(W, max_value):
    norms = np.sqrt(np.sum(W * W, axis=0, keepdims=True))
    W *= np.minimum(1.0, max_value / np.maximum(norms, 1e-300))
    return W''',
        loses=("test_max_norm",),
        message="do not modify W",
    ),
    # -------------------------------------------------------- early stopping
    Mutant(
        name="early-stopping-patience-off-by-one",
        cell="early_stopping",
        source=MONITOR_INIT + '''
    def update(self, val_loss, epoch, params=None):
        if val_loss < self.best - self.min_delta:
            self.best = val_loss
            self.best_epoch = epoch
            self.wait = 0
            if params is not None:
                self.best_params = {k: v.copy() for k, v in params.items()}
            return False
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            return True
        return False''',
        loses=("test_early_stopping",),
        message="off by one",
    ),
    Mutant(
        name="early-stopping-keeps-references",
        cell="early_stopping",
        source=MONITOR_INIT + '''
    def update(self, val_loss, epoch, params=None):
        if val_loss < self.best - self.min_delta:
            self.best = val_loss
            self.best_epoch = epoch
            self.wait = 0
            if params is not None:
                self.best_params = dict(params)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False''',
        loses=("test_early_stopping",),
        message="copy",
    ),
    Mutant(
        name="early-stopping-ties-improve",
        cell="early_stopping",
        source=MONITOR_INIT + '''
    def update(self, val_loss, epoch, params=None):
        if val_loss <= self.best - self.min_delta:
            self.best = val_loss
            self.best_epoch = epoch
            self.wait = 0
            if params is not None:
                self.best_params = {k: v.copy() for k, v in params.items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False''',
        loses=("test_early_stopping",),
        message="a tie is no improvement",
    ),
]
