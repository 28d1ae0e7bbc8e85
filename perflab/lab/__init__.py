"""The lab: what lessons measure against (fakes, engines, workloads, small apps) and how they time it."""
