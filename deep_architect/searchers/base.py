"""The public base class of searchers, shared by the built-in ones and yours.

A searcher proposes architectures and learns from their scores. Subclass
:class:`Searcher` and implement two hooks:

* :meth:`Searcher.propose` returns ``(inputs, outputs, hyperp_value_lst,
  token)`` for a fully specified architecture; the token is a plain-JSON dict
  holding whatever :meth:`Searcher.observe` needs later;
* :meth:`Searcher.observe` receives a checked score and a token.

Searchers that work in rounds may also tell a search loop "nothing to hand out
until more results arrive" (``propose`` raises
:class:`~deep_architect.searchers.protocol.NoSampleAvailable` before changing
anything) and give each evaluation a budget (a ``"budget"`` entry in the
token); see :mod:`deep_architect.searchers.protocol`.

The base class does the rest: :meth:`Searcher.sample` stamps each token with a
sample id and the searcher's identity, :meth:`Searcher.update` checks the score
and the token (a token is used once per session; tokens of other instances, of
an earlier process or in the original library's shapes are accepted, so a
fresh searcher can be warm-started from a logged search), and the state is a
plain dict (:meth:`Searcher.get_state` / :meth:`Searcher.set_state`) that
``save_state``/``load_state`` write to and read from one JSON file.

Randomness: ``rng=None`` draws from the global NumPy (and ``random``)
generators, so scripts that call ``np.random.seed`` are reproducible; the
state then does not include those generators and loading a state never
changes them. An ``int`` seed or a ``numpy.random.RandomState`` gives the
searcher its own generator, saved with its state, so a restored searcher
continues the exact sequence of samples.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.common import random_specify
    >>> class Uniform(Searcher):
    ...     def propose(self):
    ...         inputs, outputs = self.search_space_fn()
    ...         return inputs, outputs, random_specify(outputs, self.rng), {}
    ...     def observe(self, val, token):
    ...         pass
    >>> searcher = Uniform(lambda: mo.siso_optional(mo.identity, hp.Bool()), rng=0)
    >>> inputs, outputs, vs, token = searcher.sample()
    >>> searcher.update(0.5, token)
    >>> sorted(searcher.get_state())
    ['issuer', 'next_sample_id', 'pending', 'rng']
"""

from __future__ import annotations

import base64
import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

import deep_architect.modules as mo
import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

__all__ = ["Searcher", "SearcherSample", "check_val", "make_rng", "get_rng_state",
           "set_rng_state", "random_architecture", "SAMPLE_ID_KEY", "ISSUER_KEY"]

#: Token key holding the integer that numbers the sample within its issuer.
SAMPLE_ID_KEY = "sample_id"
#: Token key holding the identity of the searcher instance that issued it.
ISSUER_KEY = "issuer"

RngLike = int | np.random.RandomState | None


class _SampleFields(NamedTuple):
    inputs: dict
    outputs: dict
    hyperp_value_lst: list
    searcher_eval_token: dict


class SearcherSample(_SampleFields):
    """What :meth:`Searcher.sample` returns; unpacks as the original four values.

    Attributes:
        inputs: Inputs of the fully specified architecture.
        outputs: Its outputs.
        hyperp_value_lst: The values that rebuild it with ``specify``.
        searcher_eval_token: The plain-JSON token for ``update``.
        assigned_hyperps: The hyperparameters the values went to, in the same
            order; ``None`` unless the searcher's ``propose`` reported them
            (see :meth:`Searcher.propose`).
    """

    assigned_hyperps: list | None = None

    @property
    def hyperp_names(self) -> list[str] | None:
        """The names of :attr:`assigned_hyperps`, as a replay on a fresh space names them.

        A search loop logs them without building the architecture a second
        time. ``None`` when the searcher did not report its hyperparameters.
        """
        hyperps = self.assigned_hyperps
        return None if hyperps is None else [h.get_name() for h in hyperps]


def check_val(val: Any, owner: str) -> float:
    """Returns ``val`` as a float after checking that it is a finite real number.

    Args:
        val: A score given to ``update``.
        owner: Named in the error message.

    Raises:
        DeepArchitectError: If ``val`` is not a real number or is NaN/infinite.
    """
    if not (isinstance(val, numbers.Real) and not isinstance(val, bool)):
        raise DeepArchitectError(
            f"{owner}.update: val must be a real number, got {val!r} of type "
            f"{type(val).__name__}")
    if not math.isfinite(val):
        raise DeepArchitectError(f"{owner}.update: val must be finite, got {val!r}")
    return float(val)


