"""The harness: simulation, reliability drills, the demo, synthetic people and the embedded
servers. It may use every other package; nothing a deployment runs imports it (only cli/)."""
