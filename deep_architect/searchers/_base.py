"""Machinery shared by the library's searchers (private module).

Every searcher of this package derives from :class:`SearcherBase`, which adds
to :class:`deep_architect.searchers.common.Searcher`:

* token bookkeeping: each token returned by ``sample`` carries a
  ``"sample_id"`` integer, so ``update`` can reject tokens this searcher never
  issued or that were already used;
* value checks: ``update`` accepts only finite real numbers;
* state files: ``save_state``/``load_state`` write and read one JSON file per
  searcher (plus whatever the subclass adds), **including the state of the
  global NumPy and ``random`` generators**, so that a searcher restored in a
  fresh process draws exactly the samples the uninterrupted searcher would
  have drawn. Loading a state therefore also overwrites those global
  generators;
* bounded resampling: a search space may reject an architecture by raising
  ``ValueError`` while it is being specified (a substitution function saying
  "invalid"); every sampling attempt of these searchers is wrapped in
  ``common.sample_until_valid``, which starts over with a fresh space a
  bounded number of times.
"""

from __future__ import annotations

import base64
import math
import numbers
import random
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

import deep_architect.searchers.common as seco
import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

#: Token key holding the integer that identifies the sample.
SAMPLE_ID_KEY = "sample_id"

_SAMPLE_IDS_KEY = "sample_ids"
_RNG_KEY = "global_rng_state"


def random_architecture(search_space_fn: Callable[[], Tuple[dict, dict]],
                        owner: str) -> Tuple[dict, dict, List[Any]]:
    """Samples a fully specified architecture uniformly at random (global NumPy RNG).

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        owner: Name of the caller, used in error messages.

    Returns:
        ``(inputs, outputs, hyperp_value_lst)``.
    """
    def attempt() -> Tuple[dict, dict, List[Any]]:
        inputs, outputs = search_space_fn()
        return inputs, outputs, seco.random_specify(outputs)

    return seco.sample_until_valid(attempt, description=owner)


def index_of_best(scores: Sequence[float]) -> int:
    """Index of the strictly highest score, the first one on ties; NaNs are ignored.

    Args:
        scores: At least one score.

    Returns:
        The chosen index (0 if every score is NaN).
    """
    best = 0
    for i, score in enumerate(scores):
        if not math.isnan(score) and (math.isnan(scores[best]) or score > scores[best]):
            best = i
    return best


def check_val(val: Any, owner: str) -> float:
    """Returns ``val`` as a float after checking that it is a finite real number.

    Raises:
        DeepArchitectError: If ``val`` is not a real number or is NaN/infinite.
    """
    if not (isinstance(val, numbers.Real) and not isinstance(val, bool)):
        raise DeepArchitectError(
            f"{owner}.update: val must be a real number, got {val!r} of type "
            f"{type(val).__name__}"
        )
    if not math.isfinite(val):
        raise DeepArchitectError(f"{owner}.update: val must be finite, got {val!r}")
    return float(val)


def _pack_words(words: Sequence[int]) -> str:
    # 32-bit generator words as base64 text: a few KB instead of a 600-line
    # JSON list, so saving state after every sample stays cheap.
    return base64.b64encode(np.asarray(words, dtype="<u4").tobytes()).decode("ascii")


def _unpack_words(packed: Any) -> np.ndarray:
    if isinstance(packed, str):
        return np.frombuffer(base64.b64decode(packed), dtype="<u4").astype(np.uint32)
    return np.asarray(packed, dtype=np.uint32)  # the plain-list format of earlier files


def get_global_rng_state() -> Dict[str, Any]:
    """JSON-encodable state of the global NumPy and ``random`` generators."""
    name, keys, pos, has_gauss, cached_gaussian = np.random.get_state(legacy=True)
    version, internal, gauss_next = random.getstate()
    return {
        "numpy": [name, _pack_words(keys), int(pos), int(has_gauss), float(cached_gaussian)],
        "random": [version, _pack_words(internal), gauss_next],
    }


def set_global_rng_state(state: Dict[str, Any]) -> None:
    """Restores the generators from :func:`get_global_rng_state`'s output."""
    name, keys, pos, has_gauss, cached_gaussian = state["numpy"]
    np.random.set_state((name, _unpack_words(keys), pos, has_gauss, cached_gaussian))
    version, internal, gauss_next = state["random"]
    random.setstate((version, tuple(int(w) for w in _unpack_words(internal)), gauss_next))


