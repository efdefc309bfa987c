"""The four-year term: from the county meetings to the hand-over (TermWorkflow)."""
