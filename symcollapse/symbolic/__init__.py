"""The symbolic layer: symbols, spectral functionals, the SymPy derivations of the theory
(:mod:`.theory`), the catalogue of :class:`~symcollapse.Formula` objects, the errata, the
scaling-law exponent calculus and the pipeline engine's symbolic backend.  Imports only the
pipeline declarations and the private base modules below it."""
