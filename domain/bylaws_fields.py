"""Typed, checked reading of one TOML table for the bylaws parser.

Every error names the source (file), the dotted key and the problem, in one line, so the
secretariat can fix a bylaws file without reading code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# Marks a key without a default: its absence is an error.
_REQUIRED: Any = object()


class BylawsError(ValueError):
    """A bylaws file is wrong: the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Table:
    """One TOML table with where it sits: `source` (file label) and `path` (dotted key).

    `read` collects the dotted keys the parser has read, shared by the table and its sub-tables,
    so that `refuse_unread` can name a key the parser does not know (a typo or a retired field
    would otherwise be ignored without a word).
    """

    source: str
    path: str
    data: Mapping[str, Any]
    read: set[str] = field(default_factory=set, compare=False)

    def key(self, name: str) -> str:
        """The dotted path of `name` inside this table."""
        if not name:
            return self.path
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> BylawsError:
        """A `BylawsError` for key `name`: file, dotted key, problem."""
        return BylawsError(f"{self.source}: {self.key(name)}: {problem}")

    def _get(self, name: str, default: Any) -> Any:
        if name in self.data:
            self.read.add(self.key(name))
            return self.data[name]
        if default is _REQUIRED:
            raise self.fail(name, "is missing")
        return default

    def table(self, name: str) -> Table:
        """The sub-table `name` (required)."""
        value = self._get(name, _REQUIRED)
        if not isinstance(value, dict):
            raise self.fail(name, "must be a table")
        return Table(self.source, self.key(name), value, self.read)

    def tables(self, name: str, required: bool = True) -> list[Table]:
        """The array of tables `name` (`[[name]]`), each with its indexed path."""
        value = self._get(name, _REQUIRED if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, "must be a list of tables")
        path = self.key(name)
        return [Table(self.source, f"{path}[{i}]", v, self.read) for i, v in enumerate(value)]

    def refuse_unread(self) -> None:
        """Raise `BylawsError` for the first key in this table or below that was never read."""
        for name, value in self.data.items():
            if self.key(name) not in self.read:
                raise self.fail(name, "is not a bylaws parameter ksgov knows")
            if isinstance(value, dict):
                Table(self.source, self.key(name), value, self.read).refuse_unread()
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        path = f"{self.key(name)}[{i}]"
                        Table(self.source, path, item, self.read).refuse_unread()

    def text(self, name: str, default: Any = _REQUIRED, choices: tuple[str, ...] = ()) -> str:
        """A non-empty string, optionally one of `choices`."""
        value = self._get(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "must be a non-empty text")
        if choices and value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def integer(self, name: str, default: Any = _REQUIRED, minimum: int = 0) -> int:
        """A whole number of at least `minimum`."""
        value = self._get(name, default)
        if type(value) is not int or value < minimum:
            raise self.fail(name, f"must be a whole number of at least {minimum}, not {value!r}")
        return value

    def optional_integer(self, name: str, minimum: int = 0) -> int | None:
        """A whole number of at least `minimum`, or None when the key is absent."""
        return None if name not in self.data else self.integer(name, minimum=minimum)

    def integers(self, name: str, default: Any = _REQUIRED) -> tuple[int, ...]:
        """A list of whole numbers of 0 or more."""
        value = self._get(name, default)
        if not isinstance(value, list | tuple) or any(type(v) is not int or v < 0 for v in value):
            raise self.fail(name, f"must be a list of whole numbers of 0 or more, not {value!r}")
        return tuple(value)

    def texts(self, name: str, default: Any = _REQUIRED) -> tuple[str, ...]:
        """A list of texts."""
        value = self._get(name, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of texts")
        return tuple(value)

    def flag(self, name: str, default: Any = _REQUIRED) -> bool:
        """true or false."""
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, not {value!r}")
        return value

    def date(self, name: str) -> dt.date:
        """A TOML date such as 2024-01-01 (a date-time is refused)."""
        value = self._get(name, _REQUIRED)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.fail(name, f"must be a date such as 2024-01-01, not {value!r}")
        return value

    def fraction(self, name: str, default: Any = _REQUIRED) -> Fraction:
        """A positive fraction written as "1/2", "7/5" or a whole number."""
        value = self._get(name, default)
        try:
            number = Fraction(value) if isinstance(value, str | int) else None
        except (ValueError, ZeroDivisionError):
            number = None
        if isinstance(value, bool) or number is None or number <= 0:
            raise self.fail(name, f'must be a positive fraction such as "1/2", not {value!r}')
        return number

    def month_day(self, name: str) -> tuple[int, int]:
        """A day of the year written "MM-DD", such as "11-30" for 30 November."""
        value = self.text(name)
        month, _, day = value.partition("-")
        try:
            dt.date(2000, int(month), int(day))  # a leap year, so "02-29" is accepted
        except ValueError:
            raise self.fail(name, f'must be a day written "MM-DD", not {value!r}') from None
        return int(month), int(day)