class SearcherBase(seco.Searcher):
    """Base of the library's searchers: tokens, value checks and state files.

    Subclasses set :attr:`state_filename` and implement ``_sample`` (returning
    the 4-tuple of ``sample`` with a token without the sample id),
    ``_update(val, token)`` (``val`` already checked), and optionally
    ``_get_state(folderpath)`` / ``_set_state(state, folderpath)`` for their
    own JSON-encodable state (they may write extra files into the folder).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope (so names restart from 0).
    """

    #: Name of the JSON file that ``save_state`` writes into the folder.
    state_filename = "searcher_state.json"
    #: Keys that the state file must contain for ``_set_state``.
    _state_keys: Tuple[str, ...] = ()

    def __init__(self, search_space_fn: Callable[[], Tuple[dict, dict]],
                 reset_default_scope_upon_sample: bool = True) -> None:
        seco.Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample)
        self.reset_default_scope_upon_sample = reset_default_scope_upon_sample
        self._next_sample_id = 0
        self._pending_sample_ids: set[int] = set()

    @property
    def _owner(self) -> str:
        return type(self).__name__

    def sample(self) -> Tuple[dict, dict, List[Any], Dict[str, Any]]:
        """Samples an architecture.

        Returns:
            ``(inputs, outputs, hyperp_value_lst, searcher_eval_token)``: a fully
            specified architecture, the values that rebuild it with
            ``specify``, and a JSON-serialisable token for :meth:`update`.
        """
        inputs, outputs, vs, token = self._sample()
        token[SAMPLE_ID_KEY] = self._next_sample_id
        self._pending_sample_ids.add(self._next_sample_id)
        self._next_sample_id += 1
        return inputs, outputs, vs, token

    def update(self, val: float, searcher_eval_token: Dict[str, Any]) -> None:
        """Reports the score of a sampled architecture (higher is better).

        Args:
            val: Finite score of the architecture.
            searcher_eval_token: The token ``sample`` returned with it (possibly
                after a JSON round trip); each token can be used once.

        Raises:
            DeepArchitectError: For a token this searcher did not issue, a token
                already used, or a non-finite ``val``.
        """
        token = searcher_eval_token
        if not (isinstance(token, dict) and SAMPLE_ID_KEY in token):
            raise DeepArchitectError(
                f"{self._owner}.update: expected a token dict returned by sample() "
                f"(with key {SAMPLE_ID_KEY!r}), got {token!r}"
            )
        sample_id = token[SAMPLE_ID_KEY]
        if not (type(sample_id) is int and 0 <= sample_id < self._next_sample_id):
            raise DeepArchitectError(
                f"{self._owner}.update: token {token!r} was never issued by this searcher"
            )
        if sample_id not in self._pending_sample_ids:
            raise DeepArchitectError(
                f"{self._owner}.update: token {token!r} was already used by an earlier update"
            )
        self._update(check_val(val, self._owner), token)
        self._pending_sample_ids.remove(sample_id)

    def save_state(self, folderpath: str) -> None:
        """Writes the searcher's state into an existing folder.

        The state includes the global NumPy and ``random`` generator states, so
        that :meth:`load_state` resumes the exact sequence of samples.

        Args:
            folderpath: Existing folder; one searcher state per folder.
        """
        check(ut.folder_exists(folderpath),
              f"{self._owner}.save_state: folder {folderpath!r} does not exist")
        state = self._get_state(folderpath)
        state[_SAMPLE_IDS_KEY] = {"next": self._next_sample_id,
                                  "pending": sorted(self._pending_sample_ids)}
        state[_RNG_KEY] = get_global_rng_state()
        ut.write_jsonfile(state, ut.join_paths([folderpath, self.state_filename]))

    def load_state(self, folderpath: str) -> None:
        """Restores the state written by :meth:`save_state`.

        This also restores the global NumPy and ``random`` generator states.

        Args:
            folderpath: Folder previously given to ``save_state``.

        State files written by the original library (without token bookkeeping
        and generator states) are accepted too.

        Raises:
            DeepArchitectError: If the folder holds no state of this searcher.
        """
        filepath = ut.join_paths([folderpath, self.state_filename])
        check(ut.file_exists(filepath),
              f"{self._owner}.load_state: no saved state in folder {folderpath!r} "
              f"(expected the file {self.state_filename!r} written by save_state)")
        state = ut.read_jsonfile(filepath)
        missing = [k for k in self._state_keys if not isinstance(state, dict) or k not in state]
        check(not missing, "%s.load_state: %r is not a state written by %s.save_state "
              "(missing keys %s)", self._owner, filepath, self._owner, missing)
        self._set_state(state, folderpath)
        # State files of the original library have neither of these two entries.
        if _SAMPLE_IDS_KEY in state:
            self._next_sample_id = state[_SAMPLE_IDS_KEY]["next"]
            self._pending_sample_ids = set(state[_SAMPLE_IDS_KEY]["pending"])
        if _RNG_KEY in state:
            set_global_rng_state(state[_RNG_KEY])

    def _sample(self) -> Tuple[dict, dict, List[Any], Dict[str, Any]]:
        raise NotImplementedError

    def _update(self, val: float, token: Dict[str, Any]) -> None:
        raise NotImplementedError

    def _get_state(self, folderpath: str) -> Dict[str, Any]:
        return {}

    def _set_state(self, state: Dict[str, Any], folderpath: str) -> None:
        pass

    def _check_token_keys(self, token: Dict[str, Any], keys: Sequence[str]) -> None:
        missing = [k for k in keys if k not in token]
        if missing:
            raise DeepArchitectError(
                f"{self._owner}.update: token {token!r} lacks the keys {missing}")
