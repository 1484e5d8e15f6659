"""Command-line configuration: declared arguments and the ``--config_filepath`` convention."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from deep_architect.errors import check
from deep_architect.utils._files import read_jsonfile

_ARGTYPES = {"int": int, "str": str, "float": float}


class CommandLineArgs:
    """A thin wrapper around :class:`argparse.ArgumentParser`.

    Every argument is declared as ``--<argname_prefix><argname>``.

    Args:
        argname_prefix: Prefix prepended to every argument name.

    Attributes:
        parser: The underlying ``argparse.ArgumentParser``.
        argname_prefix: The prefix given at construction.

    Example:
        >>> cmd = CommandLineArgs()
        >>> cmd.add("worker_id", "int")
        >>> cmd.parser.parse_args(["--worker_id", "3"]).worker_id
        3
    """

    def __init__(self, argname_prefix: str = "") -> None:
        self.parser = argparse.ArgumentParser()
        self.argname_prefix = argname_prefix

    def add(
        self,
        argname: str,
        argtype: str,
        default_value: Any = None,
        optional: bool = False,
        help: str | None = None,
        valid_value_lst: Sequence[Any] | None = None,
        list_valued: bool = False,
    ) -> None:
        """Declares the argument ``--<prefix><argname>``.

        A non-optional argument is required even when a default is given.

        Args:
            argname: Name of the argument, without dashes or prefix.
            argtype: One of ``'int'``, ``'str'`` or ``'float'``.
            default_value: Value used when the argument is absent.
            optional: Whether the argument may be omitted.
            help: Help text shown by ``--help``.
            valid_value_lst: If given, the only accepted values.
            list_valued: Whether the argument takes any number of values.

        Raises:
            DeepArchitectError: If ``argtype`` is not a supported type name.
        """
        check(
            argtype in _ARGTYPES,
            f"CommandLineArgs.add: argtype of {argname!r} must be one of "
            f"{sorted(_ARGTYPES)}, got {argtype!r}",
        )
        self.parser.add_argument(
            "--" + self.argname_prefix + argname,
            required=not optional,
            default=default_value,
            nargs="*" if list_valued else None,
            type=_ARGTYPES[argtype],
            choices=valid_value_lst,
            help=help,
        )

    def parse(self) -> dict[str, Any]:
        """Parses ``sys.argv``.

        Returns:
            A dict from argument name (with prefix, without dashes) to value.
        """
        return vars(self.parser.parse_args())

    def get_parser(self) -> argparse.ArgumentParser:
        """Returns the underlying ``argparse.ArgumentParser``."""
        return self.parser


def get_config() -> Any:
    """Reads the JSON file named by the required ``--config_filepath`` argument.

    Any other command-line argument makes argparse exit with an error.

    Returns:
        The parsed content of the JSON file (usually a dict).
    """
    cmd = CommandLineArgs()
    cmd.add("config_filepath", "str")
    return read_jsonfile(cmd.parse()["config_filepath"])
