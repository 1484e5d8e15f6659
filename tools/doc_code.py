"""Tools that keep the Python code of the documentation runnable.

The README (Markdown) and the tutorials (reStructuredText) contain Python code
blocks. This module finds them, writes them to a sibling ``.py`` file so they
can be edited and run as one script, and writes edited code back into the
document. Blocks are separated in the ``.py`` file by a line holding only
:data:`MARKER`.

Recognised blocks:

* Markdown: fenced blocks opened by a line of three or more backticks followed
  by ``python`` or ``py``, closed by a line of at least as many backticks.
* reStructuredText: the directives ``.. code:: python``,
  ``.. code-block:: python`` and ``.. sourcecode:: python``; the block is the
  indented body after the directive's options, dedented.

Command line::

    python tools/doc_code.py extract README.md   # writes README.py
    python tools/doc_code.py update README.md    # README.py -> README.md
    python tools/doc_code.py run README.md       # runs every block as one script
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import runpy
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence

from deep_architect.errors import check

MARKER = "### (((CODE-BELOW))) ###"
"""Line that separates two code blocks in an extracted ``.py`` file."""

_MD_OPEN = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,})[ \t]*(?:python3?|py)\b[^`]*$")
_RST_DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)\.\.[ ]+(?:code|code-block|sourcecode)::[ \t]+(?:python|py|python3)[ \t]*$"
)
_RST_OPTION = re.compile(r"^[ \t]+:[\w-]+:")


@dataclasses.dataclass(frozen=True)
class CodeBlock:
    """A Python code block found in a document.

    Attributes:
        start: Index of the first line of code (0-based, in ``text.splitlines()``).
        end: Index one past the last line of code.
        indent: Indentation that the document puts in front of every code line.
        code: The code itself, without the document's indentation, ending in a newline
            (empty string for an empty block).
    """

    start: int
    end: int
    indent: str
    code: str


def doc_format(filepath: str) -> str:
    """Returns ``"md"`` or ``"rst"`` according to the extension of ``filepath``.

    Args:
        filepath: Path of a documentation file.

    Raises:
        DeepArchitectError: If the extension is neither ``.md`` nor ``.rst``.
    """
    ext = os.path.splitext(filepath)[1].lower()
    check(
        ext in (".md", ".rst"),
        f"{filepath}: expected a Markdown (.md) or reStructuredText (.rst) file",
    )
    return ext[1:]


def _join(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _scan(lines: Sequence[str], opening: re.Pattern,
          read_block: Callable[[Sequence[str], int, re.Match], tuple[CodeBlock, int]]
          ) -> list[CodeBlock]:
    """The blocks ``read_block(lines, i, match)`` reads at the lines matching ``opening``.

    ``read_block`` returns the block and the index of the line where scanning resumes.
    """
    blocks = []
    i = 0
    while i < len(lines):
        match = opening.match(lines[i])
        if match is None:
            i += 1
            continue
        block, i = read_block(lines, i, match)
        blocks.append(block)
    return blocks


def _read_md_block(lines: Sequence[str], i: int, opening: re.Match) -> tuple[CodeBlock, int]:
    fence, indent = opening.group("fence"), opening.group("indent")
    closing = re.compile(r"^[ ]{0,3}" + fence + r"`*[ \t]*$")
    end = i + 1
    while end < len(lines) and closing.match(lines[end]) is None:
        end += 1
    check(end < len(lines), f"Markdown code block opened on line {i + 1} is never closed")
    # CommonMark removes up to the fence's own indentation from each line.
    body = [line[len(indent):] if line.startswith(indent) else line.lstrip(" ")
            for line in lines[i + 1:end]]
    return CodeBlock(i + 1, end, indent, _join(body)), end + 1


def _read_rst_block(lines: Sequence[str], i: int, directive: re.Match) -> tuple[CodeBlock, int]:
    base = len(directive.group("indent"))
    start = i + 1
    while start < len(lines) and _RST_OPTION.match(lines[start]):
        start += 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > base
    ):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    body = lines[start:end]
    code = textwrap.dedent(_join(body))
    # An empty body gets the indentation a directive body would have.
    indent = " " * (base + 3)
    if body:
        width = min(len(line) - len(line.lstrip()) for line in body if line.strip())
        indent = body[0][:width]  # body[0] is never blank: leading blanks were skipped
    return CodeBlock(start, end, indent, code), max(end, i + 1)


def find_code_blocks(text: str, fmt: str) -> list[CodeBlock]:
    """Finds the Python code blocks of a document.

    Args:
        text: The document.
        fmt: ``"md"`` or ``"rst"``.

    Returns:
        The blocks in document order.

    Raises:
        DeepArchitectError: If ``fmt`` is unknown or a Markdown fence is never closed.
    """
    check(fmt in ("md", "rst"), f"unknown documentation format {fmt!r}; expected 'md' or 'rst'")
    lines = text.splitlines()
    if fmt == "md":
        return _scan(lines, _MD_OPEN, _read_md_block)
    return _scan(lines, _RST_DIRECTIVE, _read_rst_block)


def extract_code(text: str, fmt: str) -> list[str]:
    """Returns the code of every Python block of a document, in order.

    Args:
        text: The document.
        fmt: ``"md"`` or ``"rst"``.
    """
    return [block.code for block in find_code_blocks(text, fmt)]


def join_blocks(codes: Sequence[str]) -> str:
    """Joins code blocks into the text of an extracted ``.py`` file.

    Every block is preceded by a :data:`MARKER` line, so the file can be split
    back with :func:`split_blocks` even when a block is empty.

    Args:
        codes: The code of each block.
    """
    return "".join(f"{MARKER}\n{code}" for code in codes)


def split_blocks(script: str) -> list[str]:
    """Inverse of :func:`join_blocks`.

    Args:
        script: Text of an extracted ``.py`` file.

    Raises:
        DeepArchitectError: If there is code before the first marker line.
    """
    parts = re.split(r"^" + re.escape(MARKER) + r"[ \t]*\n?", script, flags=re.MULTILINE)
    check(
        not parts[0].strip(),
        f"extracted code must start with the line {MARKER!r}; found code before it",
    )
    return [part if not part or part.endswith("\n") else part + "\n" for part in parts[1:]]


def replace_code(text: str, fmt: str, codes: Sequence[str]) -> str:
    """Replaces the Python blocks of a document with new code.

    Args:
        text: The document.
        fmt: ``"md"`` or ``"rst"``.
        codes: New code for each block, in document order.

    Returns:
        The new document; everything outside the blocks is unchanged.

    Raises:
        DeepArchitectError: If the number of blocks differs from ``len(codes)``.
    """
    blocks = find_code_blocks(text, fmt)
    check(
        len(blocks) == len(codes),
        f"the document has {len(blocks)} python code blocks but {len(codes)} were given",
    )
    lines = text.splitlines()
    out: list[str] = []
    prev = 0
    for block, code in zip(blocks, codes):
        out.extend(lines[prev:block.start])
        out.extend(block.indent + line if line.strip() else "" for line in code.splitlines())
        prev = block.end
    out.extend(lines[prev:])
    trailing = "\n" if text.endswith("\n") else ""
    return "\n".join(out) + trailing


def extracted_filepath(doc_filepath: str) -> str:
    """Path of the ``.py`` file that holds the extracted code of a document."""
    return os.path.splitext(doc_filepath)[0] + ".py"


def _read(filepath: str) -> str:
    check(os.path.isfile(filepath), f"{filepath}: no such file")
    with open(filepath, encoding="utf-8") as f:
        return f.read()


def extract_file(doc_filepath: str) -> str:
    """Writes the Python blocks of a document to its sibling ``.py`` file.

    Args:
        doc_filepath: A ``.md`` or ``.rst`` file.

    Returns:
        The path of the written ``.py`` file.
    """
    fmt = doc_format(doc_filepath)
    out_filepath = extracted_filepath(doc_filepath)
    with open(out_filepath, "w", encoding="utf-8") as f:
        f.write(join_blocks(extract_code(_read(doc_filepath), fmt)))
    return out_filepath


def update_file(doc_filepath: str) -> None:
    """Writes the code of the sibling ``.py`` file back into a document, in place.

    Args:
        doc_filepath: A ``.md`` or ``.rst`` file previously processed by :func:`extract_file`.
    """
    fmt = doc_format(doc_filepath)
    codes = split_blocks(_read(extracted_filepath(doc_filepath)))
    new_text = replace_code(_read(doc_filepath), fmt, codes)
    with open(doc_filepath, "w", encoding="utf-8") as f:
        f.write(new_text)


def run_file(doc_filepath: str) -> None:
    """Runs the Python blocks of a document, in order, as one script.

    The script runs in the current process with ``__name__ == "__main__"``;
    exceptions propagate. It is written to a temporary file so that tracebacks
    show the failing lines.

    Args:
        doc_filepath: A ``.md`` or ``.rst`` file.
    """
    code = "\n".join(extract_code(_read(doc_filepath), doc_format(doc_filepath)))
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, os.path.basename(extracted_filepath(doc_filepath)))
        with open(script, "w", encoding="utf-8") as f:
            f.write(code)
        runpy.run_path(script, run_name="__main__")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring).

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python tools/doc_code.py",
        description="Extract, write back or run the python code blocks of a .md/.rst file.",
    )
    parser.add_argument("command", choices=["extract", "update", "run"])
    parser.add_argument("filepath", help="a .md or .rst documentation file")
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(extract_file(args.filepath))
    elif args.command == "update":
        update_file(args.filepath)
    else:
        run_file(args.filepath)
    return 0


if __name__ == "__main__":
    sys.exit(main())
