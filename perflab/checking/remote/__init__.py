"""Judge and subject: checks run in one process, the learner's code in another, confined one."""
