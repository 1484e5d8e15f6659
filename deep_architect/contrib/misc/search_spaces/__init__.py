"""Search spaces from the literature, written once for every backend."""