def make_rng(rng: RngLike, owner: str = "searcher") -> np.random.RandomState | None:
    """The generator a searcher owns: ``None`` (global generators) or a ``RandomState``.

    Args:
        rng: ``None``, an ``int`` seed or a ``numpy.random.RandomState``.
        owner: Named in the error message.

    Raises:
        DeepArchitectError: For any other type.
    """
    if rng is None or isinstance(rng, np.random.RandomState):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.RandomState(int(rng))
    raise DeepArchitectError(
        f"{owner}: rng must be None, an int seed or a numpy.random.RandomState, got {rng!r}")


def get_rng_state(rng: np.random.RandomState) -> list:
    """Plain-JSON state of a ``RandomState`` (its 624 words packed as base64 text)."""
    name, keys, pos, has_gauss, cached_gaussian = rng.get_state(legacy=True)
    packed = base64.b64encode(np.asarray(keys, dtype="<u4").tobytes()).decode("ascii")
    return [name, packed, int(pos), int(has_gauss), float(cached_gaussian)]


def set_rng_state(rng: np.random.RandomState, state: Sequence) -> None:
    """Restores a ``RandomState`` from :func:`get_rng_state`'s output."""
    name, packed, pos, has_gauss, cached_gaussian = state
    keys = np.frombuffer(base64.b64decode(packed), dtype="<u4").astype(np.uint32)
    rng.set_state((name, keys, pos, has_gauss, cached_gaussian))


def random_architecture(search_space_fn: Callable[[], mo.Fragment], owner: str,
                        rng: np.random.RandomState | None = None) -> tuple:
    """Samples a fully specified architecture uniformly at random.

    Attempts rejected by the space (``ValueError``) start over on a fresh space,
    a bounded number of times.

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        owner: Named in error messages.
        rng: The caller's generator, or ``None`` for the global NumPy one.

    Returns:
        ``(inputs, outputs, hyperp_value_lst, hyperparameters)``: the last
        are the hyperparameters the values went to, in the same order (what
        :meth:`Searcher.propose` may return as its fifth element).
    """
    from deep_architect.searchers.common import random_specify, sample_until_valid

    def attempt() -> tuple:
        inputs, outputs = search_space_fn()
        assigned: list = []
        return inputs, outputs, random_specify(outputs, rng, assigned), assigned

    return sample_until_valid(attempt, description=owner)


def _new_issuer() -> str:
    # From the OS, not from any seeded generator: drawing it must not shift
    # the samples of a seeded script.
    return os.urandom(6).hex()


