"""deep_architect: modular, programmable architecture search."""

__version__ = "0.1.0"
