"""Shared fixtures of the unit tier: the shipped KS data and the fictional federation."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.bylaws import Bylaws, parse_bylaws
from domain.registry import Registry, parse_registry_csv, parse_registry_json

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data"
HERE = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def ks_bylaws_text() -> str:
    return (SHIPPED / "bylaws" / "ks-2024.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ks_bylaws(ks_bylaws_text: str) -> Bylaws:
    return parse_bylaws(ks_bylaws_text, "ks-2024.toml")


@pytest.fixture(scope="session")
def ks_registry() -> Registry:
    folder = SHIPPED / "registry"
    return parse_registry_json(
        (folder / "municipalities-2025.json").read_text(encoding="utf-8"),
        (folder / "counties-2025.json").read_text(encoding="utf-8"),
        "shipped registry",
    )


@pytest.fixture(scope="session")
def fictional_text() -> str:
    return (HERE / "fictional.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fictional_bylaws(fictional_text: str) -> Bylaws:
    return parse_bylaws(fictional_text, "fictional.toml")


@pytest.fixture(scope="session")
def fictional_registry() -> Registry:
    counties = parse_registry_json(
        "[]", (HERE / "fictional_counties.json").read_text(encoding="utf-8"), "fictional"
    ).counties
    return parse_registry_csv(
        (HERE / "fictional_towns.csv").read_text(encoding="utf-8"), counties, "fictional_towns.csv"
    )
