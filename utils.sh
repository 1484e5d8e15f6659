#!/usr/bin/env bash
# Developer commands for deep_architect.
#
#   bash utils.sh help        list the commands
#   bash utils.sh install     create .venv and install the package with every extra
#   bash utils.sh test        install if needed, then run the whole test suite
#   bash utils.sh demo        install if needed, then run the main example
#   bash utils.sh bench       install if needed, then print the performance benchmarks
#   bash utils.sh docs        install if needed, then build the Sphinx site (warnings are errors)
#
# The file can also be sourced (`source utils.sh`); every command is then a
# shell function named ut_<command> (for example ut_test).

UT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
UT_VENV="$UT_ROOT/.venv"
UT_PY="$UT_VENV/bin/python"

ut_help() {
    cat <<'TXT'
Commands (bash utils.sh COMMAND, or ut_COMMAND after `source utils.sh`):
  install                          create .venv, install torch (CPU) first, then '.[all,test]',
                                   graphviz's dot, chromium (browser tests) and MPI when missing
  test [PYTEST_ARGS...]            install if needed, then run the whole pytest suite
  demo                             install if needed, then run the main example (mnist_with_logging, debug)
  bench                            install if needed, then run every benchmark in tests/perf/
  docs                             install if needed, then build docs/ to HTML with sphinx -W
  run_all_examples                 run every example with its debug config
  extract_python_code_from_docs F  write the python code blocks of a .md/.rst file to a sibling .py
  update_python_code_in_docs F     write the edited sibling .py of a .md/.rst file back into its code blocks
  run_all_doc_code                 run the code blocks of README.md and the tutorials
  lint                             ruff over the package, tests, examples and tools
  help                             this list
TXT
}

_ut_apt_install() {
    # Installs Debian packages when running as root with apt available; silent otherwise.
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
        if [ -z "${_UT_APT_UPDATED:-}" ]; then
            apt-get update -qq >/dev/null 2>&1 || true
            _UT_APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
            || echo "utils.sh: could not install $* with apt-get (tests that need them will skip)"
    else
        echo "utils.sh: apt-get unavailable or not root; install $* yourself for the tests that need them"
    fi
}

ut_install() {
    set -e
    local stamp="$UT_VENV/.deep_architect_installed"
    local want
    want="$(cat "$UT_ROOT/setup.py" "$UT_ROOT/utils.sh" | sha256sum | cut -c1-16)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        set +e
        return 0
    fi
    if [ ! -x "$UT_PY" ]; then
        python3 -m venv "$UT_VENV"
    fi
    "$UT_PY" -m pip install -q --upgrade pip
    # The CPU wheel of torch must come first: an unpinned torch pulls a multi-GB CUDA build.
    # ruff is pinned: a newer release may add checks to the rule sets of pyproject.toml.
    "$UT_PY" -m pip install -q torch==2.13.0
    "$UT_PY" -m pip install -q -e "$UT_ROOT[all,test]" mpich ruff==0.17.6
    command -v dot >/dev/null 2>&1 || _ut_apt_install graphviz
    command -v chromium >/dev/null 2>&1 || _ut_apt_install chromium chromium-driver
    echo "$want" > "$stamp"
    set +e
}

_ut_activate() {
    ut_install || return 1
    export PATH="$UT_VENV/bin:$PATH"
}

ut_test() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_PY" -m pytest -q "$@")
}

ut_demo() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_PY" examples/mnist_with_logging/main.py \
        --config_filepath examples/mnist_with_logging/configs/debug.json)
}

ut_bench() {
    _ut_activate || return 1
    # valgrind counts instructions, a figure that the machine's load does not move.
    command -v valgrind >/dev/null 2>&1 || _ut_apt_install valgrind
    local f
    for f in "$UT_ROOT"/tests/perf/bench_*.py; do
        echo "===== $(basename "$f")"
        # PYTHONPATH: this checkout's package, in worker processes too, whichever
        # checkout the virtual environment has installed in editable mode.
        (cd "$UT_ROOT" && PYTHONPATH="$UT_ROOT${PYTHONPATH:+:$PYTHONPATH}" "$UT_PY" "$f") || return 1
    done
}

ut_docs() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_PY" -m sphinx -W --keep-going -b html docs/source docs/build/html)
}

ut_run_all_examples() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_PY" -m pytest -q tests/test_examples.py)
}

ut_extract_python_code_from_docs() {
    _ut_activate || return 1
    "$UT_PY" "$UT_ROOT/tools/doc_code.py" extract "$1"
}

ut_update_python_code_in_docs() {
    _ut_activate || return 1
    "$UT_PY" "$UT_ROOT/tools/doc_code.py" update "$1"
}

ut_run_all_doc_code() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_PY" -m pytest -q tests/test_doc_code.py)
}

ut_lint() {
    _ut_activate || return 1
    (cd "$UT_ROOT" && "$UT_VENV/bin/ruff" check deep_architect tests examples tools)
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cmd="${1:-help}"
    shift || true
    if declare -F "ut_$cmd" >/dev/null; then
        "ut_$cmd" "$@"
    else
        echo "utils.sh: unknown command '$cmd'" >&2
        ut_help >&2
        exit 2
    fi
fi
