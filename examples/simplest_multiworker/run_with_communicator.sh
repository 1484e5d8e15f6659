#!/usr/bin/env bash
# Usage (from the repository root):
#   bash examples/simplest_multiworker/run_with_communicator.sh <config_name> <file|mpi> <num_workers>
# Starts one master and <num_workers> workers with the chosen communicator.
set -e
config_filepath="examples/simplest_multiworker/configs/$1.json"
comm="$2"
num_procs=$(($3 + 1))
script=examples/simplest_multiworker/search_with_communicator.py
if [ "$comm" = "mpi" ]; then
    mpiexec -n "$num_procs" python "$script" --config_filepath "$config_filepath" --comm mpi
else
    folderpath=$(python -c "import json, sys; c = json.load(open(sys.argv[1])); print(c['folderpath'] + '/' + c['search_name'] + '_file_comm')" "$config_filepath")
    rm -rf "$folderpath"  # mailboxes of a previous search
    pids=()
    for ((i = 0; i < num_procs; i++)); do
        python "$script" --config_filepath "$config_filepath" --comm file --num_procs "$num_procs" &
        pids+=("$!")
        # The first process to join becomes the master: wait until it has joined.
        if [ "$i" = 0 ]; then
            until [ -s "$folderpath/init" ]; do sleep 0.1; done
        fi
    done
    for pid in "${pids[@]}"; do
        wait "$pid"
    done
fi
