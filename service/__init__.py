"""Client-side operations: one function per operation, called by cli/ now and an HTTP API later."""
