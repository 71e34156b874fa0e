"""Single-record scoring for a fitted binary HistGradientBoostingClassifier, without sklearn's
per-tree Python overhead (about 12 us per tree and call), bit-for-bit equal to predict_proba.

The nodes of all trees are flattened into arrays, internal numeric nodes first, then internal
categorical nodes, then leaves (which point at themselves). For one record every internal
node's decision is computed at once, following sklearn's _predictor.pyx: numeric
`value <= threshold`; categorical by a lookup built from the same bitsets sklearn uses, and
NaN, negative or unknown categories go where missing_go_to_left says. Then all trees are
walked down together. Leaf values are added in sklearn's order (baseline first, then tree by
tree, sequential float64 adds) and passed through the estimator's own inverse link. The
Scorer checks the result against predict_proba when it loads a model and falls back to
sklearn on any difference.
"""
import numpy as np

_CODES = np.arange(256)
MISSING = 256  # lookup column for NaN or negative category codes


def _bitset_lookup(bitsets, row):
    """Membership of codes 0..255 in one row of an (n, 8) uint32 bitset array."""
    return ((bitsets[row, _CODES // 32] >> (_CODES % 32).astype(np.uint32)) & 1).astype(bool)


def _tree_parts(classifier):
    """Per tree: (nodes, categorical lookups for its internal categorical nodes)."""
    known, f_idx_map = classifier._bin_mapper.make_known_categories_bitsets()
    for (predictor,) in classifier._predictors:
        nodes = predictor.nodes
        lookups = {}
        for i in np.flatnonzero(nodes["is_categorical"].astype(bool) & ~nodes["is_leaf"].astype(bool)):
            goes_left = _bitset_lookup(predictor.raw_left_cat_bitsets, nodes["bitset_idx"][i])
            known_category = _bitset_lookup(known, f_idx_map[nodes["feature_idx"][i]])
            missing_left = bool(nodes["missing_go_to_left"][i])
            table = np.where(goes_left, True, np.where(known_category, False, missing_left))
            lookups[int(i)] = np.append(table, missing_left)
        yield nodes, lookups


class FlatForest:
    """Not thread-safe (it reuses one step buffer): one instance per worker process."""

    def __init__(self, classifier):
        trees = list(_tree_parts(classifier))

        def feature_of(key):
            return int(trees[key[0]][0]["feature_idx"][key[1]])

        numeric, categorical, leaves = [], [], []
        for t, (nodes, lookups) in enumerate(trees):
            for i in range(len(nodes)):
                group = leaves if nodes["is_leaf"][i] else (categorical if i in lookups else numeric)
                group.append((t, i))
        categorical.sort(key=feature_of)  # nodes of one feature side by side
        order = numeric + categorical + leaves
        position = {key: p for p, key in enumerate(order)}

        def column(name, keys, dtype):
            return np.array([trees[t][0][name][i] for t, i in keys], dtype=dtype)

        def child(name, keys):
            return np.array([position[(t, int(trees[t][0][name][i]))] for t, i in keys], dtype=np.intp)

        self.n_numeric, self.n_internal = len(numeric), len(numeric) + len(categorical)
        self.num_feature = column("feature_idx", numeric, np.intp)
        self.num_threshold = column("num_threshold", numeric, np.float64)
        self.num_missing_left = column("missing_go_to_left", numeric, bool)
        self.num_right = child("right", numeric)
        self.num_delta = child("left", numeric) - self.num_right
        self.num_buffer = np.empty(self.n_numeric, dtype=np.intp)
        self.cat_segments = self._categorical_segments(trees, categorical, feature_of, child)
        self.step = np.arange(len(order), dtype=np.intp)  # leaves keep pointing at themselves
        self.value = column("value", order, np.float64)
        self.roots = np.array([position[(t, 0)] for t in range(len(trees))], dtype=np.intp)
        self.depth = max(int(nodes["depth"].max()) for nodes, _ in trees)
        self.baseline = float(np.asarray(classifier._baseline_prediction).ravel()[0])
        self.inverse_link = classifier._loss.link.inverse

    def _categorical_segments(self, trees, categorical, feature_of, child):
        """Per categorical feature: (feature, start, stop, steps[code] for its nodes, code 256 = missing)."""
        segments, start = [], self.n_numeric
        features = sorted({feature_of(key) for key in categorical})
        for feature in features:
            keys = [key for key in categorical if feature_of(key) == feature]
            tables = np.array([trees[t][1][i] for t, i in keys], dtype=bool)  # (nodes, 257)
            steps = np.where(tables.T, child("left", keys), child("right", keys))  # (257, nodes)
            segments.append((feature, start, start + len(keys), np.ascontiguousarray(steps)))
            start += len(keys)
        return segments

    @classmethod
    def supports(cls, classifier):
        return (
            type(classifier).__name__ == "HistGradientBoostingClassifier"
            and getattr(classifier, "n_trees_per_iteration_", 0) == 1
            and list(getattr(classifier, "classes_", [])) == [0, 1]
            and hasattr(classifier, "_predictors")
        )

    def raw_prediction(self, row):
        """Baseline plus every tree's leaf value for one encoded record (float64 vector), or
        None for a record this class does not handle (a category code above 255)."""
        cells = row.tolist()
        step = self.step
        values = row.take(self.num_feature)
        go_left = values <= self.num_threshold
        if any(v != v for v in cells):  # a NaN somewhere: missing numbers follow missing_go_to_left
            np.copyto(go_left, self.num_missing_left, where=np.isnan(values))
        np.multiply(go_left, self.num_delta, out=self.num_buffer)
        np.add(self.num_buffer, self.num_right, out=step[: self.n_numeric])
        for feature, start, stop, steps in self.cat_segments:
            code = cells[feature]
            if code != code or code < 0:
                code = MISSING
            elif code >= 256:
                return None  # sklearn would wrap the code to 8 bits: let it do so itself
            step[start:stop] = steps[int(code)]
        nodes = self.roots
        for _ in range(self.depth):
            nodes = step.take(nodes)
        total = 0.0
        total += self.baseline
        for leaf_value in self.value.take(nodes).tolist():
            total += leaf_value
        return total

    def predict_positive(self, X, fallback):
        """Probability of class 1 per row of the encoded matrix X; fallback(X) scores with sklearn."""
        raw = [self.raw_prediction(row) for row in X]
        if any(r is None for r in raw):
            return fallback(X)
        return self.inverse_link(np.array(raw, dtype=np.float64))
