"""Plausible wrong answers to assignment 08-capstone.

Most mistakes are chosen where the network still trains as well (a path
the network does not take, or a change Adam's scale invariance absorbs),
so that each loses exactly its own part; the others break training
outright and lose the accuracy as well.
"""

from tests.assignments import Mutant

OWN = "import course_lib.layers as _layers\n"

MUTANTS = [
    # ---------------------------------------------------------------- affine
    Mutant(name="affine-dx-flat", cell="affine",
           edits=[("return dx.reshape(self._shape)", "return dx")],
           # the network's max pooling reshapes its gradient anyway
           loses=("test_affine",)),
    Mutant(name="affine-from-course-lib", cell="affine",
           source="from course_lib.layers import Affine",
           # the network is built from it, so the accuracy goes as well
           loses=("test_affine", "test_accuracy"),
           message="must be your own code"),
    # ------------------------------------------------------------------ relu
    Mutant(name="relu-passes-at-zero", cell="relu",
           edits=[("self._mask = x > 0", "self._mask = x >= 0")],
           loses=("test_relu",)),
    Mutant(name="relu-in-place", cell="relu",
           edits=[("return np.where(self._mask, x, np.zeros_like(x))",
                   "np.maximum(x, 0, out=x)\n        return x")],
           loses=("test_relu",), message="must not modify"),
    # ---------------------------------------------------------- softmax_loss
    Mutant(name="softmax-unstable", cell="softmax_loss",
           edits=[("z = x - x.max(axis=1, keepdims=True)", "z = x")],
           loses=("test_softmax_loss",)),
    Mutant(name="softmax-sum-not-mean", cell="softmax_loss",
           edits=[("return dx * (dout / len(self._t))", "return dx * dout")],
           # Adam's steps do not depend on the gradient's scale
           loses=("test_softmax_loss",)),
    # ------------------------------------------------------------- optimizer
    Mutant(name="adam-eps-inside-sqrt", cell="optimizer",
           edits=[("(np.sqrt(v_hat) + self.eps)",
                   "np.sqrt(v_hat + self.eps)")],
           loses=("test_optimizer",)),
    Mutant(name="adam-rebinds-params", cell="optimizer",
           edits=[("            p -= self.lr * m_hat",
                   "            params[key] = p - self.lr * m_hat")],
           # the layers never see the new weights: nothing is learned
           loses=("test_optimizer", "test_accuracy")),
    # ------------------------------------------------------------------ init
    Mutant(name="init-xavier", cell="init",
           edits=[("np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)")],
           loses=("test_init",)),
    Mutant(name="init-conv-fan-out", cell="init",
           edits=[("int(np.prod(shape[1:]))", "int(np.prod(shape[2:]))")],
           loses=("test_init",)),
    # ------------------------------------------------------------- batchnorm
    Mutant(name="batchnorm-running-biased", cell="batchnorm",
           edits=[(" * m / max(m - 1, 1)", "")],
           loses=("test_batchnorm",), message="unbiased"),
    Mutant(name="batchnorm-borrowed", cell="batchnorm",
           source=OWN + "BatchNorm = _layers.BatchNorm",
           loses=("test_batchnorm", "test_accuracy"),
           message="must be your own code"),
    # --------------------------------------------------------------- dropout
    Mutant(name="dropout-backward-unscaled", cell="dropout",
           edits=[("        return dout * self._scale",
                   "        return dout * (self._scale != 0)")],
           loses=("test_dropout",), message="same mask and scale"),
    Mutant(name="dropout-ratio-kept", cell="dropout",
           edits=[("keep = self.rng.random(x.shape) >= self.ratio",
                   "keep = self.rng.random(x.shape) < self.ratio")],
           # keeping 30 % instead of 70 % of one layer's units trains the
           # network to about 97.2 % on the held-out digits: at the top bar,
           # so the draw decides those 2 points
           loses=("test_dropout",), unsettled=("test_accuracy",)),
    # ------------------------------------------------------------------ conv
    Mutant(name="conv-stride-ignored-in-col2im", cell="conv",
           edits=[("            xp[:, :, u:u + stride * out_h:stride,\n"
                   "               v:v + stride * out_w:stride] += "
                   "col[:, :, u, v]",
                   "            xp[:, :, u:u + out_h, v:v + out_w] += "
                   "col[:, :, u, v]")],
           # max pooling shares col2im: the gradients of the pooled layers
           # land on the wrong pixels and the network reaches about 96.4 %
           # on the held-out digits, short of the top bar by 4 standard
           # deviations of the draw
           loses=("test_conv", "test_maxpool", "test_accuracy")),
    Mutant(name="conv-torch", cell="conv",
           source="import torch\n\nConv2D = torch.nn.Conv2d",
           # im2col and col2im go with it, and max pooling needs them
           loses=("test_conv", "test_maxpool", "test_accuracy")),
    # --------------------------------------------------------------- maxpool
    Mutant(name="maxpool-overlap-assigns", cell="maxpool",
           edits=[("        dx = col2im(dcol, (N * C, 1, H, width), "
                   "self.size, self.size,\n                    self.stride)",
                   "        dx = np.zeros((N * C, 1, H, width))\n"
                   "        s = self.size\n"
                   "        out_w = (width - s) // self.stride + 1\n"
                   "        for j in range(dcol.shape[2]):\n"
                   "            i0 = j // out_w * self.stride\n"
                   "            j0 = j % out_w * self.stride\n"
                   "            dx[:, 0, i0:i0 + s, j0:j0 + s] = "
                   "dcol[:, :, j].reshape(-1, s, s)")],
           # windows of the network's pooling never overlap
           loses=("test_maxpool",)),
    Mutant(name="maxpool-every-tie", cell="maxpool",
           edits=[("        dcol[rows, self._arg, cols] = "
                   "dout.reshape(N * C, -1)",
                   "        col = im2col(self._x, self.size, self.size, "
                   "self.stride)\n"
                   "        dcol = (col == col.max(axis=1, keepdims=True)) "
                   "* dout.reshape(N * C, 1, -1)"),
                  ("        self._shape, self._L = x.shape, col.shape",
                   "        self._shape, self._L = x.shape, col.shape\n"
                   "        self._x = x.reshape(N * C, 1, H, width)")],
           loses=("test_maxpool",)),
    # ------------------------------------------------------------ train_loop
    Mutant(name="loop-drops-last-batch", cell="train_loop",
           edits=[("for start in range(0, N, batch_size):",
                   "for start in range(0, N - batch_size + 1, batch_size):")],
           loses=("test_train_loop",)),
    Mutant(name="loop-unweighted-mean", cell="train_loop",
           edits=[("float(step(x[idx], t[idx])) * len(idx)",
                   "float(step(x[idx], t[idx])) * batch_size")],
           loses=("test_train_loop",), message="weight each batch"),
    # ----------------------------------------------------------------- model
    Mutant(name="model-predicts-scores", cell="model",
           edits=[("    return logits(images, train=False).argmax(axis=1)",
                   "    return logits(images, train=False)")],
           loses=("test_accuracy",)),
    Mutant(name="model-one-class", cell="model",
           edits=[("    return logits(images, train=False).argmax(axis=1)",
                   "    return np.zeros(len(images), dtype=int)")],
           loses=("test_accuracy",)),
]
