"""Inline search spaces in PyTorch modules."""
from __future__ import annotations

import io
import json
import os
import pickle
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.pytorch_model_space as pms  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
import deep_architect.search_logging as sl  # noqa: E402
import deep_architect.searchers.common as seco  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples", "inline_model_space"))
from searchable_net import DigitsEvaluator, SearchableNet  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny networks train many times faster on one thread on a shared machine.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def space(cls, *args, **kwargs):
    return mo.SearchSpaceFactory(cls.search_space_fn(*args, **kwargs)).get_search_space()


def sample(cls, values=None, seed=0):
    inputs, outputs = space(cls)
    if values is None:
        values = seco.random_specify(outputs, np.random.default_rng(seed))
    else:
        seco.specify(outputs, values)
    return inputs, outputs, values


class Blocks(pms.ModelSpace):
    """A Repeat with per-block choices, a lazy LayerChoice and an InputChoice."""

    def __init__(self):
        super().__init__()
        self.stem = pms.MutableLinear(4, 8)
        self.blocks = pms.Repeat(
            lambda i: pms.MutableLinear(8, 8, bias=pms.choice("bias_%d" % i, [True, False])),
            [1, 2, 3], label="depth")
        self.op = pms.LayerChoice([lambda: nn.Identity(),
                                   lambda: pms.MutableDropout(pms.choice("rate", [0.1, 0.5]))],
                                  label="op")
        self.merge = pms.InputChoice(3, 2, label="merge")

    def forward(self, x):
        a = self.stem(x)
        b = self.blocks(a)
        return self.merge([a, b, self.op(b)])


