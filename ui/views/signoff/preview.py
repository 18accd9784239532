"""An in-app PDF preview: the exact bytes that will be issued, shown with QtPdf."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PdfPreview(QWidget):
    """Shows PDF bytes page after page, fitted to the width. ``loaded`` is emitted when the
    document reaches status ``Ready``; the view paints asynchronously."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self.document = QPdfDocument(self)
        self.document.statusChanged.connect(self._status_changed)
        self.view = QPdfView(self)
        self.view.setObjectName("pdfPreview")
        self.view.setAccessibleName("Preview of the minutes PDF")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.caption = QLabel("No preview yet.")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self._buffer: QBuffer | None = None
        self.pdf = b""

    def show_pdf(self, pdf: bytes, caption: str) -> None:
        """Load ``pdf`` (the previous document is closed first)."""
        self._ready = False
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
        self.pdf = pdf
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self.document.load(buffer)
        pages = self.document.pageCount()
        self.caption.setText(f"{caption} ({pages} page{'s' if pages != 1 else ''})")

    def clear(self, caption: str) -> None:
        self._ready = False
        self.document.close()
        self.pdf = b""
        self.caption.setText(caption)

    def _status_changed(self, status: QPdfDocument.Status) -> None:
        self._ready = status == QPdfDocument.Status.Ready
        if self._ready:
            self.loaded.emit()

    @property
    def ready(self) -> bool:
        """The document is loaded (kept on the Python side: safe during teardown)."""
        return self._ready
