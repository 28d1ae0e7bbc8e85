"""One module per exercise, each with ``CHECKS: list[perflab.checking.Check]``."""
