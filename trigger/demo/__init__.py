"""Demonstration data: a fictional county to try the product in (`flask demo load`, `make demo`).

- county.py: the areas, agencies and accounts (passwords printed once);
- stories.py: one case at every stage, built through the product's own services;
- restorative.py: the restorative pathway's questions and a case at each of its steps;
- scale.py: a large generated data set for benchmarks (`--scale N`);
- cli.py: the `flask demo load` command.

Everything here is invented.
"""
