"""The notices as people read them: a subject line, plain text and HTML per purpose, in bokmål.

Templates live in notices/templates/<purpose>.txt.j2 and .html.j2 and are rendered from the
request's context plus the recipient's name. Undefined variables are errors (StrictUndefined): a
missing context key becomes a `NoticeError` naming it, never a notice with a hole in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape


class NoticeError(ValueError):
    """A notice that cannot be written from its context (a missing or wrong variable)."""


TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
OSLO = ZoneInfo("Europe/Oslo")

SUBJECTS: dict[str, str] = {
    "representatives_requested": "Velg representanter: fylkesmøtet i KS {{ county }} {{ term }}",
    "meeting_notice": "Innkalling: {{ organ_title }} {{ starts_at | dato }}",
    "reminder": "Påminnelse: {{ organ_title }} {{ starts_at | dato }}",
    "meeting_changed": "Endret møte: {{ organ_title }} {{ starts_at | dato }}",
    "meeting_cancelled": "Avlyst møte: {{ organ_title }} {{ starts_at | dato }}",
    "deputy_called_in": "Innkalling som vararepresentant: {{ organ_title }} {{ starts_at | dato }}",
    "result_announced": "Valgresultat: {{ post }} i {{ organ_title }} {{ term }}",
    "minutes_published": "Protokoll publisert: {{ organ_title }} {{ meeting_date | dato }}",
    "deadline_passed": "Fristen er ute: fylkesmøtet i KS {{ county }}",
    "delivery_alert": "Varsel om levering: {{ purpose }} ({{ subject }})",
}


@dataclass(frozen=True)
class Rendered:
    """One recipient's notice: subject, plain text and the HTML alternative."""

    subject: str
    text: str
    html: str


def dato(value: Any) -> str:
    """A date or time the Norwegian way (12.03.2027 kl. 10.00, Oslo time); other text as is."""
    if isinstance(value, str):
        try:
            parsed: date = (
                datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            )
        except ValueError:
            return value
        value = parsed
    if isinstance(value, datetime):
        local = value.astimezone(OSLO) if value.tzinfo else value
        return local.strftime("%d.%m.%Y kl. %H.%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        # Plain text and subject lines are not HTML: escaping is for the .html.j2 templates only.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code: no stat() per message, and a plain dict as the cache
        # (-1), not jinja's LRU cache, whose lock every lookup takes: activity threads sending a
        # large notice together would spend much of their time queued on it.
        auto_reload=False,
        cache_size=-1,
    )
    env.filters["dato"] = dato
    return env


ENVIRONMENT = _environment()
# Compiled once: compiling a subject line costs more than rendering the whole notice.
SUBJECT_TEMPLATES = {purpose: ENVIRONMENT.from_string(s) for purpose, s in SUBJECTS.items()}


def render(
    purpose: str, context: dict[str, Any], recipient_name: str, deadline: datetime | None = None
) -> Rendered:
    """Render the notice for one recipient; a missing or bad context value is BadInput.

    The request's deadline is offered as `deadline` unless the context gives its own.
    """
    values = {**({"deadline": deadline} if deadline else {}), **context, "name": recipient_name}
    try:
        subject = SUBJECT_TEMPLATES[purpose].render(values)
        text = ENVIRONMENT.get_template(f"{purpose}.txt.j2").render(values)
        html = ENVIRONMENT.get_template(f"{purpose}.html.j2").render(values)
    except (TemplateError, TypeError) as exc:
        detail = getattr(exc, "message", None) or str(exc)
        raise NoticeError(
            f"the {purpose} notice cannot be written: {detail} in its context"
        ) from None
    return Rendered(" ".join(subject.split()), text, html)
