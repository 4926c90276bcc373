"""Matching: rank sites and organisations of the public registry for a sponsor's need.

The scoring rules are in ``README.md`` beside this file. ``index.py`` builds a compact NumPy index
from the database, ``engine.py`` scores with it, ``reference.py`` is the plain-Python statement of the
same rules that the property tests compare the engine against.
"""
