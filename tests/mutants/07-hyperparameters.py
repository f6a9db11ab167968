"""Plausible wrong answers to assignment 07-hyperparameters."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------------- train_val_split
    Mutant(
        name="split-without-shuffling",
        cell="train_val_split",
        source='''def train_val_split(x, t, val_fraction=0.2, rng=None):
    if not 0 < val_fraction < 1:
        raise ValueError("val_fraction must be in (0, 1)")
    n = len(x)
    n_val = int(round(val_fraction * n))
    # the last 20 % of the file, as it is stored
    return (x[:n - n_val], t[:n - n_val]), (x[n - n_val:], t[n - n_val:])''',
        loses=("test_train_val_split",),
        message="shuffle first",
    ),
    Mutant(
        name="split-shuffles-x-and-t-separately",
        cell="train_val_split",
        source='''def train_val_split(x, t, val_fraction=0.2, rng=None):
    if not 0 < val_fraction < 1:
        raise ValueError("val_fraction must be in (0, 1)")
    rng = np.random.default_rng(rng)
    n = len(x)
    n_val = int(round(val_fraction * n))
    x = x[rng.permutation(n)]
    t = t[rng.permutation(n)]
    return (x[n_val:], t[n_val:]), (x[:n_val], t[:n_val])''',
        loses=("test_train_val_split",),
        message="labels must stay with their samples",
    ),
    Mutant(
        name="split-shuffles-inputs-in-place",
        cell="train_val_split",
        source='''def train_val_split(x, t, val_fraction=0.2, rng=None):
    if not 0 < val_fraction < 1:
        raise ValueError("val_fraction must be in (0, 1)")
    rng = np.random.default_rng(rng)
    n = len(x)
    n_val = int(round(val_fraction * n))
    order = rng.permutation(n)
    x[:] = x[order]
    t[:] = t[order]
    return (x[n_val:], t[n_val:]), (x[:n_val], t[:n_val])''',
        loses=("test_train_val_split",),
        message="modified its inputs",
    ),
    Mutant(
        name="split-validation-from-the-end-of-the-permutation",
        cell="train_val_split",
        source='''def train_val_split(x, t, val_fraction=0.2, rng=None):
    if not 0 < val_fraction < 1:
        raise ValueError("val_fraction must be in (0, 1)")
    rng = np.random.default_rng(rng)
    n = len(x)
    n_val = int(round(val_fraction * n))
    order = rng.permutation(n)
    val, train = order[n - n_val:], order[:n - n_val]
    return (x[train], t[train]), (x[val], t[val])''',
        loses=("test_train_val_split",),
        message="first n_val indices",
    ),
    # ----------------------------------------------------------- log_uniform
    Mutant(
        name="uniform-instead-of-log-uniform",
        cell="log_uniform",
        source='''def log_uniform(low, high, size=None, rng=None):
    if low <= 0 or high <= 0 or low >= high:
        raise ValueError("need 0 < low < high")
    rng = np.random.default_rng(rng)
    return rng.uniform(low, high, size)''',
        loses=("test_log_uniform",),
        message="a uniform draw puts 90 %",
    ),
    Mutant(
        name="log-uniform-mixes-natural-and-base-10-logs",
        cell="log_uniform",
        source='''def log_uniform(low, high, size=None, rng=None):
    if low <= 0 or high <= 0 or low >= high:
        raise ValueError("need 0 < low < high")
    rng = np.random.default_rng(rng)
    return 10.0 ** rng.uniform(np.log(low), np.log(high), size)''',
        loses=("test_log_uniform",),
        message="values must lie in",
    ),
    Mutant(
        name="log-uniform-accepts-reversed-bounds",
        cell="log_uniform",
        source='''def log_uniform(low, high, size=None, rng=None):
    if low <= 0 or high <= 0:
        raise ValueError("a log scale has no zero")
    rng = np.random.default_rng(rng)
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)''',
        loses=("test_log_uniform",),
        message="must raise ValueError",
    ),
    # --------------------------------------------------- random_search_round
    Mutant(
        name="tunes-on-the-test-set",
        cell="random_search_round",
        source='''def random_search_round(objective, space, n_trials, top_k, rng=None,
                        sampler=log_uniform):
    if not 1 <= top_k <= n_trials:
        raise ValueError("top_k must be in [1, n_trials]")
    rng = np.random.default_rng(rng)
    trials = []
    for _ in range(n_trials):
        config = {name: float(sampler(low, high, rng=rng))
                  for name, (low, high) in space.items()}
        metrics = objective(config)
        trials.append((metrics["test_acc"], config))
    ranked = sorted(trials, key=lambda trial: trial[0], reverse=True)
    best = [config for _, config in ranked[:top_k]]
    narrowed = {name: (min(c[name] for c in best), max(c[name] for c in best))
                for name in space}
    return dict(best[0]), narrowed''',
        loses=("test_random_search_round",),
        message="never tune on the test set",
    ),
    Mutant(
        name="round-samples-uniformly",
        cell="random_search_round",
        source='''def random_search_round(objective, space, n_trials, top_k, rng=None,
                        sampler=log_uniform):
    if not 1 <= top_k <= n_trials:
        raise ValueError("top_k must be in [1, n_trials]")
    rng = np.random.default_rng(rng)
    trials = []
    for _ in range(n_trials):
        config = {name: float(rng.uniform(low, high))
                  for name, (low, high) in space.items()}
        metrics = objective(config)
        trials.append((metrics["val_acc"], config))
    ranked = sorted(trials, key=lambda trial: trial[0], reverse=True)
    best = [config for _, config in ranked[:top_k]]
    narrowed = {name: (min(c[name] for c in best), max(c[name] for c in best))
                for name in space}
    return dict(best[0]), narrowed''',
        loses=("test_random_search_round",),
        message="draw each value with sampler",
    ),
    Mutant(
        name="narrows-over-all-trials",
        cell="random_search_round",
        source='''def random_search_round(objective, space, n_trials, top_k, rng=None,
                        sampler=log_uniform):
    if not 1 <= top_k <= n_trials:
        raise ValueError("top_k must be in [1, n_trials]")
    rng = np.random.default_rng(rng)
    trials = []
    for _ in range(n_trials):
        config = {name: float(sampler(low, high, rng=rng))
                  for name, (low, high) in space.items()}
        metrics = objective(config)
        trials.append((metrics["val_acc"], config))
    ranked = sorted(trials, key=lambda trial: trial[0], reverse=True)
    configs = [config for _, config in ranked]
    narrowed = {name: (min(c[name] for c in configs),
                       max(c[name] for c in configs)) for name in space}
    return dict(configs[0]), narrowed''',
        loses=("test_random_search_round",),
        message="not over all trials",
    ),
    Mutant(
        name="keeps-the-worst-trial",
        cell="random_search_round",
        source='''def random_search_round(objective, space, n_trials, top_k, rng=None,
                        sampler=log_uniform):
    if not 1 <= top_k <= n_trials:
        raise ValueError("top_k must be in [1, n_trials]")
    rng = np.random.default_rng(rng)
    trials = []
    for _ in range(n_trials):
        config = {name: float(sampler(low, high, rng=rng))
                  for name, (low, high) in space.items()}
        metrics = objective(config)
        trials.append((metrics["val_acc"], config))
    ranked = sorted(trials, key=lambda trial: trial[0])
    best = [config for _, config in ranked[:top_k]]
    narrowed = {name: (min(c[name] for c in best), max(c[name] for c in best))
                for name in space}
    return dict(best[0]), narrowed''',
        loses=("test_random_search_round",),
        message="highest val_acc",
    ),
    Mutant(
        name="round-reseeds-every-trial",
        cell="random_search_round",
        source='''def random_search_round(objective, space, n_trials, top_k, rng=None,
                        sampler=log_uniform):
    if not 1 <= top_k <= n_trials:
        raise ValueError("top_k must be in [1, n_trials]")
    trials = []
    for _ in range(n_trials):
        gen = np.random.default_rng(rng)      # a fresh generator every trial
        config = {name: float(sampler(low, high, rng=gen))
                  for name, (low, high) in space.items()}
        metrics = objective(config)
        trials.append((metrics["val_acc"], config))
    ranked = sorted(trials, key=lambda trial: trial[0], reverse=True)
    best = [config for _, config in ranked[:top_k]]
    narrowed = {name: (min(c[name] for c in best), max(c[name] for c in best))
                for name in space}
    return dict(best[0]), narrowed''',
        loses=("test_random_search_round",),
    ),
]
