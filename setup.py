"""Packaging for deep_architect.

The core (graph model, hyperparameters, modules, searchers, surrogates,
logging, utilities) needs only NumPy. Every deep-learning framework is an
optional extra, so users install only the helpers they use.
"""
from setuptools import find_packages, setup

EXTRAS = {
    "torch": ["torch>=2.0"],
    # Keras 3 needs a backend to run anything, and the README example uses
    # scikit-learn's digits: both come with the extra.
    "keras": ["keras>=3.0", "tensorflow-cpu>=2.16; platform_system != 'Darwin'",
              "tensorflow>=2.16; platform_system == 'Darwin'", "scikit-learn>=1.3"],
    "tensorflow": ["tensorflow-cpu>=2.16"],
    "sklearn": ["scikit-learn>=1.3", "scipy>=1.10"],
    "viz": ["graphviz>=0.20", "matplotlib>=3.7"],
    "progress": ["tqdm>=4.60"],
    "distributed": ["ray>=2.9"],
    "optuna": ["optuna>=3.4", "cmaes>=0.10"],
    "mpi": ["mpi4py>=3.1"],
    "filecomm": ["portalocker>=2.0"],
    "mongo": ["pymongo>=4.0"],
    "docs": ["sphinx>=7.0", "furo>=2023.9.10"],
    "test": ["pytest>=7.0", "hypothesis>=6.0", "pytest-timeout>=2.1", "selenium>=4.10"],
}
EXTRAS["all"] = sorted(
    {req for name, reqs in EXTRAS.items() if name != "test" for req in reqs}
)

setup(
    name="deep_architect",
    version="0.1.0",
    description="A modular framework for neural architecture search.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    packages=find_packages(include=["deep_architect", "deep_architect.*"]),
    # The bundled tabular benchmark (contrib/benchmarks) is data inside the package.
    package_data={"deep_architect.contrib.benchmarks": ["*.json.gz"]},
    python_requires=">=3.10",
    install_requires=["numpy>=1.22"],
    extras_require=EXTRAS,
)
