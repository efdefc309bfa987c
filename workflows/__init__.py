"""Orchestration only: deterministic and thin; time, ids and randomness from temporalio.workflow.

Grouped by process: term/ (the four-year term), elections/ (the county meetings and the
Landsting, sharing one ballot implementation), meetings/ (an organ's meeting series and each
meeting). In every package the same three kinds of module:
- a workflow module holds one workflow class: its state, run loop and message handlers;
- pure modules (no Temporal import) compute and check: ballots, seats, rosters, validators;
- steps modules call activities, always through `workflows.calls`.
"""
