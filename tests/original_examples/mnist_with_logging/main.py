# The original's examples/mnist_with_logging/main.py (data loading aside: tiny_data).
from __future__ import annotations

import deep_architect.utils as ut


def main(config):
    from tiny_data import load_mnist

    import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn
    import deep_architect.search_logging as sl
    import deep_architect.searchers.random as se
    import deep_architect.visualization as vi
    from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
    from deep_architect.contrib.misc.evaluators.tensorflow.classification import (
        SimpleClassifierEvaluator,
    )

    num_classes = 10
    num_samples = config['num_samples']
    (Xtrain, ytrain, Xval, yval, Xtest, ytest) = load_mnist('data/mnist')
    train_dataset = InMemoryDataset(Xtrain, ytrain, True)
    val_dataset = InMemoryDataset(Xval, yval, False)
    test_dataset = InMemoryDataset(Xtest, ytest, False)
    evaluator = SimpleClassifierEvaluator(
        train_dataset,
        val_dataset,
        num_classes,
        './temp',
        max_eval_time_in_minutes=config['max_eval_time_in_minutes'],
        log_output_to_terminal=True,
        test_dataset=test_dataset)
    search_space_fn = lambda: dnn.dnn_net(num_classes)
    searcher = se.RandomSearcher(search_space_fn)

    sl.create_search_folderpath(config['folderpath'],
                                config['search_name'],
                                delete_if_exists=config['delete_if_exists'],
                                abort_if_exists=False,
                                create_parent_folders=True)

    for evaluation_id in range(num_samples):
        evaluation_logger = sl.EvaluationLogger(config['folderpath'],
                                                config['search_name'], evaluation_id)
        if not evaluation_logger.config_exists():
            (inputs, outputs, hyperp_value_lst,
             searcher_eval_token) = searcher.sample()
            results = evaluator.eval(inputs, outputs)
            evaluation_logger.log_config(hyperp_value_lst, searcher_eval_token)
            evaluation_logger.log_results(results)
            vi.draw_graph(
                outputs,
                draw_module_hyperparameter_info=True,
                print_to_screen=False,
                out_folderpath=evaluation_logger.get_evaluation_data_folderpath())
            searcher.update(results['validation_accuracy'], searcher_eval_token)


if __name__ == '__main__':
    cmd = ut.CommandLineArgs()
    cmd.add('config_filepath', 'str')
    out = cmd.parse()
    cfg = ut.read_jsonfile(out['config_filepath'])

    # Select the GPU before TensorFlow is imported.
    if cfg['use_gpu']:
        import deep_architect.contrib.misc.gpu_utils as gpu_utils
        gpu_id = gpu_utils.get_available_gpu(0.1, 5.0)
        print("Using GPU %d" % gpu_id)
        assert gpu_id is not None
        gpu_utils.set_visible_gpus([gpu_id])

    main(cfg)
