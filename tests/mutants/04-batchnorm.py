"""Plausible wrong answers to assignment 04-batchnorm."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------- forward, training
    Mutant(name="train-unbiased-variance", cell="batchnorm_forward_train",
           edits=[("x.var(axis=0, keepdims=True)",
                   "x.var(axis=0, keepdims=True, ddof=1)")],
           loses=("test_batchnorm_forward_train",),
           message="divided by m - 1"),
    Mutant(name="train-no-scale-and-shift", cell="batchnorm_forward_train",
           edits=[("out = gamma * x_hat + beta", "out = x_hat")],
           loses=("test_batchnorm_forward_train",),
           message="gamma * x_hat + beta"),
    # ------------------------------------------------ forward, inference
    Mutant(name="inference-uses-batch-statistics",
           cell="batchnorm_forward_inference",
           edits=[("(x - running_mean) / np.sqrt(running_var + eps)",
                   "(x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)")],
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
           edits=[("x.var(axis=0, ddof=1)", "x.var(axis=0)")],
           loses=("test_update_running_averages",),
           message="unbiased batch variance"),
    # ----------------------------------------------------------- backward
    Mutant(name="backward-missing-mean-term", cell="batchnorm_backward",
           edits=[("(dout - dbeta / m - x_hat", "(dout - x_hat")],
           loses=("test_batchnorm_backward",),
           message="the mean term is missing"),
    Mutant(name="backward-missing-xhat-term", cell="batchnorm_backward",
           edits=[(" - x_hat * dgamma / m)", ")")],
           loses=("test_batchnorm_backward",),
           message="the x_hat term is missing"),
    # dx is right, the returned dgamma is the sum of dout alone
    Mutant(name="backward-dgamma-without-xhat", cell="batchnorm_backward",
           edits=[("dgamma = (dout * x_hat).sum(axis=0)",
                   "dgamma = dout.sum(axis=0)"),
                  ("x_hat * dgamma / m", "x_hat * (dout * x_hat).sum(axis=0) / m")],
           loses=("test_batchnorm_backward",),
           message="dgamma = sum(dout * x_hat)"),
    # ------------------------------------------------- images, forward
    # right shape, but every row mixes the channels
    Mutant(name="spatial-reshape-without-transpose",
           cell="spatial_batchnorm_forward",
           edits=[("x.transpose(0, 2, 3, 1).reshape(-1, C)",
                   "x.reshape(-1, C)"),
                  ("out.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                   "out.reshape(N, C, H, W)")],
           loses=("test_spatial_batchnorm_forward",),
           message="transpose"),
    # one mean per pixel: each (c, h, w) position is a feature of its own
    Mutant(name="spatial-per-pixel", cell="spatial_batchnorm_forward",
           source='''\
def spatial_batchnorm_forward(x, gamma, beta, eps=1e-5):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward_train(
        x.reshape(N, -1), np.repeat(gamma, H * W), np.repeat(beta, H * W),
        eps)
    return out.reshape(N, C, H, W), cache''',
           loses=("test_spatial_batchnorm_forward",),
           message="per pixel"),
    # the statistics are right; the output is not transposed back
    Mutant(name="spatial-no-transpose-back",
           cell="spatial_batchnorm_forward",
           edits=[("out.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                   "out.reshape(N, C, H, W)")],
           loses=("test_spatial_batchnorm_forward",),
           message="transpose (0, 3, 1, 2)"),
    # ------------------------------------------------ images, backward
    Mutant(name="spatial-backward-reshape-without-transpose",
           cell="spatial_batchnorm_backward",
           edits=[("dout.transpose(0, 2, 3, 1).reshape(-1, C)",
                   "dout.reshape(-1, C)"),
                  ("dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                   "dx.reshape(N, C, H, W)")],
           loses=("test_spatial_batchnorm_backward",),
           message="reshape dout"),
    Mutant(name="spatial-backward-no-transpose-back",
           cell="spatial_batchnorm_backward",
           edits=[("dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)",
                   "dx.reshape(N, C, H, W)")],
           loses=("test_spatial_batchnorm_backward",),
           message="transpose (0, 3, 1, 2)"),
    # the (N, D) formula written out for images, its means over axis 0 only:
    # right on feature vectors, wrong on images
    Mutant(name="spatial-backward-axis-0-only",
           cell="spatial_batchnorm_backward",
           source='''\
def spatial_batchnorm_backward(dout, cache, gamma):
    N, C, H, W = dout.shape
    x_hat = cache[0].reshape(N, H, W, C).transpose(0, 3, 1, 2)
    inv_std = cache[1].reshape(1, C, 1, 1)
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx = gamma.reshape(1, C, 1, 1) * inv_std * (
        dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))
    return dx, dgamma, dbeta''',
           loses=("test_spatial_batchnorm_backward",),
           message="not over axis 0 only"),
    # ------------------------------------------------ layer norm, forward
    Mutant(name="layernorm-over-batch", cell="layernorm_forward",
           edits=[("x.mean(axis=1, keepdims=True)",
                   "x.mean(axis=0, keepdims=True)"),
                  ("x.var(axis=1, keepdims=True)",
                   "x.var(axis=0, keepdims=True)")],
           loses=("test_layernorm_forward",),
           message="each ROW"),
    Mutant(name="layernorm-unbiased-variance", cell="layernorm_forward",
           edits=[("x.var(axis=1, keepdims=True)",
                   "x.var(axis=1, keepdims=True, ddof=1)")],
           loses=("test_layernorm_forward",),
           message="divided by D - 1"),
    Mutant(name="layernorm-eps-outside-sqrt", cell="layernorm_forward",
           edits=[("1.0 / np.sqrt(var + eps)", "1.0 / (np.sqrt(var) + eps)")],
           loses=("test_layernorm_forward",),
           message="inside the square root"),
    # row statistics without keepdims: (N,) does not broadcast along rows
    Mutant(name="layernorm-no-keepdims", cell="layernorm_forward",
           edits=[("x.mean(axis=1, keepdims=True)", "x.mean(axis=1)"),
                  ("x.var(axis=1, keepdims=True)", "x.var(axis=1)")],
           loses=("test_layernorm_forward",),
           message="keepdims=True"),
    # ----------------------------------------------- layer norm, backward
    # the batch-norm habit: gamma pulled out of the bracket
    Mutant(name="layernorm-backward-gamma-outside",
           cell="layernorm_backward",
           edits=[("g = dout * gamma ", "g = dout "),
                  ("dx = inv_std * (", "dx = gamma * inv_std * (")],
           loses=("test_layernorm_backward",),
           message="gamma FIRST"),
    # the parameter gradients summed along the normalized axis
    Mutant(name="layernorm-backward-params-over-features",
           cell="layernorm_backward",
           edits=[("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=1)"),
                  ("dgamma = (dout * x_hat).sum(axis=0)",
                   "dgamma = (dout * x_hat).sum(axis=1)")],
           loses=("test_layernorm_backward",),
           message="per feature"),
    Mutant(name="layernorm-backward-missing-xhat-term",
           cell="layernorm_backward",
           edits=[(" - x_hat * gx_mean)", ")")],
           loses=("test_layernorm_backward",),
           message="x_hat term"),
]
