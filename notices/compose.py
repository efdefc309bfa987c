"""One notice as the bytes each recipient's e-mail is sent as.

A notice is composed once per request: its subject, text and HTML alternative, attachments and
the fixed headers, flattened to bytes. Each recipient's message is those bytes with the
greeting's name stamped in and the three headers that differ per message put in front (To,
Message-ID, Date); a header's place in the block does not matter to a reader. A notice whose
text depends on its reader beyond the name (`messages.PER_RECIPIENT`) is rendered and flattened
per recipient, and so is any flattening that did not keep the name's slot intact (a body
transfer-encoded instead of sent as 8-bit text, which the check in `_template` catches).
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from email import policy
from email.utils import encode_rfc2231, format_datetime, formataddr, quote

from markupsafe import escape

from models.payloads import NOT_IN_A_LINE, Attachment, NotifyRequest, Recipient
from notices.messages import NAME_SLOT, NoticeError, Rendered, Shared, render, render_shared

# A Message-ID of 64 hex digits is longer than the 78 columns the default policy folds at; a
# folded Message-ID is legal but some receivers compare it verbatim, so fold only at 998. Lines
# end in CRLF, as SMTP sends them.
HEADERS = policy.default.clone(max_line_length=998, linesep="\r\n")
SLOT = NAME_SLOT.encode()


class Headers:
    """The headers every message shares: its sender, encoded once."""

    def __init__(self, mail_from: str) -> None:
        self.mail_from = _header_line("From", mail_from)


class Letter:
    """One request's notice, ready to be stamped for each of its recipients."""

    def __init__(self, request: NotifyRequest, first: Recipient, headers: Headers) -> None:
        """Render the notice (NoticeError on a missing or bad context value, before anything is
        sent); flattening waits for the first message that needs it."""
        self.request = request
        self.headers = headers
        self.shared: Shared | None = render_shared(
            request.purpose, request.context, request.deadline
        )
        if self.shared is None:
            render(request.purpose, request.context, first.name, request.deadline)
        for attachment in request.attachments:
            content_type(attachment)
            if unsafe(attachment.filename + attachment.content_type):
                raise NoticeError(f"the attachment {attachment.filename!r} has a line break")
        self._flat: tuple[bytes, int] | None = None
        self._subject: tuple[str, bytes] | None = None
        self.reply_to = _header_line("Reply-To", request.reply_to) if request.reply_to else b""

    def message(self, name: str, address: str, message_id: str, now: datetime) -> bytes:
        """The whole message for one recipient, as sent."""
        to = formataddr((name, address)) if address.isascii() else f'"{quote(name)}" <{address}>'
        front = f"To: {to}\r\nMessage-ID: {message_id}\r\nDate: {format_datetime(now)}\r\n"
        return front.encode() + self._body(name)

    def _body(self, name: str) -> bytes:
        rendered = self.shared.for_name(name) if self.shared is not None else None
        if rendered is None:
            request = self.request
            return self._flatten(render(request.purpose, request.context, name, request.deadline))
        assert self.shared is not None
        if self._flat is None:
            self._flat = self._template(self.shared.rendered)
        template, in_text = self._flat
        if not template:
            return self._flatten(rendered)
        escaped = str(escape(name)).encode()
        return template.replace(SLOT, name.encode(), in_text).replace(SLOT, escaped)

    def _template(self, shared: Rendered) -> tuple[bytes, int]:
        """The flattened notice with the name's slot in it, and how many slots the plain text
        holds (they come first); empty bytes if the flattening changed a slot."""
        data = self._flatten(shared)
        in_text, in_html = shared.text.count(NAME_SLOT), shared.html.count(NAME_SLOT)
        return (data if data.count(SLOT) == in_text + in_html else b""), in_text

    def _flatten(self, rendered: Rendered) -> bytes:
        """The notice's headers and body, without the per-message headers."""
        if self._subject is None or self._subject[0] != rendered.subject:
            self._subject = (rendered.subject, _subject_line(rendered.subject))
        alternative = _multipart(
            "alternative",
            [_text_part("plain", rendered.text), _text_part("html", rendered.html)],
        )
        body = (
            _multipart("mixed", [alternative, *map(_attachment_part, self.request.attachments)])
            if self.request.attachments
            else alternative
        )
        return b"".join(
            (
                self._subject[1],
                self.headers.mail_from,
                self.reply_to,
                f"X-Ksgov-Purpose: {self.request.purpose}\r\n".encode(),
                b"Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n",
                body,
            )
        )