class Searcher:
    """Base class of every searcher (see the module documentation).

    Subclasses implement :meth:`propose` and :meth:`observe`, and extend
    :meth:`get_state` / :meth:`set_state` (calling the base versions) when
    they learn anything. Subclasses written for the original library, which
    override ``sample``, ``update``, ``save_state`` and ``load_state``
    directly, keep working.

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call. It is
            wrapped in a :class:`~deep_architect.modules.SearchSpaceFactory`, so
            ``self.search_space_fn()`` returns a buffered fresh space.
        reset_default_scope_upon_sample: Whether to reset the default scope
            before building each space (names then restart from 0).
        rng: ``None`` (global generators), an ``int`` seed or a
            ``numpy.random.RandomState`` owned by this searcher.

    Attributes:
        rng: The searcher's own ``RandomState``, or ``None``.
        state_filename: Name of the file ``save_state`` writes.
    """

    state_filename = "searcher_state.json"
    #: Keys that a state must hold for :meth:`set_state` (checked with a message).
    state_keys: tuple = ()

    def __init__(self, search_space_fn: Callable[[], mo.Fragment],
                 reset_default_scope_upon_sample: bool = True, rng: RngLike = None) -> None:
        self.reset_default_scope_upon_sample = reset_default_scope_upon_sample
        self.search_space_fn = mo.SearchSpaceFactory(
            search_space_fn, reset_default_scope_upon_sample).get_search_space
        self.rng = make_rng(rng, type(self).__name__)
        self._issuer = _new_issuer()
        self._next_sample_id = 0
        self._pending: set = set()
        # (issuer, sample id) of other searchers' tokens already used here.
        self._used_foreign: set = set()

    @property
    def _owner(self) -> str:
        return type(self).__name__

    # ------------------------------------------------------------------ hooks

    def propose(self) -> tuple:
        """Builds and fully specifies a fresh space (hook of :meth:`sample`).

        Returns:
            ``(inputs, outputs, hyperp_value_lst, token)`` with ``token`` a
            plain-JSON dict for :meth:`observe`; it may hold a ``"budget"``
            for the evaluation (:data:`~deep_architect.searchers.protocol.BUDGET_KEY`).
            A fifth element is optional: the hyperparameters that received
            the values, in order (``specify`` and ``random_specify`` collect
            them through their ``assigned`` argument). When the space was
            built by ``self.search_space_fn`` with the default scope reset,
            :meth:`sample` passes them on as
            :attr:`SearcherSample.assigned_hyperps`, and a search loop need
            not rebuild the architecture to log their names.

        Raises:
            NoSampleAvailable: (:mod:`deep_architect.searchers.protocol`) when
                nothing can be proposed until more results are observed; the
                searcher must be left unchanged, and :meth:`sample` passes it on.
        """
        raise NotImplementedError(f"{self._owner} implements neither sample nor propose")

    def observe(self, val: float, token: dict) -> None:
        """Learns that the architecture of ``token`` scored ``val`` (hook of :meth:`update`).

        ``val`` is a finite float. ``token`` may come from another instance or
        from the original library (no sample id): rely only on its content,
        and raise :class:`~deep_architect.errors.DeepArchitectError` for a token
        that does not fit (see :meth:`check_token_keys`).
        """
        raise NotImplementedError(f"{self._owner} implements neither update nor observe")

    # ------------------------------------------------------------------ contract

    def sample(self) -> SearcherSample:
        """Samples an architecture.

        Returns:
            A :class:`SearcherSample` ``(inputs, outputs, hyperp_value_lst,
            searcher_eval_token)``: a fully specified architecture, the values
            that rebuild it with ``specify``, and a plain-JSON token for
            :meth:`update`.
        """
        proposal = self.propose()
        inputs, outputs, vs, token = proposal[:4]
        sample_id = self._next_sample_id
        token[SAMPLE_ID_KEY] = sample_id
        token[ISSUER_KEY] = self._issuer
        self._pending.add(sample_id)
        self._next_sample_id = sample_id + 1
        sample = SearcherSample(inputs, outputs, vs, token)
        # Names restart with every space only when the default scope is reset;
        # only then are these the names a fresh replay gives.
        if len(proposal) == 5 and proposal[4] is not None and self.reset_default_scope_upon_sample:
            sample.assigned_hyperps = proposal[4]
        return sample

    def update(self, val: float, searcher_eval_token: dict) -> None:
        """Reports the score of an architecture (higher is better).

        Args:
            val: Finite score.
            searcher_eval_token: A token from :meth:`sample` of this searcher
                (possibly after a JSON round trip, or before a save/load), of
                another instance of the same class, or in the original
                library's shape. Each issued token can be used once.

        Raises:
            DeepArchitectError: For a malformed token, a token used twice, a
                token of this searcher that it never issued, or a non-finite
                ``val``.
        """
        token = searcher_eval_token
        check(isinstance(token, dict), "%s.update: expected a token dict returned by "
              "sample(), got %r", self._owner, token)
        val = check_val(val, self._owner)
        release = self._claim(token)
        self.observe(val, token)
        release()

    def _claim(self, token: dict) -> Callable[[], None]:
        """Checks that ``token`` may be used; returns what marks it used."""
        if SAMPLE_ID_KEY not in token:
            return lambda: None  # the original's shape: nothing to tell tokens apart
        sample_id, issuer = token[SAMPLE_ID_KEY], token.get(ISSUER_KEY)
        check(type(sample_id) is int and sample_id >= 0 and (issuer is None or
                                                                isinstance(issuer, str)),
              "%s.update: malformed token %r (%r must be a non-negative int, %r a string)",
              self._owner, token, SAMPLE_ID_KEY, ISSUER_KEY)
        if issuer == self._issuer:
            check(sample_id < self._next_sample_id,
                  "%s.update: token %r was never issued by this searcher", self._owner, token)
            check(sample_id in self._pending,
                  "%s.update: token %r was already used by an earlier update",
                  self._owner, token)
            return lambda: self._pending.discard(sample_id)
        key = (issuer, sample_id)
        check(key not in self._used_foreign,
              "%s.update: token %r was already used by an earlier update", self._owner, token)
        return lambda: self._used_foreign.add(key)

    def check_token_keys(self, token: dict, keys: Sequence[str]) -> None:
        """Raises a messaged error unless ``token`` has every key of ``keys``."""
        missing = [k for k in keys if k not in token]
        check(not missing, "%s.update: token %r lacks the keys %s", self._owner, token, missing)

    # ------------------------------------------------------------------ state

    def get_state(self) -> dict:
        """Plain-JSON state of the searcher; subclasses add their own keys.

        Returns:
            A dict that :meth:`set_state` of a searcher built with the same
            arguments restores (the token bookkeeping, and the searcher's own
            generator if it has one).
        """
        state = {"issuer": self._issuer, "next_sample_id": self._next_sample_id,
                 "pending": sorted(self._pending)}
        if self._used_foreign:
            state["used_foreign"] = sorted([i, s] for i, s in self._used_foreign)
        if self.rng is not None:
            state["rng"] = get_rng_state(self.rng)
        return state

    def set_state(self, state: dict) -> None:
        """Restores a state from :meth:`get_state` (or an original state file's dict).

        Never touches the global NumPy or ``random`` generators.

        Raises:
            DeepArchitectError: If ``state`` is not a dict with the keys this
                searcher needs.
        """
        check(isinstance(state, dict), "%s.set_state: expected a dict, got a %s",
              self._owner, type(state).__name__)
        missing = [k for k in self.state_keys if k not in state]
        check(not missing, "%s.set_state: not a state of %s (missing keys %s)",
              self._owner, self._owner, missing)
        # States of the original library have no token bookkeeping.
        if "next_sample_id" in state:
            self._issuer = state.get("issuer", self._issuer)
            self._next_sample_id = int(state["next_sample_id"])
            self._pending = set(state.get("pending", ()))
            self._used_foreign = {(i, s) for i, s in state.get("used_foreign", ())}
        if "rng" in state and self.rng is not None:
            set_rng_state(self.rng, state["rng"])

    def save_state(self, folderpath: str) -> None:
        """Writes :meth:`get_state` into ``folderpath/<state_filename>`` (one file).

        Args:
            folderpath: Existing folder.
        """
        check(ut.folder_exists(folderpath),
              "%s.save_state: folder %r does not exist", self._owner, folderpath)
        ut.write_jsonfile(self.get_state(), ut.join_paths([folderpath, self.state_filename]))

    def load_state(self, folderpath: str) -> None:
        """Restores the state written by :meth:`save_state` (or by the original library).

        Args:
            folderpath: Folder previously given to ``save_state``.

        Raises:
            DeepArchitectError: If the folder holds no state of this searcher,
                or a malformed one.
        """
        filepath = ut.join_paths([folderpath, self.state_filename])
        state = ut.read_jsonfile(filepath) if ut.file_exists(filepath) else None
        try:
            state = self._complete_legacy_state(state, folderpath)
            check(state is not None, "no saved state in folder %r (expected the file %r "
                  "written by save_state)", folderpath, self.state_filename)
            self.set_state(state)
        except DeepArchitectError as e:
            raise DeepArchitectError(f"{self._owner}.load_state: {e}") from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as e:
            # A value of the wrong type deep inside the state (a hand-edited or
            # foreign file); ValueError must not escape: it means "resample".
            raise DeepArchitectError(
                f"{self._owner}.load_state: the state in {folderpath!r} is malformed "
                f"({type(e).__name__}: {e})") from e

    def _complete_legacy_state(self, state: Any, folderpath: str) -> Any:
        """Adds the parts that the original library kept in other files of the folder.

        ``state`` is ``None`` when the folder has no :attr:`state_filename`.
        """
        return state
