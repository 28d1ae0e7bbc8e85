"""Load: the open-loop load generator, its worker process, its HTTP senders and its results."""
