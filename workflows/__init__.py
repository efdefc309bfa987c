"""Orchestration only: deterministic and thin; time, ids and randomness from temporalio.workflow."""
