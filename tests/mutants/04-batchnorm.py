"""Plausible wrong answers to assignment 04-batchnorm."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------- forward, training
    Mutant(name="train-unbiased-variance", cell="batchnorm_forward_train",
           edits=[("x.var(axis=axes, keepdims=True)",
                   "x.var(axis=axes, keepdims=True, ddof=1)")],
           loses=("test_batchnorm_forward_train",),
           message="divided by m - 1"),
    Mutant(name="train-images-per-pixel", cell="batchnorm_forward_train",
           edits=[("axes = (0,) if x.ndim == 2 else (0, 2, 3)",
                   "axes = (0,)")],
           loses=("test_batchnorm_forward_train",),
           message="per channel over axes (0, 2, 3)"),
    Mutant(name="train-no-scale-and-shift", cell="batchnorm_forward_train",
           edits=[("out = gamma.reshape(shape) * x_hat + beta.reshape(shape)",
                   "out = x_hat")],
           loses=("test_batchnorm_forward_train",),
           message="gamma * x_hat + beta"),
    # ------------------------------------------------ forward, inference
    Mutant(name="inference-uses-batch-statistics",
           cell="batchnorm_forward_inference",
           edits=[("    shape = ",
                   "    axes = (0,) if x.ndim == 2 else (0, 2, 3)\n"
                   "    shape = "),
                  ("running_mean.reshape(shape)",
                   "x.mean(axis=axes, keepdims=True)"),
                  ("running_var.reshape(shape)",
                   "x.var(axis=axes, keepdims=True)")],
           loses=("test_batchnorm_forward_inference",),
           message="running mean and variance"),
    Mutant(name="inference-no-square-root",
           cell="batchnorm_forward_inference",
           edits=[("/ np.sqrt(", "/ (")],
           loses=("test_batchnorm_forward_inference",), message="sqrt(4)"),
    # --------------------------------------------------- running averages
    # PyTorch's convention by mistake: momentum weights the new value
    Mutant(name="running-weights-swapped", cell="update_running_averages",
           edits=[("momentum * running_mean + (1 - momentum) * mu",
                   "(1 - momentum) * running_mean + momentum * mu"),
                  ("momentum * running_var + (1 - momentum) * var",
                   "(1 - momentum) * running_var + momentum * var")],
           loses=("test_update_running_averages",),
           message="momentum weights the OLD"),
    Mutant(name="running-biased-variance", cell="update_running_averages",
           edits=[("x.var(axis=axes, ddof=1)", "x.var(axis=axes)")],
           loses=("test_update_running_averages",),
           message="unbiased batch variance"),
    Mutant(name="running-images-axis-0", cell="update_running_averages",
           edits=[("axes = (0,) if x.ndim == 2 else (0, 2, 3)",
                   "axes = (0,)")],
           loses=("test_update_running_averages",),
           message="one value per channel"),
    # ----------------------------------------------------------- backward
    Mutant(name="backward-missing-mean-term", cell="batchnorm_backward",
           edits=[("        dout - dbeta.reshape(shape) / m\n"
                   "        - x_hat", "        dout - x_hat")],
           loses=("test_batchnorm_backward",),
           message="the mean term is missing"),
    Mutant(name="backward-missing-xhat-term", cell="batchnorm_backward",
           edits=[("\n        - x_hat * dgamma.reshape(shape) / m)", ")")],
           loses=("test_batchnorm_backward",),
           message="the x_hat term is missing"),
    # dx is right, the returned dgamma is the sum of dout alone
    Mutant(name="backward-dgamma-without-xhat", cell="batchnorm_backward",
           edits=[("dgamma = (dout * x_hat).sum(axis=axes)",
                   "dgamma = dout.sum(axis=axes)"),
                  ("x_hat * dgamma.reshape(shape)",
                   "x_hat * (dout * x_hat).sum(axis=axes).reshape(shape)")],
           loses=("test_batchnorm_backward",),
           message="dgamma = sum(dout * x_hat)"),
    # images treated like (N, D): sums and counts over the batch axis only
    Mutant(name="backward-images-axis-0", cell="batchnorm_backward",
           source='''\
def batchnorm_backward(dout, cache, gamma):
    x_hat, inv_std = cache
    shape = (1, -1) if dout.ndim == 2 else (1, -1, 1, 1)
    m = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = (gamma.reshape(shape) * inv_std) * (
        dout - dbeta / m - x_hat * dgamma / m)
    return dx, dgamma, dbeta''',
           loses=("test_batchnorm_backward",),
           message="sum over axes (0, 2, 3)"),
]
