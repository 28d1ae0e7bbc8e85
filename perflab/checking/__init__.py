"""Checking: the check engine, the manifest, learner code, the sandbox, the notebook and terminal commands."""
