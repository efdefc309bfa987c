"""The notices as people read them: a subject line, plain text and HTML per purpose, in bokmål.

Templates live in notices/templates/<purpose>.txt.j2 and .html.j2 and are rendered from the
request's context plus the recipient's name. Undefined variables are errors (StrictUndefined): a
missing context key becomes a `NoticeError` naming it, never a notice with a hole in it.

A notice opens with a greeting: "Hei Kari Nordmann," to a person, "Til kommunestyret i Bergen
kommune" to a council (`council`, from domain/registry.py). The filters below write what the
context holds as Norwegian text: dates and times in Oslo time (`dato`), periods with an en dash
(`periode`), posts (`verv`), meetings and deputies by organ (`mote`, `vara`), and the keys the
secretariat's delivery alert names, with what they are (`formaal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import escape

from domain.registry import authority_of, council_of


class NoticeError(ValueError):
    """A notice that cannot be written from its context (a missing or wrong variable)."""


TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
OSLO = ZoneInfo("Europe/Oslo")

# Subject lines: bokmål, no internal key except in the secretariat's delivery alert, which
# names its keys and says what they are. A term is written with an en dash (`periode`).
SUBJECTS: dict[str, str] = {
    "representatives_requested": (
        "Valg av representanter til fylkesmøtet i KS {{ county }} for perioden {{ term | periode }}"
    ),
    "county_meeting_notice": (
        "Innkalling til fylkesmøtet i KS {{ county }} {{ starts_at | dato }},"
        " valg for perioden {{ term | periode }}"
        "{% if recipient_role == 'deputy' %} (til orientering for vararepresentant){% endif %}"
    ),
    "meeting_notice": "Innkalling til {{ organ_title | mote }} {{ starts_at | dato }}",
    "reminder": "Påminnelse: {{ organ_title | mote }} {{ starts_at | dato }}",
    "meeting_changed": "Endring: {{ organ_title | mote }} {{ starts_at | dato }}",
    "meeting_cancelled": "Avlyst: {{ organ_title | mote }} {{ starts_at | dato }}",
    "deputy_called_in": (
        "Innkalling som {{ organ_title | vara }}: {{ organ_title | mote }} {{ starts_at | dato }}"
    ),
    "result_announced": (
        "Valgresultat: {{ (post | verv).flere }} {{ (post | verv).i }} {{ organ_title }},"
        " perioden {{ term | periode }}"
    ),
    "minutes_published": (
        "Protokoll publisert: {{ organ_title | mote }} {{ meeting_date | dato }}"
    ),
    "deadline_passed": "Fristen er ute: representanter til fylkesmøtet i KS {{ county }}",
    "delivery_alert": (
        "{% if late is defined and late %}Varsel levert etter fristen"
        "{% else %}Varsel ikke levert i tide{% endif %}:"
        " {{ purpose | formaal }} (saksnøkkel {{ subject }})"
    ),
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


PERIOD = re.compile(r"\b([0-9]{4})-([0-9]{4})\b")


def periode(value: Any) -> str:
    """A period with an en dash, as Norwegian text writes it: "2028-2032" gives "2028–2032"."""
    return PERIOD.sub(r"\1–\2", str(value))


def stor(value: Any) -> str:
    """The text with its first letter a capital (the rest as is, unlike jinja's `capitalize`)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def setning(value: Any) -> str:
    """The text as a sentence: a capital first letter and a full stop at the end."""
    text = stor(str(value).strip())
    return text if text.endswith((".", "!", "?")) else f"{text}."


@dataclass(frozen=True)
class Verv:
    """A post as bokmål names it: one holder (`en`), several (`flere`), the preposition before
    the organ (`i`: "leder i Hovedstyret", "delegat til Landstinget"), and its deputies, one
    (`vara_en`) and several (`vara`)."""

    en: str
    flere: str
    i: str
    vara_en: str = "varamedlem"
    vara: str = "varamedlemmer"


_MEMBERS = Verv("medlem", "medlemmer", "i")
# The bylaws' post names (data/bylaws/*.toml, `posts.name`; the Landsting's members posts are
# prefixed with their organ in service/term_inputs.py).
POSTS: dict[str, Verv] = {
    "leader": Verv("leder", "leder", "i"),
    "deputy_leader": Verv("nestleder", "nestleder", "i"),
    "first_deputy_leader": Verv("første nestleder", "første nestleder", "i"),
    "second_deputy_leader": Verv("andre nestleder", "andre nestleder", "i"),
    "members": _MEMBERS,
    "hovedstyret_members": _MEMBERS,
    "landsstyret_members": _MEMBERS,
    "delegates": Verv("delegat", "delegater", "til", "varadelegat", "varadelegater"),
    "representatives": Verv(
        "representant", "representanter", "til", "vararepresentant", "vararepresentanter"
    ),
}


def verv(post: Any) -> Verv:
    """The bokmål names of a post given by its bylaw name; a post named otherwise (already in
    bokmål) keeps its name."""
    text = str(post)
    return POSTS.get(text) or Verv(text, text, "i")


# Organs that are themselves a meeting: one is called to "Landstinget", not to a meeting in it.
ASSEMBLIES = ("Landstinget", "Fylkesmøtet")


def mote(organ_title: Any, bestemt: bool = False) -> str:
    """A meeting of an organ: "møte i Hovedstyret" ("møtet i Hovedstyret" with `bestemt`);
    an assembly is its own meeting: "Landstinget", "Fylkesmøtet i KS Vestland"."""
    title = str(organ_title)
    if title.startswith(ASSEMBLIES):
        return title
    return f"{'møtet' if bestemt else 'møte'} i {title}"


def vara(organ_title: Any, bestemt: bool = False) -> str:
    """Who stands in for a member of the organ: a varadelegat at the Landsting, a
    vararepresentant at the county meeting, a varamedlem on a board (with `bestemt`, the
    definite form: "varamedlemmet")."""
    title = str(organ_title)
    if title.startswith("Landstinget"):
        return "varadelegaten" if bestemt else "varadelegat"
    if title.startswith("Fylkesmøtet"):
        return "vararepresentanten" if bestemt else "vararepresentant"
    return "varamedlemmet" if bestemt else "varamedlem"


def council(member: Any, county: Any = "") -> str:
    """The council a letter to a member goes to: "kommunestyret i Bergen kommune" (see
    `domain.registry.council_of`)."""
    return council_of(str(member), str(county))


# What each purpose is, for the secretariat's delivery alert (models.payloads.Purpose).
PURPOSES: dict[str, str] = {
    "representatives_requested": "anmodning om å velge representanter til fylkesmøtet",
    "county_meeting_notice": "innkalling til fylkesmøtet",
    "meeting_notice": "innkalling til møte",
    "reminder": "påminnelse om møte",
    "meeting_changed": "melding om endret møte",
    "meeting_cancelled": "melding om avlyst møte",
    "deputy_called_in": "innkalling av vara",
    "result_announced": "melding om valgresultat",
    "minutes_published": "melding om publisert protokoll",
    "deadline_passed": "melding om utløpt frist",
    "delivery_alert": "leveringsvarsel",
}


def formaal(purpose: Any) -> str:
    """A purpose's key in words: "reminder" gives "påminnelse om møte"."""
    return PURPOSES.get(str(purpose), str(purpose))


# The workflows' status lines of what a county meeting still waits for (workflows/elections:
# county_meeting.py, landsting.py and ballot.py, `_awaiting` and `awaiting`) are English; until
# they pass bokmål, the deadline notice writes the known lines in bokmål and others as they are.
_WAITING: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], str], str]], ...] = (
    (
        re.compile(r"^representatives of (?P<member>.+)$"),
        lambda m, county: f"representantene fra {authority_of(m['member'], county)}",
    ),
    (re.compile(r"^the meeting date$"), lambda m, county: "datoen for fylkesmøtet"),
    (re.compile(r"^the congress date$"), lambda m, county: "datoen for Landstinget"),
    (re.compile(r"^the credentials check$"), lambda m, county: "godkjenningen av fullmaktene"),
    (
        re.compile(r"^the member appointed by (?P<who>.+)$"),
        lambda m, county: f"medlemmet som {m['who']} oppnevner",
    ),
    (
        re.compile(r"^nominations for (?P<post>\S+)$"),
        lambda m, county: f"kandidatforslag i valget av {verv(m['post']).flere}",
    ),
    (
        re.compile(r"^votes for (?P<post>\S+) \(round (?P<round>[0-9]+)\)$"),
        lambda m, county: (
            f"stemmegivningen i valget av {verv(m['post']).flere} ({m['round']}. valgomgang)"
        ),
    ),
)


