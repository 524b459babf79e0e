"""The numeric layer: spectral sums and measures, power-law spectra, the effective
regularisation kappa, the evaluation of formulas and pipelines with NumPy (and mpmath), and what
is built on them (``predict``, optimal ridge, thresholds).  Imports the symbolic layer and below."""
