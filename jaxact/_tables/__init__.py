"""Tables that need mpmath, as generated modules: the lowest floor (they import nothing).

Each module is written by ``python -m jaxact._tables.generate`` (see that module), its
values as hex floats, bit exact; ``tests/test_tables.py`` regenerates a few rows. Constants
that exact rational or decimal arithmetic gives are computed in the families instead, at
first trace.
"""