def test_searchable_net_samples_a_plain_model_of_the_users_class():
    inputs, outputs, values = sample(SearchableNet, seed=3)
    model = pms.get_model(outputs)
    assert type(model) is SearchableNet
    assert [type(m) for m in model.children()] == [nn.Conv2d, nn.Conv2d, nn.Conv2d,
                                                   type(model.pool), nn.Linear]
    assert type(model.pool) in (nn.MaxPool2d, nn.AvgPool2d)
    labeled = pms.get_labeled_values(outputs)
    assert list(labeled) == ["conv1_ks", "mid_channels", "pool"]
    assert list(labeled.values()) == values
    # The shared channel count keeps conv2 and conv3 consistent.
    assert model.conv2.out_channels == model.conv3.in_channels == labeled["mid_channels"]
    assert model.conv1.kernel_size == (labeled["conv1_ks"],) * 2
    assert model.conv1.padding == (labeled["conv1_ks"] // 2,) * 2
    # The hyperparameters carry the labels as names, in the graph and in jsonify.
    names = [h.get_name() for h in co.get_all_hyperparameters(outputs)]
    assert sorted(names) == ["H.conv1_ks-0", "H.mid_channels-0", "H.pool-0"]
    description = co.jsonify(inputs, outputs)
    module = description["modules"]["M.SearchableNet-0"]
    assert module["hyperp_name_to_val"] == labeled
    assert not any(p.is_meta for p in model.parameters())


def test_value_lists_replay_with_specify_after_a_json_round_trip():
    for seed in range(6):
        _, outputs, values = sample(SearchableNet, seed=seed)
        replayed = pms.instantiate(SearchableNet.search_space_fn(),
                                   json.loads(json.dumps(values)))
        original = pms.get_model(outputs)
        assert str(replayed) == str(original)
        assert {k: v.shape for k, v in replayed.state_dict().items()} == {
            k: v.shape for k, v in original.state_dict().items()}


def test_the_model_trains_and_exports_like_any_model():
    torch.manual_seed(0)
    model = pms.instantiate(SearchableNet.search_space_fn(), [5, 16, "avg"])
    x, y = torch.randn(32, 1, 8, 8), torch.randint(0, 10, (32,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    with warnings.catch_warnings():  # TorchScript is deprecated in favour of torch.export
        warnings.simplefilter("ignore", DeprecationWarning)
        buffer = io.BytesIO()
        torch.jit.save(torch.jit.trace(model, x[:2]), buffer)
        buffer.seek(0)
        exported = torch.jit.load(buffer)
    assert torch.allclose(exported(x), model(x))
    copy = pms.instantiate(SearchableNet.search_space_fn(), [5, 16, "avg"])
    copy.load_state_dict(model.state_dict())
    assert torch.allclose(copy.eval()(x), model(x))


def test_graph_forward_runs_the_model_and_pytorch_model_wraps_it():
    import deep_architect.helpers.pytorch_support as hpt

    inputs, outputs, _ = sample(SearchableNet, [3, 8, "max"])
    x = torch.randn(4, 1, 8, 8)
    wrapped = hpt.PyTorchModel(inputs, outputs, {"in": x})
    assert torch.equal(wrapped({"in": x})["out"], pms.get_model(outputs)(x))
    assert len(list(wrapped.parameters())) == len(list(pms.get_model(outputs).parameters()))


def test_a_label_used_twice_is_one_hyperparameter():
    class Shared(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            width = pms.choice("width", [4, 8])
            self.a = pms.MutableLinear(2, width)
            self.b = pms.MutableLinear(pms.choice("width", [4, 8]), 3 * width + 1)

    _, outputs, values = sample(Shared, [8])
    model = pms.get_model(outputs)
    assert values == [8] and model.a.out_features == model.b.in_features == 8
    assert model.b.out_features == 25


def test_structural_choices_ask_only_for_the_decisions_that_matter():
    _, outputs, values = sample(Blocks, [2, True, False, 0, [0, 2]])
    labeled = pms.get_labeled_values(outputs)
    assert labeled == {"depth": 2, "bias_0": True, "bias_1": False, "op": 0, "merge": [0, 2]}
    model = pms.get_model(outputs)
    assert len(model.blocks) == 2 and model.blocks[1].bias is None
    assert isinstance(model.op, nn.Identity)
    x = torch.randn(5, 4)
    a = model.stem(x)
    assert torch.allclose(model(x), a + model.blocks(a))
    # The dropout rate exists only when its candidate is chosen.
    _, outputs, _ = sample(Blocks, [1, True, 1, 0.5, [1, 2]])
    assert pms.get_model(outputs).op.p == 0.5
    assert "rate" in pms.get_labeled_values(outputs)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2 ** 31 - 1))
def test_every_random_sample_replays_to_the_same_model(seed):
    co.Scope.reset_default_scope()
    _, outputs, values = sample(Blocks, seed=seed)
    labeled = pms.get_labeled_values(outputs)
    depth = labeled["depth"]
    assert len(values) == depth + 3 + (labeled["op"] == 1)
    assert all("bias_%d" % i in labeled for i in range(depth))
    replayed = pms.instantiate(Blocks.search_space_fn(), values)
    assert str(replayed) == str(pms.get_model(outputs))


def test_construction_happens_on_the_meta_device_until_the_model_is_needed():
    built = []

    class Recording(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.fc = pms.MutableLinear(2, pms.choice("units", [3, 4]))
            self.head = pms.MutableLinear(2, pms.choice("head", [1, 2]))
            built.append(self.fc.weight.is_meta)

    _, outputs, _ = sample(Recording, [3, 2])
    assert built == [True]  # one probe per decision, the last one complete
    pms.get_model(outputs)
    pms.get_model(outputs)
    assert built == [True, False]


def test_a_value_error_in_init_rejects_the_architecture_and_searchers_resample():
    from deep_architect.searchers.random import RandomSearcher

    class Picky(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            a = pms.current_value(pms.choice("a", [1, 2, 3]))
            if a == 2:
                raise ValueError("a=2 is not a valid architecture")
            self.fc = pms.MutableLinear(a, 1)

    np.random.seed(0)
    searcher = RandomSearcher(Picky.search_space_fn())
    seen = {searcher.sample()[2][0] for _ in range(30)}
    assert seen == {1, 3}


def test_the_search_space_function_pickles():
    fn = pickle.loads(pickle.dumps(SearchableNet.search_space_fn(num_classes=3)))
    model = pms.instantiate(fn, [3, 8, "max"])
    assert model.head.out_features == 3


def test_choice_outside_a_model_space_names_the_label():
    with pytest.raises(DeepArchitectError, match="choice\\('width'\\).*outside"):
        pms.choice("width", [1, 2])

    class Direct(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.fc = pms.MutableLinear(2, pms.choice("units", [3, 4]))

    with pytest.raises(DeepArchitectError, match="'units'"):
        Direct()


def test_duplicate_labels_with_different_values_are_rejected_by_name():
    class Clash(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.a = pms.MutableLinear(2, pms.choice("width", [4, 8]))
            self.b = pms.MutableLinear(2, pms.choice("width", [4, 16]))

    with pytest.raises(DeepArchitectError, match="'width'.*\\[4, 8\\].*\\[4, 16\\]"):
        sample(Clash, [4])

    class ClashWithLayerChoice(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.a = pms.MutableLinear(2, pms.choice("op", [4, 8]))
            self.op = pms.LayerChoice([nn.ReLU(), nn.Tanh()], label="op")

    with pytest.raises(DeepArchitectError, match="'op'"):
        sample(ClashWithLayerChoice, [4, 0])


def test_an_unresolved_layer_choice_in_forward_names_its_label():
    layer = pms.LayerChoice([nn.ReLU(), nn.Tanh()], label="activation")
    with pytest.raises(DeepArchitectError,
                       match="LayerChoice .activation.*before it was resolved"):
        layer(torch.zeros(2))
    repeat = pms.Repeat(lambda i: nn.ReLU(), [1, 2], label="depth")
    with pytest.raises(DeepArchitectError, match="Repeat 'depth'"):
        repeat(torch.zeros(2))


def test_bad_arguments_and_unspecified_spaces_get_messages():
    class BadDepth(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.r = pms.Repeat(nn.ReLU(), [1, -1], label="depth")

    with pytest.raises(DeepArchitectError, match="Repeat\\('depth'\\).*non-negative"):
        space(BadDepth)

    class EmptyChoice(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            pms.choice("nothing", [])

    with pytest.raises(DeepArchitectError, match="'nothing'.*non-empty"):
        space(EmptyChoice)
    _, outputs = space(SearchableNet)
    with pytest.raises(DeepArchitectError, match="not fully specified.*H.conv1_ks-0"):
        pms.get_model(outputs)
    with pytest.raises(DeepArchitectError, match="does not fit|needs more"):
        pms.instantiate(SearchableNet.search_space_fn(), [3, 8])
    with pytest.raises(DeepArchitectError, match="not a subclass of ModelSpace"):
        pms.ModelSpace.search_space_fn.__func__(nn.Linear)


@pytest.mark.parametrize("searcher_name", ["random", "mcts", "smbo", "evolution"])
def test_searchable_net_under_run_search_on_digits_logs_read_back(searcher_name, tmp_path):
    import searcher_toys

    np.random.seed(0)
    space_fn = SearchableNet.search_space_fn()
    searcher = searcher_toys.make_searcher(searcher_name, space_fn)
    results = run_search(searcher, lambda: DigitsEvaluator(num_epochs=1), 3,
                         str(tmp_path), "net", show_progress=False)
    logs = sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "net"))
    assert [log["results"] for log in logs] == results and len(logs) == 3
    for log in logs:
        assert 0.0 <= log["results"]["validation_accuracy"] <= 1.0
        model = pms.instantiate(space_fn, log["config"]["hyperp_value_lst"])
        assert type(model) is SearchableNet
    # A one-epoch network learns digits well beyond chance (0.1).
    assert max(r["validation_accuracy"] for r in results) > 0.3


class Ranged(pms.ModelSpace):
    """Range decisions: an integer width on a log scale and a dropout rate."""

    def __init__(self):
        super().__init__()
        width = pms.int_range("width", 4, 64, log=True)
        self.fc1 = pms.MutableLinear(3, width)
        self.drop = pms.MutableDropout(pms.float_range("rate", 0.0, 0.5))
        self.fc2 = pms.MutableLinear(width, 2)

    def forward(self, x):
        return self.fc2(self.drop(self.fc1(x)))


def test_range_decisions_sample_inside_their_ranges_and_replay():
    import deep_architect.hyperparameters as hp

    _, outputs = space(Ranged)
    first = next(co.unassigned_independent_hyperparameter_iterator(outputs))
    assert isinstance(first, hp.Int) and first.get_name() == "H.width-0"
    for seed in range(10):
        _, outputs, values = sample(Ranged, seed=seed)
        width, rate = values
        assert isinstance(width, int) and 4 <= width <= 64 and 0.0 <= rate <= 0.5
        model = pms.instantiate(Ranged.search_space_fn(), json.loads(json.dumps(values)))
        assert model.fc1.out_features == model.fc2.in_features == width
        assert model.drop.p == rate
    with pytest.raises(DeepArchitectError, match="H.width-0.*not in the range"):
        pms.instantiate(Ranged.search_space_fn(), [65, 0.1])


def test_range_decisions_reject_bad_ranges_and_clashing_definitions():
    class BadRange(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            pms.int_range("width", 8, 4)

    with pytest.raises(DeepArchitectError, match="low must not exceed high"):
        space(BadRange)

    class Clash(pms.ModelSpace):
        def __init__(self):
            super().__init__()
            self.a = pms.MutableLinear(2, pms.int_range("width", 4, 8))
            self.b = pms.MutableLinear(2, pms.int_range("width", 4, 16))

    with pytest.raises(DeepArchitectError, match="'width'.*int_range"):
        sample(Clash, [4])
