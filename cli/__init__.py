"""The secretariat's command line: thin, it parses, calls service/ and prints."""
