"""Plausible wrong answers to assignment 07-hyperparameters."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------------- train_val_split
    # holds out the last n_val samples of the file, as it is stored
    Mutant(name="split-without-shuffling", cell="train_val_split",
           edits=[("order[:n_val], order[n_val:]",
                   "np.arange(n - n_val, n), np.arange(n - n_val)")],
           loses=("test_train_val_split",), message="shuffle first"),
    # a second permutation for the labels
    Mutant(name="split-shuffles-x-and-t-separately", cell="train_val_split",
           edits=[("    val, train = ",
                   "    t = t[rng.permutation(n)]\n    val, train = ")],
           loses=("test_train_val_split",),
           message="labels must stay with their samples"),
    # shuffles the caller's arrays, then slices them
    Mutant(name="split-shuffles-inputs-in-place", cell="train_val_split",
           edits=[("    val, train = order[:n_val], order[n_val:]\n"
                   "    return (x[train], t[train]), (x[val], t[val])",
                   "    x[:] = x[order]\n"
                   "    t[:] = t[order]\n"
                   "    return (x[n_val:], t[n_val:]), (x[:n_val], t[:n_val])")],
           loses=("test_train_val_split",), message="modified its inputs"),
    Mutant(name="split-validation-from-the-end-of-the-permutation",
           cell="train_val_split",
           edits=[("order[:n_val], order[n_val:]",
                   "order[n - n_val:], order[:n - n_val]")],
           loses=("test_train_val_split",), message="first n_val indices"),
    # ----------------------------------------------------------- log_uniform
    Mutant(name="uniform-instead-of-log-uniform", cell="log_uniform",
           edits=[("10.0 ** rng.uniform(np.log10(low), np.log10(high), size)",
                   "rng.uniform(low, high, size)")],
           loses=("test_log_uniform",), message="a uniform draw puts 90 %"),
    Mutant(name="log-uniform-mixes-natural-and-base-10-logs",
           cell="log_uniform",
           edits=[("np.log10(low), np.log10(high)", "np.log(low), np.log(high)")],
           loses=("test_log_uniform",), message="values must lie in"),
    # NumPy's uniform refuses high < low by itself; low == high slips through
    Mutant(name="log-uniform-accepts-reversed-bounds", cell="log_uniform",
           edits=[("    if low >= high:\n"
                   '        raise ValueError(f"low must be smaller than high; '
                   'got low={low}, high={high}")\n', "")],
           loses=("test_log_uniform",), message="must raise ValueError"),
    # --------------------------------------------------- random_search_round
    Mutant(name="tunes-on-the-test-set", cell="random_search_round",
           edits=[('metrics["val_acc"]', 'metrics["test_acc"]')],
           loses=("test_random_search_round",),
           message="never tune on the test set"),
    Mutant(name="round-samples-uniformly", cell="random_search_round",
           edits=[("sampler(low, high, rng=rng)", "rng.uniform(low, high)")],
           loses=("test_random_search_round",),
           message="draw each value with sampler"),
    Mutant(name="narrows-over-all-trials", cell="random_search_round",
           edits=[("ranked[:top_k]", "ranked")],
           loses=("test_random_search_round",),
           message="not over all trials"),
    # sorted ascending: the first trial is the worst
    Mutant(name="keeps-the-worst-trial", cell="random_search_round",
           edits=[(", reverse=True", "")],
           loses=("test_random_search_round",), message="highest val_acc"),
    # a fresh generator from the same seed every trial: identical configs
    Mutant(name="round-reseeds-every-trial", cell="random_search_round",
           edits=[("    rng = np.random.default_rng(rng)\n", ""),
                  ("        config = {name: float(sampler(low, high, rng=rng))",
                   "        gen = np.random.default_rng(rng)\n"
                   "        config = {name: float(sampler(low, high, rng=gen))")],
           loses=("test_random_search_round",)),
]
