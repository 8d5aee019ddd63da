"""scalargrad's neural-network package, built on engine."""
