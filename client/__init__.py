"""The Temporal gateway of the secretariat's operations: connecting, starting workflows under
their business-key ids, typed updates and queries, and Temporal's errors in the user's words."""