def venter(item: Any, county: Any = "") -> str:
    """One line of what a meeting still waits for, in bokmål."""
    text = str(item)
    for pattern, write in _WAITING:
        match = pattern.match(text)
        if match:
            return write(match, str(county))
    return text


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
    env.filters.update(
        dato=dato, periode=periode, stor=stor, setning=setning, verv=verv, mote=mote, vara=vara,
        council=council, formaal=formaal, venter=venter,
    )  # fmt: skip
    return env


ENVIRONMENT = _environment()
# Compiled once: compiling a subject line costs more than rendering the whole notice.
SUBJECT_TEMPLATES = {purpose: ENVIRONMENT.from_string(s) for purpose, s in SUBJECTS.items()}


# The notices whose text depends on who reads them beyond the greeting's name (a result letter
# says "you are elected as deputy" to a deputy, and greets a council differently): rendered per
# recipient. Every other notice is rendered once with NAME_SLOT for the name and stamped with
# each recipient's name (`render_shared`); tests/unit/test_messages.py checks, per purpose,
# that the stamped notice is the one `render` writes for that name.
PER_RECIPIENT = frozenset({"result_announced"})
# A character of Unicode's private use area: no name in a registry or roster holds it.
NAME_SLOT = "\ue000"


@dataclass(frozen=True)
class Shared:
    """A notice rendered once for every recipient with a name, the name left as NAME_SLOT."""

    rendered: Rendered

    def for_name(self, name: str) -> Rendered | None:
        """The notice for `name`; None for a name the greeting treats differently (none)."""
        if not name or NAME_SLOT in name:
            return None
        return Rendered(
            self.rendered.subject,
            self.rendered.text.replace(NAME_SLOT, name),
            self.rendered.html.replace(NAME_SLOT, str(escape(name))),
        )


def render_shared(
    purpose: str, context: dict[str, Any], deadline: datetime | None = None
) -> Shared | None:
    """The notice rendered once for all its recipients, or None if it must be rendered per
    recipient (PER_RECIPIENT, or a subject line that names the recipient). A missing or bad
    context value is a NoticeError, as in `render`."""
    if purpose in PER_RECIPIENT:
        return None
    rendered = render(purpose, context, NAME_SLOT, deadline)
    return None if NAME_SLOT in rendered.subject else Shared(rendered)


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
