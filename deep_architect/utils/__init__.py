"""General-purpose helpers: command-line configuration, files, paths, units and timers.

Standard library only, so that every part of the package (logging, searchers,
examples, contrib code) can import it as ``import deep_architect.utils as ut``
without pulling in a deep-learning framework.

Misuse raises :class:`deep_architect.errors.DeepArchitectError` with a message
naming the offending path, unit or name.

The package is split by concern behind this facade (import names from
``deep_architect.utils``, not from the private submodules).
"""

from __future__ import annotations

from deep_architect.utils._cli import CommandLineArgs, get_config
from deep_architect.utils._files import (
    json_object_to_json_string,
    json_string_to_json_object,
    read_jsonfile,
    read_picklefile,
    read_textfile,
    remove_stale_temp_files,
    to_json_compatible,
    write_atomically,
    write_jsonfile,
    write_picklefile,
    write_textfile,
)
from deep_architect.utils._paths import (
    create_folder,
    delete_file,
    delete_folder,
    file_exists,
    folder_exists,
    join_paths,
    list_files,
    list_folders,
    list_paths,
    path_exists,
    path_prefix,
)
from deep_architect.utils._timing import SequenceTracker, TimerManager
from deep_architect.utils._units import (
    convert_between_byte_units,
    convert_between_time_units,
    extract_simple_name,
    run_bash_command,
    sleep,
)

__all__ = [
    "CommandLineArgs",
    "get_config",
    "json_object_to_json_string",
    "json_string_to_json_object",
    "read_jsonfile",
    "write_jsonfile",
    "remove_stale_temp_files",
    "to_json_compatible",
    "write_atomically",
    "read_textfile",
    "write_textfile",
    "read_picklefile",
    "write_picklefile",
    "path_prefix",
    "join_paths",
    "path_exists",
    "file_exists",
    "folder_exists",
    "delete_file",
    "create_folder",
    "delete_folder",
    "list_paths",
    "list_files",
    "list_folders",
    "sleep",
    "run_bash_command",
    "convert_between_time_units",
    "convert_between_byte_units",
    "extract_simple_name",
    "SequenceTracker",
    "TimerManager",
]
