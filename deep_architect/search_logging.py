"""On-disk logs of a search: one folder per search, one sub-folder per evaluation.

Layout (an on-disk format shared with the original DeepArchitect)::

    <folderpath>/<search_name>/
        search_data/                 user data for the whole search
        evaluations/
            x<id>/
                config.json          {"hyperp_value_lst": [...], "searcher_evaluation_token": {...},
                                      "hyperp_names": [...] (optional, not in the original)}
                results.json         the results dict of the evaluation
                eval_data/           user data for the evaluation

Every JSON file is written atomically (temporary file, then rename), so readers
never see a partial file, and ``config.json``/``results.json`` are write-once
even when several processes race for the same evaluation id. The files are
flushed to disk (``fsync``) before they get their final name, follow the
process umask like the folders, and are strict JSON: non-finite floats are
written as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (JSON has
no such numbers, and browsers' ``JSON.parse`` rejects Python's ``NaN``).
Temporary files are named ``.tmp-<host>-<pid>-<random>``, so
:func:`deep_architect.utils.remove_stale_temp_files` can delete those of dead writers.

``search_name`` is a relative path below ``folderpath``: empty names, absolute
paths and names with ``..`` components are rejected. An evaluation
whose config was logged but whose results were not (e.g. an interrupted
search) is reported by :func:`get_incomplete_evaluation_ids`.

Example:
    >>> import tempfile, deep_architect.search_logging as sl
    >>> logger = sl.SearchLogger(tempfile.mkdtemp(), "demo")
    >>> ev = logger.get_evaluation_logger(0)
    >>> ev.log_config([1, 0], {})
    >>> ev.log_results({"validation_accuracy": 0.9})
    >>> sl.read_search_folder(logger.get_search_folderpath())[0]["results"]
    {'validation_accuracy': 0.9}
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import deep_architect.pareto as pa
import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

__all__ = [
    "get_search_folderpath",
    "get_search_data_folderpath",
    "get_all_evaluations_folderpath",
    "get_evaluation_folderpath",
    "get_evaluation_data_folderpath",
    "create_search_folderpath",
    "check_search_name",
    "record_search_space",
    "recorded_search_space",
    "EvaluationLogger",
    "SearchLogger",
    "read_evaluation_folder",
    "read_search_folder",
    "list_evaluation_ids",
    "get_incomplete_evaluation_ids",
    "get_evaluation_timestamps",
    "is_search_log_folder",
    "recursive_list_log_folders",
    "recursive_read_search_folders",
    "read_pareto_front",
    "LoadedArchitecture",
    "load_architecture",
]

_EVALUATION_FOLDERNAME_RE = re.compile(r"^x(0|[1-9][0-9]*)$")

# ---------------------------------------------------------------------------
# Path helpers (no I/O)
# ---------------------------------------------------------------------------


def get_search_folderpath(folderpath: str, search_name: str) -> str:
    """Returns ``<folderpath>/<search_name>``."""
    return os.path.join(folderpath, search_name)


def get_search_data_folderpath(folderpath: str, search_name: str) -> str:
    """Returns ``<folderpath>/<search_name>/search_data``."""
    return os.path.join(get_search_folderpath(folderpath, search_name), "search_data")


def get_all_evaluations_folderpath(folderpath: str, search_name: str) -> str:
    """Returns ``<folderpath>/<search_name>/evaluations``."""
    return os.path.join(get_search_folderpath(folderpath, search_name), "evaluations")


def get_evaluation_folderpath(folderpath: str, search_name: str, evaluation_id: int) -> str:
    """Returns ``<folderpath>/<search_name>/evaluations/x<evaluation_id>``."""
    return os.path.join(
        get_all_evaluations_folderpath(folderpath, search_name), "x%d" % evaluation_id
    )


def get_evaluation_data_folderpath(folderpath: str, search_name: str, evaluation_id: int) -> str:
    """Returns ``<folderpath>/<search_name>/evaluations/x<evaluation_id>/eval_data``."""
    return os.path.join(
        get_evaluation_folderpath(folderpath, search_name, evaluation_id), "eval_data"
    )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def check_search_name(search_name: Any) -> None:
    """Checks that ``search_name`` names a folder below the search's ``folderpath``.

    Args:
        search_name: Candidate name; a relative path such as ``"run1"`` or
            ``"benchmarks/rep0"``.

    Raises:
        DeepArchitectError: If it is not a non-empty string, is absolute, or
            has a ``..`` (or ``.``-only) component that would leave ``folderpath``.
    """
    ok = isinstance(search_name, str) and search_name.strip() != ""
    if ok:
        parts = re.split(r"[\\/]", search_name)
        ok = (not os.path.isabs(search_name) and not os.path.splitdrive(search_name)[0]
              and all(part not in ("", ".", "..") for part in parts))
    check(ok, f"search_name {search_name!r} must be a relative folder name inside folderpath "
              "(not empty, not absolute, no '..' or empty components), e.g. 'run1'")


_SEARCH_SPACE_FILENAME = "search_space.json"


def record_search_space(folderpath: str, search_name: str, search_space_fn: Any) -> str | None:
    """Notes the search space's ``module:function`` in ``search_data`` when it is importable.

    Tools reading the folder later (the report's architecture drawings) then
    find the space without being told. Lambdas, local functions and functions
    of ``__main__`` are not importable from another process and are not noted
    (nor are methods).

    Args:
        folderpath: Folder that contains the search folder.
        search_name: Name of the search folder.
        search_space_fn: The search-space function.

    Returns:
        The ``module:function`` noted, or ``None``.
    """
    import sys

    module, qualname = getattr(search_space_fn, "__module__", None), getattr(
        search_space_fn, "__qualname__", "")
    if module in (None, "__main__") or "<" in qualname or "." in qualname:
        return None
    if getattr(sys.modules.get(module), qualname, None) is not search_space_fn:
        return None
    spec = f"{module}:{qualname}"
    filepath = os.path.join(get_search_data_folderpath(folderpath, search_name),
                            _SEARCH_SPACE_FILENAME)
    if recorded_search_space(get_search_folderpath(folderpath, search_name)) != spec:
        ut.write_jsonfile({"search_space": spec}, filepath)
    return spec


def recorded_search_space(search_folderpath: str) -> str | None:
    """The ``module:function`` noted by :func:`record_search_space`, or ``None``."""
    filepath = os.path.join(search_folderpath, "search_data", _SEARCH_SPACE_FILENAME)
    if not os.path.isfile(filepath):
        return None
    try:
        spec = ut.read_jsonfile(filepath)
    except DeepArchitectError:
        return None
    return spec.get("search_space") if isinstance(spec, dict) else None


def create_search_folderpath(
    folderpath: str,
    search_name: str,
    abort_if_exists: bool = False,
    delete_if_exists: bool = False,
    create_parent_folders: bool = False,
) -> None:
    """Creates the folder of a search with its ``search_data`` and ``evaluations`` folders.

    An existing search folder is reused as is (this is how interrupted searches
    resume) unless ``abort_if_exists`` or ``delete_if_exists``.

    Args:
        folderpath: Folder that contains the search folder.
        search_name: Name of the search folder.
        abort_if_exists: Whether an existing search folder is an error.
        delete_if_exists: Whether to delete an existing search folder first.
        create_parent_folders: Whether to create ``folderpath`` if missing.

    Raises:
        DeepArchitectError: If both flags are set, if the folder exists and
            ``abort_if_exists``, or if ``folderpath`` is missing and not to be created.
    """
    check(
        not (abort_if_exists and delete_if_exists),
        "create_search_folderpath: abort_if_exists and delete_if_exists exclude each other",
    )
    check_search_name(search_name)
    search_folderpath = get_search_folderpath(folderpath, search_name)
    if delete_if_exists:
        ut.delete_folder(search_folderpath, abort_if_nonempty=False, abort_if_notexists=False)
    check(
        not (abort_if_exists and ut.folder_exists(search_folderpath)),
        f"search folder {search_folderpath!r} already exists "
        "(pass abort_if_exists=False to reuse it or delete_if_exists=True to replace it)",
    )
    if not ut.folder_exists(search_folderpath):
        ut.create_folder(search_folderpath, create_parent_folders=create_parent_folders)
    elif not os.listdir(search_folderpath):
        pass  # an empty folder (made by hand, say) becomes a new search folder
    else:
        check(
            ut.folder_exists(get_all_evaluations_folderpath(folderpath, search_name)),
            f"{search_folderpath!r} exists but is not a search folder (it has no "
            "'evaluations' sub-folder); use another search_name or empty it",
        )
    for sub_folderpath in (get_search_data_folderpath(folderpath, search_name),
                           get_all_evaluations_folderpath(folderpath, search_name)):
        if not ut.folder_exists(sub_folderpath):
            ut.create_folder(sub_folderpath)


class EvaluationLogger:
    """Writes the config and results of one evaluation, each exactly once.

    Creating the logger creates the evaluation folder and its ``eval_data``
    sub-folder (and any missing parents).

    Args:
        folderpath: Folder that contains the search folder.
        search_name: Name of the search folder.
        evaluation_id: Non-negative integer id of the evaluation.
        abort_if_exists: Whether an existing evaluation folder is an error.
        abort_if_notexists: Whether a missing evaluation folder is an error.

    Attributes:
        evaluation_folderpath: The ``x<id>`` folder.
        evaluation_data_folderpath: Its ``eval_data`` folder.
        config_filepath: Path of ``config.json``.
        results_filepath: Path of ``results.json``.
    """

    def __init__(
        self,
        folderpath: str,
        search_name: str,
        evaluation_id: int,
        abort_if_exists: bool = False,
        abort_if_notexists: bool = False,
    ) -> None:
        check(
            isinstance(evaluation_id, int) and evaluation_id >= 0,
            f"evaluation_id must be a non-negative int, got {evaluation_id!r}",
        )
        check_search_name(search_name)
        self.evaluation_folderpath = get_evaluation_folderpath(
            folderpath, search_name, evaluation_id
        )
        self.evaluation_data_folderpath = get_evaluation_data_folderpath(
            folderpath, search_name, evaluation_id
        )
        exists = ut.folder_exists(self.evaluation_folderpath)
        check(
            not (abort_if_exists and exists),
            f"evaluation folder {self.evaluation_folderpath!r} already exists",
        )
        check(
            not (abort_if_notexists and not exists),
            f"evaluation folder {self.evaluation_folderpath!r} does not exist",
        )
        ut.create_folder(
            self.evaluation_data_folderpath, abort_if_exists=False, create_parent_folders=True
        )
        self.config_filepath = os.path.join(self.evaluation_folderpath, "config.json")
        self.results_filepath = os.path.join(self.evaluation_folderpath, "results.json")

    def log_config(self, hyperp_value_lst: list[Any], searcher_evaluation_token: Any,
                   hyperp_names: list[str] | None = None) -> None:
        """Writes ``config.json``.

        Args:
            hyperp_value_lst: Values that replay the architecture with ``specify``.
            searcher_evaluation_token: The searcher's token for this evaluation.
            hyperp_names: Names of the hyperparameters the values go to, in the
                same order (see :func:`deep_architect.specify.specify_and_name`);
                written under ``hyperp_names`` when given. The original's keys
                are unchanged, so its tools read the file as before.

        Raises:
            DeepArchitectError: If the config was already logged or is not JSON
                serialisable (NumPy scalars and arrays are converted), or the
                names do not match the values one to one.
        """
        config = {"hyperp_value_lst": hyperp_value_lst,
                  "searcher_evaluation_token": searcher_evaluation_token}
        if hyperp_names is not None:
            check(len(hyperp_names) == len(hyperp_value_lst),
                  f"log_config: {len(hyperp_names)} hyperparameter names for "
                  f"{len(hyperp_value_lst)} values in {self.config_filepath!r}")
            config["hyperp_names"] = list(hyperp_names)
        ut.write_jsonfile(config, self.config_filepath, exclusive=True, durable=True)

    def read_config(self) -> dict[str, Any]:
        """Returns the content of ``config.json``.

        Raises:
            DeepArchitectError: If it is missing, not JSON, or not a JSON object
                with ``hyperp_value_lst`` and ``searcher_evaluation_token``.
        """
        check(self.config_exists(), f"no config logged at {self.config_filepath!r}")
        return _read_log_file(self.config_filepath, "config")

    def config_exists(self) -> bool:
        """Whether ``config.json`` was written."""
        return ut.file_exists(self.config_filepath)

    def log_results(self, results: dict[str, Any]) -> None:
        """Writes ``results.json``; the config must have been logged before.

        Args:
            results: Dict of JSON-serialisable values (NumPy scalars and arrays
                are converted).

        Raises:
            DeepArchitectError: If the results were already logged, the config
                was not, or ``results`` is not a dict.
        """
        check(
            isinstance(results, dict),
            f"results for {self.evaluation_folderpath!r} must be a dict, "
            f"got {type(results).__name__}",
        )
        check(
            self.config_exists(),
            f"cannot log results in {self.evaluation_folderpath!r} before its config "
            "(call log_config first)",
        )
        ut.write_jsonfile(results, self.results_filepath, exclusive=True, durable=True)

    def read_results(self) -> dict[str, Any]:
        """Returns the content of ``results.json``.

        Raises:
            DeepArchitectError: If it is missing, not JSON, or not a JSON object.
        """
        check(self.results_exist(), f"no results logged at {self.results_filepath!r}")
        return _read_log_file(self.results_filepath, "results")

    def results_exist(self) -> bool:
        """Whether ``results.json`` was written."""
        return ut.file_exists(self.results_filepath)

    def get_evaluation_folderpath(self) -> str:
        """Returns the ``x<id>`` folder, reserved for the standard log files."""
        return self.evaluation_folderpath

    def get_evaluation_data_folderpath(self) -> str:
        """Returns the ``eval_data`` folder, where user artefacts go."""
        return self.evaluation_data_folderpath


class SearchLogger:
    """Creates (or reuses) a search folder and hands out evaluation loggers.

    Args:
        folderpath: Folder that contains the search folder (created if missing).
        search_name: Name of the search folder.
        abort_if_exists: Whether an existing search folder is an error.
        delete_if_exists: Whether to delete an existing search folder first
            (requires ``abort_if_exists=False``).
    """

    def __init__(
        self,
        folderpath: str,
        search_name: str,
        abort_if_exists: bool = True,
        delete_if_exists: bool = False,
    ) -> None:
        self.folderpath = folderpath
        self.search_name = search_name
        create_search_folderpath(
            folderpath,
            search_name,
            abort_if_exists=abort_if_exists,
            delete_if_exists=delete_if_exists,
            create_parent_folders=True,
        )

    def get_evaluation_logger(
        self, evaluation_id: int, abort_if_exists: bool = False, abort_if_notexists: bool = False
    ) -> EvaluationLogger:
        """Returns the :class:`EvaluationLogger` of an evaluation of this search."""
        return EvaluationLogger(
            self.folderpath,
            self.search_name,
            evaluation_id,
            abort_if_exists=abort_if_exists,
            abort_if_notexists=abort_if_notexists,
        )

    def get_search_folderpath(self) -> str:
        """Returns the search folder."""
        return get_search_folderpath(self.folderpath, self.search_name)

    def get_search_data_folderpath(self) -> str:
        """Returns the ``search_data`` folder (e.g. for searcher state)."""
        return get_search_data_folderpath(self.folderpath, self.search_name)

    def get_all_evaluations_folderpath(self) -> str:
        """Returns the ``evaluations`` folder."""
        return get_all_evaluations_folderpath(self.folderpath, self.search_name)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _read_log_file(filepath: str, key: str) -> dict[str, Any]:
    """Reads ``config.json`` (``key='config'``) or ``results.json`` and checks its shape."""
    d = ut.read_jsonfile(filepath)
    check(isinstance(d, dict),
          f"{filepath!r} holds a JSON {type(d).__name__}; expected an object (a dict of {key})")
    if key == "config":
        check(isinstance(d.get("hyperp_value_lst"), list) and "searcher_evaluation_token" in d,
              f"{filepath!r} lacks a 'hyperp_value_lst' list or a 'searcher_evaluation_token'")
    return d


def read_evaluation_folder(
    evaluation_folderpath: str, tolerant: bool = False
) -> dict[str, dict[str, Any]]:
    """Reads the config and results of one evaluation.

    Args:
        evaluation_folderpath: An ``x<id>`` folder.
        tolerant: If true, a missing or corrupt file is left out of the result
            (with a warning for a corrupt one) instead of raising.

    Returns:
        ``{"config": <dict>, "results": <dict>}`` (keys may be missing when ``tolerant``).

    Raises:
        DeepArchitectError: If the folder does not exist, or (unless
            ``tolerant``) a file is not valid JSON; the message names the file.
        FileNotFoundError: If a file is missing (e.g. an evaluation in
            progress) and not ``tolerant``.
    """
    check(
        ut.folder_exists(evaluation_folderpath),
        f"no evaluation folder at {evaluation_folderpath!r}",
    )
    out = {}
    for key in ("config", "results"):
        filepath = os.path.join(evaluation_folderpath, key + ".json")
        if tolerant and not ut.file_exists(filepath):
            continue
        try:
            out[key] = _read_log_file(filepath, key)
        except DeepArchitectError as e:
            if not tolerant:
                raise
            warnings.warn(f"skipping unreadable file: {e}", stacklevel=2)
    return out


def _check_search_folder(search_folderpath: str) -> str:
    check(ut.folder_exists(search_folderpath), f"no search folder at {search_folderpath!r}")
    evaluations_folderpath = os.path.join(search_folderpath, "evaluations")
    check(
        ut.folder_exists(evaluations_folderpath),
        f"{search_folderpath!r} is not a search folder: it has no 'evaluations' sub-folder",
    )
    return evaluations_folderpath


def read_search_folder(search_folderpath: str, tolerant: bool = False) -> list[dict[str, Any]]:
    """Reads the evaluations ``x0``, ``x1``, ... of a search, stopping at the first missing id.

    Args:
        search_folderpath: The search folder (``<folderpath>/<search_name>``).
        tolerant: Passed to :func:`read_evaluation_folder`; lets evaluations in
            progress (no results yet) or with corrupt files be read partially.

    Returns:
        One ``{"config": ..., "results": ...}`` dict per evaluation, by id.

    Raises:
        DeepArchitectError: If the folder is not a search folder, or (unless
            ``tolerant``) a file is not valid JSON.
        FileNotFoundError: If (unless ``tolerant``) an evaluation has no
            config or results yet.
    """
    evaluations_folderpath = _check_search_folder(search_folderpath)
    out = []
    while True:
        evaluation_folderpath = os.path.join(evaluations_folderpath, "x%d" % len(out))
        if not ut.folder_exists(evaluation_folderpath):
            return out
        out.append(read_evaluation_folder(evaluation_folderpath, tolerant=tolerant))


def list_evaluation_ids(search_folderpath: str) -> list[int]:
    """Returns the ids of all ``x<id>`` folders of a search in increasing order (gaps included).

    Raises:
        DeepArchitectError: If the folder is not a search folder.
    """
    evaluations_folderpath = _check_search_folder(search_folderpath)
    names = (os.path.basename(p) for p in ut.list_folders(evaluations_folderpath))
    return sorted(int(n[1:]) for n in names if _EVALUATION_FOLDERNAME_RE.match(n))


def get_incomplete_evaluation_ids(search_folderpath: str) -> list[int]:
    """Returns the ids of evaluations whose config was logged but whose results were not.

    These are evaluations that are running or were interrupted; a resuming
    search can evaluate them again (with a new id) or wait for them.
    """
    evaluations_folderpath = _check_search_folder(search_folderpath)
    out = []
    for i in list_evaluation_ids(search_folderpath):
        evaluation_folderpath = os.path.join(evaluations_folderpath, "x%d" % i)
        if ut.file_exists(os.path.join(evaluation_folderpath, "config.json")) and not (
            ut.file_exists(os.path.join(evaluation_folderpath, "results.json"))
        ):
            out.append(i)
    return out


def get_evaluation_timestamps(evaluation_folderpath: str) -> dict[str, float | None]:
    """Returns when the config and the results of an evaluation were written.

    The times are the modification times of the files (seconds since the
    epoch), so they also exist for logs written by other tools; they are
    ``None`` for a file that is missing.
    """
    out: dict[str, float | None] = {}
    for key in ("config", "results"):
        filepath = os.path.join(evaluation_folderpath, key + ".json")
        out[key] = os.path.getmtime(filepath) if ut.file_exists(filepath) else None
    return out


def is_search_log_folder(folderpath: str) -> bool:
    """Whether ``folderpath/evaluations/x0`` is a folder."""
    return ut.folder_exists(os.path.join(folderpath, "evaluations", "x0"))


def recursive_list_log_folders(folderpath: str) -> list[str]:
    """Lists the search log folders at or under ``folderpath``, depth first, in sorted order.

    A search log folder is listed and not descended into; hidden folders are skipped.
    """
    if is_search_log_folder(folderpath):
        return [folderpath]
    out = []
    for p in ut.list_folders(folderpath):
        out.extend(recursive_list_log_folders(p))
    return out


def recursive_read_search_folders(folderpath: str) -> list[dict[str, Any]]:
    """Reads every search folder found by :func:`recursive_list_log_folders`.

    Returns:
        One ``{"search_folderpath": p, "log_lst": [...], "num_logs": n}`` dict per folder.
    """
    out = []
    for p in recursive_list_log_folders(folderpath):
        log_lst = read_search_folder(p)
        out.append({"search_folderpath": p, "log_lst": log_lst, "num_logs": len(log_lst)})
    return out


def read_pareto_front(search_folderpath: str,
                      objectives: dict[str, str]) -> list[dict[str, Any]]:
    """The evaluations of a finished search that no other evaluation dominates.

    Evaluations whose results lack an objective or hold a non-finite value
    (failed evaluations, for instance) take no part.

    Args:
        search_folderpath: The search folder (``<folderpath>/<search_name>``).
        objectives: ``{metric_name: "max" | "min"}``, e.g.
            ``{"validation_accuracy": "max", "latency_ms": "min"}``.

    Returns:
        ``{"evaluation_id": i, "config": ..., "results": ...}`` per front member,
        by id.

    Raises:
        DeepArchitectError: If the folder is not a search folder or the
            objectives are malformed.
    """
    objectives = pa.check_objectives(objectives, "read_pareto_front")
    ids, points = [], []
    logs = read_search_folder(search_folderpath)
    for i, log in enumerate(logs):
        try:
            points.append(pa.objective_vector(log["results"], objectives))
        except DeepArchitectError:
            continue
        ids.append(i)
    return [{"evaluation_id": ids[k], **logs[ids[k]]} for k in pa.pareto_front(points)]


class LoadedArchitecture(NamedTuple):
    """A logged architecture rebuilt by :func:`load_architecture`.

    ``inputs`` and ``outputs`` are a fresh, fully specified graph;
    ``hyperp_value_lst`` is the logged value list that rebuilt it; ``results``
    the logged results (``None`` while the evaluation has none); ``model`` the
    framework model (see
    :func:`deep_architect.helpers.compiled_model.compile_model`) or ``None``.
    """

    inputs: dict[str, Any]
    outputs: dict[str, Any]
    hyperp_value_lst: list[Any]
    results: dict[str, Any] | None
    model: Any


def load_architecture(folderpath: str, search_name: str, evaluation_id: int,
                      search_space_fn: Callable[[], Any],
                      example_inputs: dict[str, Any] | None = None) -> LoadedArchitecture:
    """Rebuilds the architecture of a logged evaluation, and its model, in one call.

    The evaluation's value list is replayed with ``specify`` on a fresh space
    of ``search_space_fn``. For inline PyTorch spaces
    (:mod:`deep_architect.helpers.pytorch_model_space`) the model is the user's
    ``nn.Module`` with the chosen layers; for graphs of PyTorch or Keras
    modules it is compiled when ``example_inputs`` is given (see
    :func:`~deep_architect.helpers.compiled_model.compile_model`). The weights
    are newly initialised: train the model, or load weights your evaluator saved.

    Args:
        folderpath: Folder containing the search folder.
        search_name: Name of the search folder.
        evaluation_id: Id of the evaluation (folder ``x<id>``).
        search_space_fn: The search-space function of the search.
        example_inputs: Input name to example value, for compiling graphs of
            PyTorch (tensors) or Keras (``keras.Input``) modules.

    Returns:
        A :class:`LoadedArchitecture`.

    Raises:
        DeepArchitectError: If the evaluation folder or its config is missing,
            or its value list does not fit ``search_space_fn``.
    """
    evaluation_folderpath = get_evaluation_folderpath(folderpath, search_name, evaluation_id)
    log = read_evaluation_folder(evaluation_folderpath, tolerant=True)
    check("config" in log, f"load_architecture: evaluation {evaluation_id} of search "
                           f"{search_name!r} has no readable config.json in "
                           f"{evaluation_folderpath!r}")
    from deep_architect.helpers.compiled_model import compile_model
    from deep_architect.modules import SearchSpaceFactory
    from deep_architect.specify import specify

    vs = log["config"]["hyperp_value_lst"]
    inputs, outputs = SearchSpaceFactory(search_space_fn).get_search_space()
    try:
        specify(outputs, vs)
    except DeepArchitectError as e:
        raise DeepArchitectError(
            f"load_architecture: the value list of evaluation {evaluation_id} "
            f"({evaluation_folderpath!r}) does not fit {search_space_fn!r}: {e}") from None
    return LoadedArchitecture(inputs, outputs, vs, log.get("results"),
                              compile_model(inputs, outputs, example_inputs))
