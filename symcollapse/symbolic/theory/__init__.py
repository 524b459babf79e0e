"""Derivations of the paper's results with SymPy; each function returns a :class:`Formula`."""
