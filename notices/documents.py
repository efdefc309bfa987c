"""Minutes and election protocols as documents: HTML from Jinja2 templates, PDF from that HTML.

The templates (notices/templates/document_*.html.j2, on `_document.html.j2`) share the notices'
environment and its bokmål filters (dates, periods, posts, meetings), so a document says what a
letter says the same way. The HTML is a page of its own (language, title, headings, tables with
captions and header cells), read in a browser as published; the PDF is the same HTML laid out
for A4 by WeasyPrint, with page numbers. WeasyPrint is imported only when a PDF is asked for.
"""

from __future__ import annotations

from typing import Any, Literal

from jinja2 import TemplateError

from notices.messages import ENVIRONMENT, NoticeError

DocumentKind = Literal["minutes", "protocol"]


def render_html(kind: DocumentKind, context: dict[str, Any]) -> str:
    """The document as an HTML page; a missing or bad context value is a `NoticeError`."""
    try:
        return ENVIRONMENT.get_template(f"document_{kind}.html.j2").render(context)
    except (TemplateError, TypeError) as exc:
        detail = getattr(exc, "message", None) or str(exc)
        raise NoticeError(f"the {kind} document cannot be written: {detail}") from None


def render_pdf(html: str) -> bytes:
    """The HTML page laid out as a PDF (A4)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
