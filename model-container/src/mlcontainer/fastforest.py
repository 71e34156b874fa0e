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


def _leaf_ranges(nodes):
    """Leaves of one tree numbered left to right, and per internal node the [lo, hi) range of
    leaf numbers in its left subtree. Iterative (a tree may be deep)."""
    left_range, leaf_number, counter = {}, {}, 0
    lo_of = {}
    stack = [(0, False)]
    while stack:
        i, done = stack.pop()
        if nodes["is_leaf"][i]:
            leaf_number[i] = counter
            lo_of[i], counter = counter, counter + 1
            continue
        left, right = int(nodes["left"][i]), int(nodes["right"][i])
        if not done:
            stack += [(i, True), (right, False), (left, False)]
        else:  # both subtrees numbered: the left one spans [lo(left), lo(right))
            left_range[i] = (lo_of[left], lo_of[right])
            lo_of[i] = lo_of[left]
    return left_range, leaf_number


class BatchForest:
    """Many records at once for the same classifiers as FlatForest, bit-for-bit equal to
    predict_proba, vectorised over rows with numpy (the "QuickScorer" idea).

    Each tree's leaves are numbered left to right and a record's state per tree is a bit mask
    of the leaves it may still reach (all bits set at the start). A node whose test sends the
    record right rules out the leaves of its left subtree; once every false test has cleared
    its bits, the lowest set bit is the leaf sklearn's walk ends in. The false tests of one
    feature depend on the value only through a small index: for a numeric feature with the
    sorted thresholds t of all its nodes, the nodes going right are the first
    searchsorted(t, x, 'left') of them (NaN: those with missing_go_to_left false); for a
    categorical feature, the code (NaN or negative: missing). So per feature, one table row
    per index holds the AND of the masks of its false nodes for every tree, and a batch costs,
    per feature, one searchsorted and one row gather + AND of an (n, trees) array. Leaf
    values are then added baseline first and tree by tree (a cumulative sum: sequential
    float64 adds, sklearn's order) and passed through the estimator's inverse link.
    """

    MAX_LEAVES = 64

    def __init__(self, classifier):
        trees = list(_tree_parts(classifier))
        leaves = max(int(nodes["is_leaf"].sum()) for nodes, _ in trees)
        if leaves > self.MAX_LEAVES:
            raise ValueError(f"trees with {leaves} leaves; BatchForest handles up to {self.MAX_LEAVES}")
        bits = next(b for b in (8, 16, 32, 64) if b >= leaves)
        self.dtype = np.dtype(f"uint{bits}")
        full = np.iinfo(self.dtype).max
        n_trees = len(trees)
        # (feature, kind) -> list of (tree, threshold or lookup, missing_go_to_left, mask)
        groups = {}
        values, offsets = [], []
        for t, (nodes, lookups) in enumerate(trees):
            left_range, leaf_number = _leaf_ranges(nodes)
            offsets.append(sum(len(v) for v in values))
            order = sorted(leaf_number, key=leaf_number.get)
            values.append(nodes["value"][order].astype(np.float64))
            for i, (lo, hi) in left_range.items():
                cleared = sum(1 << b for b in range(lo, hi))
                mask = full & ~cleared
                feature = int(nodes["feature_idx"][i])
                if i in lookups:
                    groups.setdefault((feature, "categorical"), []).append((t, lookups[i], None, mask))
                else:
                    entry = (t, float(nodes["num_threshold"][i]), bool(nodes["missing_go_to_left"][i]), mask)
                    groups.setdefault((feature, "numeric"), []).append(entry)
        parts = []  # (feature, thresholds or None, number of categorical codes, table)
        for (feature, kind), entries in sorted(groups.items()):
            if kind == "numeric":
                entries.sort(key=lambda e: e[1])  # stable: ties keep their order (any order is right)
                table = np.full((len(entries) + 2, n_trees), full, dtype=self.dtype)
                for k, (t, _, _, mask) in enumerate(entries):
                    table[k + 1:len(entries) + 1, t] &= self.dtype.type(mask)
                for t, _, missing_left, mask in entries:
                    if not missing_left:
                        table[-1, t] &= self.dtype.type(mask)
                thresholds = np.array([e[1] for e in entries], dtype=np.float64)
                parts.append((feature, thresholds, None, table))
            else:
                table = np.full((MISSING + 1, n_trees), full, dtype=self.dtype)
                for t, goes_left, _, mask in entries:
                    table[~goes_left, t] &= self.dtype.type(mask)
                # codes from the first one that routes like a missing value on to 255 all do (they
                # are not categories the trees know): keep the codes below, then the missing row
                same = (table[:MISSING] == table[MISSING]).all(axis=1)
                codes = MISSING - int(np.argmin(same[::-1])) if not same.all() else 0
                table = np.concatenate([table[:codes], table[MISSING:]])
                parts.append((feature, None, codes, table))
        self.groups = [self._joint(group) for group in _pack(parts, self.JOINT_ROWS)]
        self.searches = {feature: self._search(thresholds, codes) for feature, thresholds, codes, _ in parts}
        self.n_trees = n_trees
        self.offsets = np.array(offsets, dtype=np.intp)
        self.leaf_values = np.concatenate(values)
        self.lowest_bit = _LOWEST_BIT_8 if bits == 8 else _lowest_bit_16() if bits == 16 else None
        self.baseline = float(np.asarray(classifier._baseline_prediction).ravel()[0])
        self.inverse_link = classifier._loss.link.inverse

    JOINT_ROWS = 1024  # features are grouped while the product of their index counts stays below

    @staticmethod
    def _joint(group):
        """One table for several features: row = mixed-radix number of their indices, holding
        the AND of their rows (a record's state ANDs the same masks, in fewer, larger steps)."""
        table = group[0][3]
        for part in group[1:]:
            other = part[3]
            table = (table[:, None, :] & other[None, :, :]).reshape(len(table) * len(other), -1)
        features = [(feature, thresholds, codes, len(t)) for feature, thresholds, codes, t in group]
        return features, np.ascontiguousarray(table)

    supports = FlatForest.supports

    @classmethod
    def try_build(cls, classifier):
        """A BatchForest, or None when the classifier is not one it handles."""
        if not cls.supports(classifier):
            return None
        try:
            return cls(classifier)
        except ValueError:
            return None

    @staticmethod
    def _search(thresholds, codes):
        """(bounds, remap) giving a feature's table row by one searchsorted(bounds, x, 'right')
        (then remap.take for a categorical feature), or None (then _indices).

        Numeric: t < x exactly when nextafter(t, inf) <= x (no float lies between them), so
        'right' on the bumped thresholds counts the nodes going right, and a NaN appended
        last (numpy sorts NaN after every number) sends NaN to the last (missing) row.
        Categorical: bounds 0, 1, ..., codes, 256 number the intervals x < 0 (missing row),
        [k, k + 1) (code k, as astype(intp) truncates), [codes, 256) (missing row); the last
        index (x >= 256 or NaN) is left to _indices."""
        if thresholds is not None:
            if not np.isfinite(thresholds).all():
                return None
            return np.append(np.nextafter(thresholds, np.inf), np.nan), None
        bounds = np.append(np.arange(codes + 1, dtype=np.float64), float(MISSING))
        return bounds, np.array([codes, *range(codes), codes], dtype=np.intp)

    def _index(self, column, feature, thresholds, codes, size):
        search = self.searches.get(feature)
        if search is not None:
            bounds, remap = search
            index = np.searchsorted(bounds, column, side="right")
            if remap is None:
                return index
            if index.max(initial=0) < len(bounds):
                return remap.take(index)
        return self._indices(column, thresholds, codes, size)

    @staticmethod
    def _indices(column, thresholds, codes, size):
        """Row index per record into a feature's table, or None (a code sklearn would wrap)."""
        if thresholds is not None:
            index = np.searchsorted(thresholds, column, side="left")
            missing = np.isnan(column)
            if missing.any():
                index[missing] = size - 1
            return index
        if (column >= MISSING).any():
            return None  # sklearn would wrap the code to 8 bits: let it do so itself
        known = (column >= 0) & (column < codes)  # False for NaN
        return np.where(known, column, codes).astype(np.intp)

    def leaves(self, X):
        """(n, trees) leaf numbers of each record in each tree, or None (see _indices)."""
        state = None
        for features, table in self.groups:
            index = None
            for feature, thresholds, codes, size in features:
                part = self._index(X[:, feature], feature, thresholds, codes, size)
                if part is None:
                    return None
                index = part if index is None else index * size + part
            if state is None:
                state = table.take(index, axis=0)
            else:
                state &= table.take(index, axis=0)
        if state is None:
            return np.zeros((len(X), self.n_trees), dtype=np.intp)
        if self.lowest_bit is not None:
            return self.lowest_bit.take(state)
        lowest = state & (~state + self.dtype.type(1))
        return np.frexp(lowest.astype(np.float64))[1] - 1

    def raw_predictions(self, X):
        """Baseline plus every tree's leaf value per record, in sklearn's order, or None."""
        leaves = self.leaves(X)
        if leaves is None:
            return None
        values = self.leaf_values.take(np.add(leaves.T, self.offsets[:, None], order="C"))  # (trees, n)
        total = np.full(len(X), self.baseline)
        for tree_values in values:  # sequential float64 adds, tree by tree, as sklearn
            total += tree_values
        return total

    def predict_positive(self, X, fallback):
        """Probability of class 1 per row of the encoded matrix X; fallback(X) scores with sklearn."""
        raw = self.raw_predictions(X)
        if raw is None:
            return fallback(X)
        return self.inverse_link(raw)


def _pack(parts, limit):
    """Features in groups whose index counts multiply to at most limit (first fit, largest first)."""
    groups = []
    for part in sorted(parts, key=lambda p: -len(p[3])):
        for group in groups:
            if np.prod([len(p[3]) for p in group]) * len(part[3]) <= limit:
                group.append(part)
                break
        else:
            groups.append([part])
    return groups


def _lowest_bits(bits):
    values = np.arange(1 << bits, dtype=np.int64)
    lowest = values & -values
    table = np.frexp(lowest.astype(np.float64))[1] - 1
    table[0] = 0  # never used: the exit leaf's bit is never cleared
    return table.astype(np.uint8)


_LOWEST_BIT_8 = _lowest_bits(8)
_LOWEST_BIT_16 = None


def _lowest_bit_16():
    global _LOWEST_BIT_16
    if _LOWEST_BIT_16 is None:
        _LOWEST_BIT_16 = _lowest_bits(16)
    return _LOWEST_BIT_16
