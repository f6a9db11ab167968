"""Plausible wrong answers to assignment 02-optimizers."""

from tests.assignments import Mutant

MUTANTS = [
    # --------------------------------------------------------------- momentum
    Mutant(name="momentum-wrong-sign", cell="momentum",
           edits=[("- self.lr * grads[key]", "+ self.lr * grads[key]")],
           loses=("test_momentum",), message="wrong sign"),
    # a new array: the caller's parameters never move
    Mutant(name="momentum-rebinds-params", cell="momentum",
           edits=[("params[key] += self.v[key]",
                   "params[key] = params[key] + self.v[key]")],
           loses=("test_momentum",), message="in place"),
    # the velocity is a local, so self.v stays zero
    Mutant(name="momentum-forgets-velocity", cell="momentum",
           edits=[("self.v[key] = self.momentum", "v = self.momentum"),
                  ("params[key] += self.v[key]", "params[key] += v")],
           loses=("test_momentum",), message="velocity"),
    # --------------------------------------------------------------- nesterov
    Mutant(name="nesterov-is-plain-momentum", cell="nesterov",
           edits=[("+= self.momentum * self.v[key] - self.lr * g",
                   "+= self.v[key]")],
           loses=("test_nesterov",), message="plain momentum"),
    # the look-ahead step uses the velocity from before this update
    Mutant(name="nesterov-old-velocity-in-step", cell="nesterov",
           edits=[("            self.v[key] = self.momentum * self.v[key]",
                   "            old = self.v[key]\n"
                   "            self.v[key] = self.momentum * old"),
                  ("+= self.momentum * self.v[key]", "+= self.momentum * old")],
           loses=("test_nesterov",)),
    # ---------------------------------------------------------------- adagrad
    Mutant(name="adagrad-no-accumulation", cell="adagrad",
           edits=[("self.h[key] += g * g", "self.h[key] = g * g")],
           loses=("test_adagrad",), message="accumulate"),
    Mutant(name="adagrad-eps-inside-root", cell="adagrad",
           edits=[("(np.sqrt(self.h[key]) + self.eps)",
                   "np.sqrt(self.h[key] + self.eps)")],
           loses=("test_adagrad",), message="outside the square root"),
    # ---------------------------------------------------------------- rmsprop
    Mutant(name="rmsprop-eps-inside-root", cell="rmsprop",
           edits=[("(np.sqrt(self.h[key]) + self.eps)",
                   "np.sqrt(self.h[key] + self.eps)")],
           loses=("test_rmsprop",), message="inside the square root"),
    Mutant(name="rmsprop-swapped-weights", cell="rmsprop",
           edits=[("self.rho * self.h[key] + (1 - self.rho) * g * g",
                   "(1 - self.rho) * self.h[key] + self.rho * g * g")],
           loses=("test_rmsprop",)),
    # ------------------------------------------------------------------- adam
    Mutant(name="adam-no-bias-correction", cell="adam",
           edits=[(" / (1 - self.beta1 ** self.t)", ""),
                  (" / (1 - self.beta2 ** self.t)", "")],
           loses=("test_adam",), message="bias correction"),
    # t is incremented after the loop, so the first update divides by 1 - 1
    Mutant(name="adam-t-counted-from-zero", cell="adam",
           edits=[("        self.t += 1\n", ""),
                  ("(np.sqrt(v_hat) + self.eps)",
                   "(np.sqrt(v_hat) + self.eps)\n        self.t += 1")],
           loses=("test_adam",), message="count t from 1"),
    Mutant(name="adam-eps-inside-root", cell="adam",
           edits=[("(np.sqrt(v_hat) + self.eps)",
                   "np.sqrt(v_hat + self.eps)")],
           loses=("test_adam",), message="outside the square root"),
    # one step per parameter array instead of one per update
    Mutant(name="adam-t-per-key", cell="adam",
           edits=[("        self.t += 1\n", ""),
                  ("            m_hat =",
                   "            self.t += 1\n            m_hat =")],
           loses=("test_adam",)),
    # -------------------------------------------------------------- schedules
    Mutant(name="step-decay-smooth", cell="step_decay",
           edits=[("** (epoch // interval)", "** (epoch / interval)")],
           loses=("test_step_decay",), message="integer division"),
    Mutant(name="step-decay-off-by-one", cell="step_decay",
           edits=[("** (epoch // interval)", "** ((epoch + 1) // interval)")],
           loses=("test_step_decay",)),
    Mutant(name="time-decay-as-power", cell="time_based_decay",
           edits=[("/ (1.0 + decay * t)", "/ (1.0 + decay) ** t")],
           loses=("test_time_based_decay",), message="not a power"),
    Mutant(name="time-decay-linear", cell="time_based_decay",
           edits=[("lr0 / (1.0 + decay * t)", "lr0 * (1.0 - decay * t)")],
           loses=("test_time_based_decay",)),
]
