"""Serving: FastAPI apps in a kernel thread or in worker processes, and called in-process with no socket."""