# The MIME structure, written directly: composing each message with `EmailMessage` under
# `policy.default` cost about 5 ms of CPU, more than everything else a notice costs together.
# The shape is the one EmailMessage gave: multipart/alternative (text, then HTML), wrapped in
# multipart/mixed with the attachments when there are any. Text goes as 8-bit UTF-8 while its
# lines fit SMTP's 998 octets, else in base64; attachments go in base64. tests/activities/
# test_notify.py reads every kind of message back with the standard library's parser.
LINE_LIMIT = 998


def _header_line(name: str, value: str) -> bytes:
    """One header, encoded (RFC 2047) and folded as the standard library does it."""
    return str(HEADERS.header_factory(name, value).fold(policy=HEADERS)).encode("ascii")


def _subject_line(subject: str) -> bytes:
    """The Subject header: as is if it is short ASCII, else as RFC 2047 encoded words of at most
    45 octets of UTF-8 each (76 columns), one per folded line; about a fiftieth of what the
    header registry takes for the same line."""
    if subject.isascii() and len(subject) <= 69 and not unsafe(subject):
        return f"Subject: {subject}\r\n".encode()
    words, word = [], b""
    for char in subject:
        octets = char.encode()
        if len(word) + len(octets) > 45:
            words.append(word)
            word = b""
        word += octets
    words.append(word)
    encoded = "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)
    return f"Subject: {encoded}\r\n".encode()


def _text_part(subtype: str, text: str) -> bytes:
    lines = text.encode().splitlines()
    if max(map(len, lines), default=0) <= LINE_LIMIT:
        cte = "7bit" if text.isascii() else "8bit"
        # The line break before the boundary belongs to the boundary (RFC 2046): the text
        # reads back exactly as written, with or without a final line break.
        ending = b"\r\n\r\n" if text.endswith(("\n", "\r")) else b"\r\n"
        payload = b"\r\n".join(lines) + ending
    else:
        cte, payload = "base64", _base64(text.encode())
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n'
    ).encode() + payload


def _attachment_part(attachment: Attachment) -> bytes:
    maintype, subtype, params = content_type(attachment)
    if maintype == "text":
        params = {"charset": "utf-8", **params}
    header = f"Content-Type: {maintype}/{subtype}" + "".join(
        f"; {_param(k, v)}" for k, v in params.items()
    )
    return (
        f"{header}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {_param('filename', attachment.filename)}\r\n\r\n"
    ).encode() + _base64(attachment.text.encode())


def _param(name: str, value: str) -> str:
    if value.isascii():
        return f'{name}="{quote(value)}"'
    return f"{name}*={encode_rfc2231(value, 'utf-8')}"


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_ksgov_{uuid.uuid4().hex}".encode()
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary.decode()}"\r\n\r\n'
    separator = b"--" + boundary + b"\r\n"
    return (
        head.encode()
        + b"".join(separator + part for part in parts)
        + b"--" + boundary + b"--\r\n"
    )  # fmt: skip


def _base64(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"".join(encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


def content_type(attachment: Attachment) -> tuple[str, str, dict[str, str]]:
    """The attachment's type, subtype and parameters; NoticeError if it is not `type/subtype`."""
    main, _, rest = attachment.content_type.partition(";")
    maintype, slash, subtype = main.strip().lower().partition("/")
    if not slash or not maintype or not subtype:
        raise NoticeError(f"the attachment {attachment.filename} has no valid content type")
    params = {
        name.strip(): value.strip().strip('"')
        for name, _, value in (p.partition("=") for p in rest.split(";") if "=" in p)
    }
    return maintype, subtype, params


def unsafe(text: str) -> bool:
    """Whether `text` holds a line break or another character input refuses in one line of
    text (models.payloads.NOT_IN_A_LINE): in a header it would write headers of its own."""
    return NOT_IN_A_LINE.search(text) is not None
