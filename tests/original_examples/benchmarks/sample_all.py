# Drives the original's benchmark search spaces and searchers, as its main.py
# intended (that script could not run as shipped): every searcher on the dnn
# space and random search on both, each architecture compiled and run on a
# batch of zeros.
from __future__ import annotations

import sys

import numpy as np
from search_spaces import name_to_search_space_fn
from searchers import name_to_get_searcher_fn

import deep_architect.core as co


def main(num_samples):
    for space_name, get_search_space_fn in sorted(name_to_search_space_fn.items()):
        for searcher_name, get_searcher_fn in sorted(name_to_get_searcher_fn.items()):
            if space_name != 'dnn' and searcher_name != 'random':
                continue
            searcher = get_searcher_fn(get_search_space_fn(10))
            for i in range(num_samples):
                inputs, outputs, _, token = searcher.sample()
                shape = (2, 784) if space_name == 'dnn' else (2, 8, 8, 1)
                co.forward({inputs['in']: np.zeros(shape, np.float32)})
                assert outputs['out'].val.shape == (2, 10)
                searcher.update(0.1 * i, token)
            print(space_name, searcher_name, 'ok')


if __name__ == '__main__':
    main(int(sys.argv[1]))
