"""Data that crosses a boundary: pydantic payloads (payloads) and SQLModel records (records)."""
