"""The checks of each exercise, one module per exercise id, each with ``CHECKS: list[Check]``.

Modules whose names start with ``_`` hold what several exercises' checks share:
``_fresh`` (the learner's source, run again here or in a fresh process), ``_inprocess``
(the learner's app called with no socket) and ``_shared`` (a shared server, JSON compared type
for type). They belong to no exercise, and ``perflab dev check`` does not count them as strays.
"""
