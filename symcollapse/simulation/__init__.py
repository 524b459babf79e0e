"""The simulation layer: Monte-Carlo of the data process a pipeline declares, kernel chains on
real data, sweeps over parameter grids and the statistics that compare theory with simulation.
Imports the numeric layer and below."""
