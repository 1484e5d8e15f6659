#!/usr/bin/env bash
# Usage (from the repository root): bash examples/simplest_multiworker/run.sh <config_name> <num_workers>
# Runs the master, which logs every configuration, then <num_workers> workers in
# parallel. On a multi-GPU machine, give each worker its own GPU, e.g. prefix
# the worker command with CUDA_VISIBLE_DEVICES=$worker_id.
set -e
config_filepath="examples/simplest_multiworker/configs/$1.json"
num_workers="$2"
python examples/simplest_multiworker/master.py --config_filepath "$config_filepath"
pids=()
for ((worker_id = 0; worker_id < num_workers; worker_id++)); do
    python examples/simplest_multiworker/worker.py --config_filepath "$config_filepath" \
        --worker_id "$worker_id" --num_workers "$num_workers" &
    pids+=("$!")
done
for pid in "${pids[@]}"; do
    wait "$pid"
done
