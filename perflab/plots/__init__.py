"""Plots: the live latency plot, its SVG frames, static charts with alt text, fonts and widgets."""
