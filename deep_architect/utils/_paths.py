"""Paths and folders: existence checks, creation, deletion and sorted listings."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from deep_architect.errors import check


def path_prefix(path: str) -> str:
    """Returns the parent part of ``path`` (``''`` for a bare name)."""
    return os.path.split(path)[0]


def join_paths(paths: Sequence[str]) -> str:
    """Joins the path components of the single list or tuple ``paths``."""
    check(
        isinstance(paths, (list, tuple)),
        "join_paths takes one list or tuple of path components, got %r",
        paths,
    )
    return os.path.join(*paths)


def path_exists(path: str) -> bool:
    """Whether anything exists at ``path``."""
    return os.path.exists(path)


def file_exists(path: str) -> bool:
    """Whether a file exists at ``path``."""
    return os.path.isfile(path)


def folder_exists(path: str) -> bool:
    """Whether a folder exists at ``path``."""
    return os.path.isdir(path)


def delete_file(filepath: str, abort_if_notexists: bool = True) -> None:
    """Deletes a file.

    Args:
        filepath: Path of the file.
        abort_if_notexists: Whether a missing file is an error.
    """
    check(
        not abort_if_notexists or file_exists(filepath),
        f"delete_file: no file at {filepath!r}",
    )
    if file_exists(filepath):
        os.remove(filepath)


def create_folder(
    folderpath: str, abort_if_exists: bool = True, create_parent_folders: bool = False
) -> None:
    """Creates a folder.

    A bare relative name has the current directory as its parent.

    Args:
        folderpath: Path of the folder to create.
        abort_if_exists: Whether an existing folder is an error.
        create_parent_folders: Whether to create missing parent folders.

    Raises:
        DeepArchitectError: If a file is in the way, the parent folder is
            missing and not to be created, or the folder exists and
            ``abort_if_exists``.
    """
    check(not file_exists(folderpath), f"create_folder: {folderpath!r} is a file")
    parent = path_prefix(folderpath) or "."
    check(
        create_parent_folders or folder_exists(parent),
        f"create_folder: parent folder {parent!r} of {folderpath!r} does not exist "
        "(pass create_parent_folders=True to create it)",
    )
    check(
        not (abort_if_exists and folder_exists(folderpath)),
        f"create_folder: folder {folderpath!r} already exists",
    )
    os.makedirs(folderpath, exist_ok=True)


def delete_folder(
    folderpath: str, abort_if_nonempty: bool = True, abort_if_notexists: bool = True
) -> None:
    """Deletes a folder.

    Args:
        folderpath: Path of the folder.
        abort_if_nonempty: Whether a non-empty folder is an error (otherwise it
            is removed recursively).
        abort_if_notexists: Whether a missing folder is an error.
    """
    if not folder_exists(folderpath):
        check(not abort_if_notexists, f"delete_folder: no folder at {folderpath!r}")
        return
    check(
        not (abort_if_nonempty and os.listdir(folderpath)),
        f"delete_folder: folder {folderpath!r} is not empty",
    )
    shutil.rmtree(folderpath)


def list_paths(
    folderpath: str,
    ignore_files: bool = False,
    ignore_dirs: bool = False,
    ignore_hidden_folders: bool = True,
    ignore_hidden_files: bool = True,
    ignore_file_exts: str | Sequence[str] | None = None,
    recursive: bool = False,
    use_relative_paths: bool = False,
) -> list[str]:
    """Lists the files and folders inside a folder, in sorted order.

    Within each visited folder, files come before folders. Hidden folders are
    neither listed nor descended into when ``ignore_hidden_folders``.

    Args:
        folderpath: The folder to list.
        ignore_files: Whether to leave files out.
        ignore_dirs: Whether to leave folders out.
        ignore_hidden_folders: Whether to skip folders whose name starts with ``.``.
        ignore_hidden_files: Whether to skip files whose name starts with ``.``.
        ignore_file_exts: Endings (e.g. ``'.tmp'``) of files to leave out.
        recursive: Whether to descend into subfolders.
        use_relative_paths: Whether to return paths relative to ``folderpath``
            (``'./a.txt'`` at the top level, ``'sub/b.txt'`` below it).

    Returns:
        The listed paths.

    Raises:
        DeepArchitectError: If ``folderpath`` is not an existing folder.
    """
    check(folder_exists(folderpath), f"list_paths: no folder at {folderpath!r}")
    if isinstance(ignore_file_exts, str):
        ignore_file_exts = [ignore_file_exts]
    exts = tuple(ignore_file_exts or ())
    out = []
    for root, dirnames, filenames in os.walk(folderpath):
        if ignore_hidden_folders:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()  # os.walk descends in this (now sorted) order
        prefix = os.path.relpath(root, folderpath) if use_relative_paths else root
        if not ignore_files:
            out.extend(
                os.path.join(prefix, name)
                for name in sorted(filenames)
                if not (ignore_hidden_files and name.startswith("."))
                and not (exts and name.endswith(exts))
            )
        if not ignore_dirs:
            out.extend(os.path.join(prefix, name) for name in dirnames)
        if not recursive:
            break
    return out


def list_files(folderpath: str, ignore_hidden_folders: bool = True,
               ignore_hidden_files: bool = True,
               ignore_file_exts: str | Sequence[str] | None = None, recursive: bool = False,
               use_relative_paths: bool = False) -> list[str]:
    """Lists the files inside a folder; see :func:`list_paths`."""
    return list_paths(folderpath, ignore_dirs=True, ignore_hidden_folders=ignore_hidden_folders,
                      ignore_hidden_files=ignore_hidden_files, ignore_file_exts=ignore_file_exts,
                      recursive=recursive, use_relative_paths=use_relative_paths)


def list_folders(folderpath: str, ignore_hidden_folders: bool = True, recursive: bool = False,
                 use_relative_paths: bool = False) -> list[str]:
    """Lists the folders inside a folder; see :func:`list_paths`."""
    return list_paths(folderpath, ignore_files=True, ignore_hidden_folders=ignore_hidden_folders,
                      recursive=recursive, use_relative_paths=use_relative_paths)
