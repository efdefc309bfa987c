"""All I/O of the workers: database, e-mail, calendar files, Temporal visibility."""
