"""A linear surrogate on hashed feature counts (needs scikit-learn and SciPy)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

import deep_architect.utils as ut
from deep_architect.errors import check
from deep_architect.surrogates.common import Features, SurrogateModel

_STATE_FILENAME = "hash_model_state.json"
_VECS_FILENAME = "hash_model_vecs.npz"
_FEATURE_LISTS = ("module_feats", "connection_feats", "module_hyperp_feats")


def _import_scipy_sparse() -> Any:
    try:
        import scipy.sparse as sp
    except ImportError as e:
        raise ImportError("HashingSurrogate needs SciPy and scikit-learn: "
                          "pip install 'deep_architect[sklearn]'") from e
    return sp


class HashingSurrogate(SurrogateModel):
    """Ridge regression on counts of hashed feature strings.

    Each feature string (see ``extract_features``) is mapped to bucket
    ``crc32(utf-8 bytes) % hash_size``, a hash that is the same in every
    process (unlike Python's ``hash``), so predictions and saved states are
    reproducible. The model is refitted on all observations whenever their
    number is a multiple of ``refit_interval``; before the first fit it predicts 0.

    Args:
        hash_size: Number of buckets (columns of the feature vectors).
        refit_interval: Refit every this many observations.
        weight_decay_coeff: Ridge ``alpha``.
        use_module_feats: Whether to use the module-name features.
        use_connection_feats: Whether to use the connection features.
        use_module_hyperp_feats: Whether to use the hyperparameter-value features.
    """

    def __init__(self, hash_size: int, refit_interval: int, weight_decay_coeff: float = 1e-5,
                 use_module_feats: bool = True, use_connection_feats: bool = True,
                 use_module_hyperp_feats: bool = True) -> None:
        check(isinstance(hash_size, int) and hash_size >= 1,
              f"HashingSurrogate: hash_size must be a positive int, got {hash_size!r}")
        check(isinstance(refit_interval, int) and refit_interval >= 1,
              f"HashingSurrogate: refit_interval must be a positive int, got {refit_interval!r}")
        self.hash_size = hash_size
        self.refit_interval = refit_interval
        self.weight_decay_coeff = weight_decay_coeff
        self.feats_name_to_use_flag = dict(zip(
            _FEATURE_LISTS, (use_module_feats, use_connection_feats, use_module_hyperp_feats)))
        check(any(self.feats_name_to_use_flag.values()),
              "HashingSurrogate: at least one of use_module_feats, use_connection_feats "
              "and use_module_hyperp_feats must be true")
        self.vecs_lst: list[Any] = []
        self.vals_lst: list[float] = []
        self.model: Any = None
        # Rows of vecs_lst already stacked into one matrix, kept between refits.
        self._stacked: Any | None = None

    def _bucket_indices(self, feats: Features) -> np.ndarray:
        return np.fromiter(
            (zlib.crc32(f.encode("utf-8")) % self.hash_size
             for name, use in self.feats_name_to_use_flag.items() if use for f in feats[name]),
            dtype=np.int64)

    def _feats2mat(self, feats_lst: Sequence[Features]) -> Any:
        """One CSR row of bucket counts per element of ``feats_lst``, built at once."""
        return self._buckets2mat([self._bucket_indices(feats) for feats in feats_lst])

    def _buckets2mat(self, cols: Sequence[np.ndarray]) -> Any:
        """One CSR row of counts per array of bucket indices."""
        sp = _import_scipy_sparse()
        rows = np.repeat(np.arange(len(cols)), [len(c) for c in cols])
        cols_arr = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        data = np.ones(len(cols_arr), dtype=np.float64)
        # Duplicate (row, column) pairs are summed, which yields the counts.
        return sp.csr_matrix((data, (rows, cols_arr)), shape=(len(cols), self.hash_size))

    def _feats2vec(self, feats: Features) -> Any:
        """1 x ``hash_size`` sparse row of bucket counts."""
        return self._feats2mat([feats])

    def eval(self, feats: Features) -> float:
        """Predicted score; 0.0 until the first refit."""
        return self.eval_batch([feats])[0]

    def eval_batch(self, feats_lst: Sequence[Features]) -> list[float]:
        """Predicted scores of many architectures with a single ``predict`` call."""
        if self.model is None:
            return [0.0] * len(feats_lst)
        # The linear model's prediction computed directly: Ridge.predict's input
        # validation costs more than the product itself for a few rows.
        scores = self._feats2mat(feats_lst) @ self.model.coef_ + self.model.intercept_
        return [float(v) for v in scores]

    def update(self, val: float, feats: Features) -> None:
        """Stores the observation and refits every ``refit_interval`` observations."""
        self.vecs_lst.append(self._feats2vec(feats))
        self.vals_lst.append(float(val))
        if len(self.vals_lst) % self.refit_interval == 0:
            self._refit()

    def _stacked_vecs(self) -> Any:
        sp = _import_scipy_sparse()
        num_stacked = 0 if self._stacked is None else self._stacked.shape[0]
        if num_stacked < len(self.vecs_lst):
            blocks = self.vecs_lst[num_stacked:]
            if self._stacked is not None:
                blocks = [self._stacked] + blocks
            self._stacked = sp.vstack(blocks, format="csr")
        return self._stacked

    def _refit(self, num_observations: int | None = None) -> None:
        """Fits a Ridge model on the first ``num_observations`` observations (default all)."""
        from sklearn.linear_model import Ridge

        n = len(self.vals_lst) if num_observations is None else num_observations
        if self.model is None:
            self.model = Ridge(alpha=self.weight_decay_coeff)
        self.model.fit(self._stacked_vecs()[:n], np.asarray(self.vals_lst[:n]))

    def get_state(self) -> dict[str, Any]:
        """``{"hash_size", "vals_lst", "buckets"}`` with each observation's bucket indices."""
        buckets = [np.repeat(row.indices, row.data.astype(np.int64)).tolist()
                   for row in self.vecs_lst]
        return {"hash_size": self.hash_size, "vals_lst": list(self.vals_lst), "buckets": buckets}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output and refits as the saving surrogate had last fitted.

        Raises:
            DeepArchitectError: If ``state`` is malformed or has another ``hash_size``.
        """
        check(isinstance(state, dict) and all(k in state for k in ("vals_lst", "buckets"))
              and len(state["vals_lst"]) == len(state["buckets"]),
              "HashingSurrogate.set_state: expected a dict with lists vals_lst and buckets of "
              "equal length, got %r", state if not isinstance(state, dict) else sorted(state))
        check(state.get("hash_size", self.hash_size) == self.hash_size,
              "HashingSurrogate.set_state: the state has hash_size %r, this surrogate has %r",
              state.get("hash_size"), self.hash_size)
        mat = self._buckets2mat([np.asarray(b, dtype=np.int64) for b in state["buckets"]])
        self._restore([float(v) for v in state["vals_lst"]], mat)

    def _restore(self, vals_lst: list[float], stacked: Any) -> None:
        n = len(vals_lst)
        self.vals_lst, self.model = vals_lst, None
        self.vecs_lst = [stacked[i] for i in range(n)]
        self._stacked = stacked if n > 0 else None
        num_fitted = n - n % self.refit_interval
        if num_fitted > 0:
            self._refit(num_fitted)

    def save_state(self, folderpath: str) -> None:
        """Writes ``hash_model_state.json`` and the stacked vectors (``hash_model_vecs.npz``)."""
        sp = _import_scipy_sparse()
        ut.write_jsonfile({"num_evals": len(self.vals_lst), "vals_lst": self.vals_lst,
                           "hash_size": self.hash_size},
                          ut.join_paths([folderpath, _STATE_FILENAME]))
        if self.vecs_lst:
            sp.save_npz(ut.join_paths([folderpath, _VECS_FILENAME]), self._stacked_vecs())

    def load_state(self, folderpath: str) -> None:
        """Replaces the observations with the saved ones and restores the fitted model.

        The model is refitted on the observations the saving surrogate had last
        fitted on (the largest multiple of ``refit_interval``), so the restored
        surrogate predicts exactly as the saved one did.
        """
        sp = _import_scipy_sparse()
        filepath = ut.join_paths([folderpath, _STATE_FILENAME])
        check(ut.file_exists(filepath),
              f"HashingSurrogate.load_state: no saved state in folder {folderpath!r} "
              f"(expected the file {_STATE_FILENAME!r})")
        state = ut.read_jsonfile(filepath)
        check(state.get("hash_size", self.hash_size) == self.hash_size,
              f"HashingSurrogate.load_state: the state in {folderpath!r} has hash_size "
              f"{state.get('hash_size')}, this surrogate has {self.hash_size}")
        n = state["num_evals"]
        vals_lst = [float(v) for v in state["vals_lst"]]
        stacked = sp.csr_matrix((0, self.hash_size))
        if n > 0:
            stacked = sp.load_npz(ut.join_paths([folderpath, _VECS_FILENAME])).tocsr()
        check(stacked.shape == (n, self.hash_size) and len(vals_lst) == n,
              f"HashingSurrogate.load_state: inconsistent state in {folderpath!r}")
        self._restore(vals_lst, stacked)
