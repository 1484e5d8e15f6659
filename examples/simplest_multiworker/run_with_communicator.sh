#!/usr/bin/env bash
# Usage (from the repository root):
#   bash examples/simplest_multiworker/run_with_communicator.sh <config_name|config.json> <file|mpi> <num_workers>
# Starts one master and <num_workers> workers with the chosen communicator.
# With the file communicator, if the master dies (a missing optional dependency,
# a bad config, ...) the script says so, stops the workers and exits with an
# error instead of waiting forever; the master must join within
# DA_MASTER_JOIN_TIMEOUT seconds (default 120).
set -e
if [ -f "$1" ]; then config_filepath="$1"; else config_filepath="examples/simplest_multiworker/configs/$1.json"; fi
comm="$2"
num_procs=$(($3 + 1))
script=examples/simplest_multiworker/search_with_communicator.py
if [ "$comm" = "mpi" ]; then
    mpiexec -n "$num_procs" python "$script" --config_filepath "$config_filepath" --comm mpi
else
    folderpath=$(python -c "import json, sys; c = json.load(open(sys.argv[1])); print(c['folderpath'] + '/' + c['search_name'] + '_file_comm')" "$config_filepath")
    rm -rf "$folderpath"  # mailboxes of a previous search
    python "$script" --config_filepath "$config_filepath" --comm file --num_procs "$num_procs" &
    master_pid=$!
    # The first process to join becomes the master: wait until it has joined.
    deadline=$((SECONDS + ${DA_MASTER_JOIN_TIMEOUT:-120}))
    until [ -s "$folderpath/init" ]; do
        if ! kill -0 "$master_pid" 2>/dev/null; then
            status=0; wait "$master_pid" || status=$?
            echo "error: the master exited (status $status) before joining $folderpath; see its error above" >&2
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            kill "$master_pid" 2>/dev/null || true
            echo "error: the master did not join $folderpath within ${DA_MASTER_JOIN_TIMEOUT:-120} s" >&2
            exit 1
        fi
        sleep 0.1
    done
    worker_pids=()
    for ((i = 1; i < num_procs; i++)); do
        python "$script" --config_filepath "$config_filepath" --comm file --num_procs "$num_procs" &
        worker_pids+=("$!")
    done
    status=0; wait "$master_pid" || status=$?
    if [ "$status" != 0 ]; then
        # Workers would wait for work forever: stop them.
        kill "${worker_pids[@]}" 2>/dev/null || true
        wait "${worker_pids[@]}" 2>/dev/null || true
        echo "error: the master failed (status $status); workers stopped; see its error above" >&2
        exit 1
    fi
    for pid in "${worker_pids[@]}"; do
        wait "$pid"
    done
fi
