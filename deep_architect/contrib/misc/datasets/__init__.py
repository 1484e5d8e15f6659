"""In-memory datasets, loaders and augmentation for the examples."""
