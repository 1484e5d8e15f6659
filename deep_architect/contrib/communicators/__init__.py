"""Master-worker communication over files, MPI or MongoDB."""
