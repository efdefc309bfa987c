"""The secretariat's command line: thin, it parses, calls service/ (harness/ for simulate, drill,
demo and server) and prints."""
