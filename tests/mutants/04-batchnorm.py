"""Plausible wrong answers to assignment 04-batchnorm."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------- forward, training
    Mutant(
        name="train-unbiased-variance",
        cell="batchnorm_forward_train",
        source='''\
def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=1)   # unbiased: wrong here
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return out, (x_hat, inv_std)''',
        loses=("test_batchnorm_forward_train",),
        message="divided by m - 1",
    ),
    Mutant(
        name="train-images-per-pixel",
        cell="batchnorm_forward_train",
        source='''\
def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    mu = x.mean(axis=0, keepdims=True)       # per pixel for images: wrong
    var = x.var(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return out, (x_hat, inv_std)''',
        loses=("test_batchnorm_forward_train",),
        message="per channel over axes (0, 2, 3)",
    ),
    Mutant(
        name="train-no-scale-and-shift",
        cell="batchnorm_forward_train",
        source='''\
def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return x_hat, (x_hat, inv_std)''',
        loses=("test_batchnorm_forward_train",),
        message="gamma * x_hat + beta",
    ),
    # ------------------------------------------------ forward, inference
    Mutant(
        name="inference-uses-batch-statistics",
        cell="batchnorm_forward_inference",
        source='''\
def batchnorm_forward_inference(x, gamma, beta, running_mean, running_var,
                                eps=1e-5):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    x_hat = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(
        x.var(axis=axes, keepdims=True) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape)''',
        loses=("test_batchnorm_forward_inference",),
        message="running mean and variance",
    ),
    Mutant(
        name="inference-no-square-root",
        cell="batchnorm_forward_inference",
        source='''\
def batchnorm_forward_inference(x, gamma, beta, running_mean, running_var,
                                eps=1e-5):
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    x_hat = (x - running_mean.reshape(shape)) / (running_var.reshape(shape)
                                                 + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape)''',
        loses=("test_batchnorm_forward_inference",),
        message="sqrt(4)",
    ),
    # --------------------------------------------------- running averages
    Mutant(
        name="running-weights-swapped",
        cell="update_running_averages",
        source='''\
def update_running_averages(running_mean, running_var, x, momentum=0.9):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    mu = x.mean(axis=axes)
    var = x.var(axis=axes, ddof=1)
    # PyTorch's convention by mistake: momentum weights the new value
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var
    return new_mean, new_var''',
        loses=("test_update_running_averages",),
        message="momentum weights the OLD",
    ),
    Mutant(
        name="running-biased-variance",
        cell="update_running_averages",
        source='''\
def update_running_averages(running_mean, running_var, x, momentum=0.9):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    mu = x.mean(axis=axes)
    var = x.var(axis=axes)
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var
    return new_mean, new_var''',
        loses=("test_update_running_averages",),
        message="unbiased batch variance",
    ),
    Mutant(
        name="running-images-axis-0",
        cell="update_running_averages",
        source='''\
def update_running_averages(running_mean, running_var, x, momentum=0.9):
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var
    return new_mean, new_var''',
        loses=("test_update_running_averages",),
        message="one value per channel",
    ),
    # ----------------------------------------------------------- backward
    Mutant(
        name="backward-missing-mean-term",
        cell="batchnorm_backward",
        source='''\
def batchnorm_backward(dout, cache, gamma):
    x_hat, inv_std = cache
    axes = (0,) if dout.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if dout.ndim == 2 else (1, -1, 1, 1)
    m = dout.size // dout.shape[1]
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    dx = (gamma.reshape(shape) * inv_std) * (
        dout - x_hat * dgamma.reshape(shape) / m)
    return dx, dgamma, dbeta''',
        loses=("test_batchnorm_backward",),
        message="the mean term is missing",
    ),
    Mutant(
        name="backward-missing-xhat-term",
        cell="batchnorm_backward",
        source='''\
def batchnorm_backward(dout, cache, gamma):
    x_hat, inv_std = cache
    axes = (0,) if dout.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if dout.ndim == 2 else (1, -1, 1, 1)
    m = dout.size // dout.shape[1]
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    dx = (gamma.reshape(shape) * inv_std) * (dout - dbeta.reshape(shape) / m)
    return dx, dgamma, dbeta''',
        loses=("test_batchnorm_backward",),
        message="the x_hat term is missing",
    ),
    Mutant(
        name="backward-dgamma-without-xhat",
        cell="batchnorm_backward",
        source='''\
def batchnorm_backward(dout, cache, gamma):
    x_hat, inv_std = cache
    axes = (0,) if dout.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if dout.ndim == 2 else (1, -1, 1, 1)
    m = dout.size // dout.shape[1]
    dbeta = dout.sum(axis=axes)
    dgamma = dout.sum(axis=axes)
    dx = (gamma.reshape(shape) * inv_std) * (
        dout - dbeta.reshape(shape) / m
        - x_hat * (dout * x_hat).sum(axis=axes).reshape(shape) / m)
    return dx, dgamma, dbeta''',
        loses=("test_batchnorm_backward",),
        message="dgamma = sum(dout * x_hat)",
    ),
    Mutant(
        name="backward-images-axis-0",
        cell="batchnorm_backward",
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
        message="sum over axes (0, 2, 3)",
    ),
]
