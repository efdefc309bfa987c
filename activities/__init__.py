"""All I/O of the workers as activities: the record store (store/), the notices and calendar
files (notices/), and starting workflows; each implements its declaration in contracts.py."""
