"""Predicted latency on a device: kernels as a runtime executes them, a calibrated
per-kind roofline for each, and the micro-benchmarks that calibrate it (docs/latency.md)."""
