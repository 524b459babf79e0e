"""Numerical building blocks: spectral measures for sums over a spectrum (:mod:`.measure`)."""
