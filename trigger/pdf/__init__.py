"""PDF documents: rendered HTML in, PDF bytes out (see trigger.pdf.engine)."""

from trigger.pdf.engine import (
    DEFAULT_STATIC_ROOT,
    PdfFailure,
    PdfRenderError,
    RenderedPdf,
    render_document,
    render_pdf,
    shutdown,
    warm_up,
)

__all__ = [
    "DEFAULT_STATIC_ROOT",
    "PdfFailure",
    "PdfRenderError",
    "RenderedPdf",
    "render_document",
    "render_pdf",
    "shutdown",
    "warm_up",
]
