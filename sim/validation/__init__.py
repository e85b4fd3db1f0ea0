"""Empirical grounding: the stylised facts of shared/EVIDENCE.md as checks, and the calibration.

- ``checks``    the checks: a metric per replication, a band from the source, a pass rule;
- ``data``      the runs they need (presets and ablations on shared seeds, via the experiment engine);
- ``report``    the table, docs/VALIDATION.md and its figures;
- ``cli``       ``govsim validate``;
- ``calibrate`` ``python -m sim.validation.calibrate``: experiments/calibration.yaml → docs/CALIBRATION.md.
"""
