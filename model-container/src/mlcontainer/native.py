"""The native CSV parse + encode step (native/csvencode.c) behind ctypes, and its fallback.

A plain shared library without Python.h, found in this order: $MLC_NATIVE_LIB, libmlcencode.so
beside this file (where the image's build stage puts it), native/build/libmlcencode.so of the
source tree (`make -C model-container/native`). Missing, unloadable or of another ABI version:
`library()` is None, one warning says why, and CSV bodies take the Python path as before.
MLC_REQUIRE_NATIVE=1 makes tests/test_native_encode.py fail when the library did not load (CI
sets it so the fast path cannot vanish silently); serving never depends on it.
"""
import ctypes
import logging
import os
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
ABI = 2
LIBRARY_NAME = "libmlcencode.so"
KIND_NUMBER, KIND_SKIP = -1, -2
_HERE = Path(__file__).resolve().parent
_state = {}


def candidates(environ=os.environ):
    if environ.get("MLC_NATIVE_LIB"):
        return [Path(environ["MLC_NATIVE_LIB"])]
    return [_HERE / LIBRARY_NAME, _HERE.parents[1] / "native" / "build" / LIBRARY_NAME]


def load(paths):
    """(ctypes function mlc_encode, None) from the first path that exists, or (None, why not)."""
    existing = [p for p in paths if p.is_file()]
    if not existing:
        return None, f"no {LIBRARY_NAME} at {', '.join(str(p) for p in paths)} (build it: make -C model-container/native)"
    path = existing[0]
    try:
        lib = ctypes.CDLL(str(path))
        abi = lib.mlc_abi
        abi.restype, abi.argtypes = ctypes.c_int, []
        version = abi()
        encode = lib.mlc_encode
        lines = lib.mlc_lines
    except (OSError, AttributeError) as error:
        return None, f"{path} does not load ({error}); rebuild it: make -C model-container/native"
    if version != ABI:
        return None, f"{path} has ABI version {version}, this code needs {ABI}; rebuild it: make -C model-container/native"
    encode.restype = ctypes.c_long
    encode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int] + [ctypes.c_void_p] * 8 + [ctypes.c_size_t]
    encode.path = path
    lines.restype, lines.argtypes = ctypes.c_long, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t]
    encode.lines = lines
    return encode, None


def library():
    """The loaded mlc_encode (once per process), or None; the reason is logged once."""
    if "encode" not in _state:
        _state["encode"], _state["why"] = load(candidates())
        if _state["encode"] is None:
            log.warning("native CSV encoder not loaded: %s; CSV batches take the Python path", _state["why"])
        else:
            log.info("native CSV encoder loaded from %s", _state["encode"].path)
    return _state["encode"]


def why_not_loaded():
    library()
    return _state["why"]


class NativeEncoder:
    """A FastEncoder's output matrix from the bytes of a plain CSV body, for one field order.

    plan: per schema column, (kind, output row): kind KIND_NUMBER, KIND_SKIP or the index of its
    category table in tables ({category: code} dicts); unknown: per table, the unknown code.
    """

    def __init__(self, encode, width, plan, tables, unknown):
        self.encode, self.width = encode, width
        self.plan, self.tables, self.unknown = plan, tables, unknown
        strings, offsets, first, codes = [], [0], [0], []
        for table in tables:
            for key, code in sorted((k.encode("utf-8"), c) for k, c in table.items()):
                strings.append(key)
                offsets.append(offsets[-1] + len(key))
                codes.append(code)
            first.append(len(codes))
        self._keep = [
            np.frombuffer(b"".join(strings) + b"\0", dtype=np.uint8),
            np.array(offsets, dtype=np.int64),
            np.array(first, dtype=np.int64),
            np.array(codes + [0.0], dtype=np.float64),
            np.array(list(unknown) + [0.0], dtype=np.float64),
        ]
        self._tables_args = [a.ctypes.data for a in self._keep]
        self._orders = {}

    @classmethod
    def for_encoder(cls, encoder, n_columns, encode):
        """From a FastEncoder's plan, or None when a schema column feeds more than one output."""
        plan = [(KIND_SKIP, -1)] * n_columns
        tables, unknown = [], []
        for j, (c, _, table, unknown_code) in enumerate(encoder.plan):
            if plan[c] != (KIND_SKIP, -1):
                return None
            if table is None:
                plan[c] = (KIND_NUMBER, j)
            else:
                plan[c] = (len(tables), j)
                tables.append(table)
                unknown.append(unknown_code)
        return cls(encode, encoder.width, plan, tables, unknown)

    def _order_args(self, order):
        """(kinds, output rows) per body field position, for a header order (None: schema order)."""
        key = None if order is None else tuple(order)
        args = self._orders.get(key)
        if args is None:
            by_position = list(self.plan) if order is None else [None] * len(self.plan)
            if order is not None:
                for column, position in enumerate(order):
                    by_position[position] = self.plan[column]
            kinds = np.array([k for k, _ in by_position], dtype=np.int32)
            rows = np.array([r for _, r in by_position], dtype=np.int32)
            args = (kinds, rows, kinds.ctypes.data, rows.ctypes.data)
            if len(self._orders) < 64:
                self._orders[key] = args
        return args

    def lines(self, body, start):
        """Line feeds of body[start:], plus one for a last line without one (0 when empty)."""
        return self.encode.lines(body, len(body), start)

    def matrix(self, body, start, n_rows, order=None):
        """(n_rows, width) float64 of body[start:] (header order `order`), or (None, status)."""
        kinds, rows, kinds_ptr, rows_ptr = self._order_args(order)
        XT = np.empty((self.width, n_rows), dtype=np.float64)
        status = self.encode(body, len(body), start, len(self.plan), kinds_ptr, rows_ptr,
                             *self._tables_args, XT.ctypes.data, n_rows)
        if status != n_rows:
            return None, status
        return XT.T, status
