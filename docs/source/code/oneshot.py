"""One-shot search: a supernet from an ordinary search space (tutorial code).

Run: python docs/source/code/oneshot.py (needs PyTorch and scikit-learn).
"""
# [space]
import numpy as np
import torch
from torch import nn

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.contrib.misc.datasets.loaders import load_digits
from deep_architect.searchers.common import specify


def layer(fn, **kwargs):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(fn, kwargs)


def search_space():
    h_act = hp.Discrete(["relu", "tanh"], name="activation")  # shared by every block
    activations = {"relu": lambda: layer(nn.ReLU), "tanh": lambda: layer(nn.Tanh)}

    def block():
        return mo.siso_sequential([
            layer(nn.Linear, in_features=32, out_features=32),
            mo.siso_or(activations, h_act),
            mo.siso_optional(lambda: layer(nn.Dropout, p=0.2), hp.Bool(name="dropout")),
        ])
    return mo.siso_sequential([
        layer(nn.Linear, in_features=64, out_features=32),
        mo.siso_repeat(block, hp.Discrete([1, 2, 3], name="depth")),
        layer(nn.Linear, in_features=32, out_features=10),
    ])
# [space end]


torch.manual_seed(0)
torch.set_num_threads(1)
x_train, y_train, x_val, y_val, _, _ = (torch.as_tensor(a) for a in
                                        load_digits(flatten=True, one_hot=False))

# [supernet]
from deep_architect.oneshot import Supernet  # noqa: E402

supernet = Supernet(search_space, {"in": x_train[:2]})
print("decisions:", [h.get_name() for h in supernet.decisions])
print("alphas:", [tuple(a.shape) for a in supernet.arch_parameters()])
# [supernet end]

# [darts]
from deep_architect.oneshot import DartsTrainer  # noqa: E402

trainer = DartsTrainer(
    supernet,
    torch.optim.SGD(supernet.weight_parameters(), lr=0.05, momentum=0.9),
    torch.optim.Adam(supernet.arch_parameters(), lr=0.05),
    nn.functional.cross_entropy)
half = len(y_train) // 2
for _ in range(15):  # epochs
    order = torch.randperm(half)
    for i in range(0, half, 64):
        idx = order[i:i + 64]
        trainer.step((x_train[idx], y_train[idx]), (x_train[half + idx], y_train[half + idx]))
derived = supernet.derive()
print("derived value list:", derived.values)
# [darts end]

# [replay]
inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
specify(outputs, derived.values)
model = hpt.PyTorchModel(inputs, outputs, {"in": x_train[:2]})  # train it from scratch
inherited = supernet.child(derived.values).eval()  # or start from the supernet's weights
accuracy = (inherited({"in": x_val})["out"].argmax(1) == y_val).float().mean().item()
print("derived architecture with inherited weights: validation accuracy %.2f" % accuracy)
# [replay end]

# [weight sharing]
import tempfile  # noqa: E402

from deep_architect.oneshot import WeightSharingEvaluator  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402

shared = Supernet(search_space, {"in": x_train[:2]})
optimizer = torch.optim.SGD(shared.weight_parameters(), lr=0.05, momentum=0.9)
rng = np.random.default_rng(0)
for _ in range(10):  # epochs
    for i in range(0, len(y_train), 64):
        shared.sample_path(rng)  # one architecture per step
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(shared.predict(x_train[i:i + 64]),
                                           y_train[i:i + 64])
        loss.backward()
        optimizer.step()
shared.clear_path()
evaluator = WeightSharingEvaluator(shared, (x_val, y_val))
results = run_search(RandomSearcher(search_space), lambda: evaluator, 12,
                     tempfile.mkdtemp(), "weight_sharing", show_progress=False)
best = max(results, key=lambda r: r["validation_accuracy"])
print("weight sharing: best of 12 architectures, validation accuracy %.2f"
      % best["validation_accuracy"])
# [weight sharing end]

# [darts cell]
from deep_architect.contrib.misc.search_spaces.darts_space import darts_network  # noqa: E402

cell_supernet = Supernet(lambda: darts_network(num_cells=1, channels=2),
                         {"in": torch.zeros(2, 1, 8, 8)})
cell = cell_supernet.derive(top_k_inputs=2).values  # two inputs per node, as in DARTS
print("DARTS cell: %d edges, %d kept" % (len(cell), sum(v != "none" for v in cell
                                                       if isinstance(v, str))))
# [darts cell end]
