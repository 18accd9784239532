"""Digital signatures on minutes PDFs: PAdES with pyHanko, a visible signature block, checking.

- ``make_self_signed_certificate`` makes a PKCS#12 file (RSA-2048, key usage digitalSignature and
  contentCommitment) for panels without an organisational certificate. Its subject says plainly
  that it is self-signed and not trusted by others.
- ``sign_pdf`` adds a PAdES signature (subfilter ETSI.CAdES.detached) as an incremental update,
  with a visible block in ``minutes_pdf.SIGNATURE_BOX`` on the last page. The block is drawn by
  ReportLab in DejaVu Sans, so a signer's name prints in its own script (pyHanko's default
  Courier stamp drops letters such as Ł).
- ``validate_pdf_signature`` says whether the signature is intact (the signed bytes are
  unchanged), valid (the cryptography checks out), trusted (the signer's certificate chains to
  one of the given roots) and whether it covers the whole file.

Passwords are taken as arguments and never stored or logged.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from asn1crypto import pem  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas

from mappa_desktop.domain.errors import MappaError
from reports import fonts
from reports.minutes_pdf import SIGNATURE_BOX
from reports.text import Para, para_text

if TYPE_CHECKING:
    from pyhanko.stamp import BaseStampStyle

SELF_SIGNED_LABEL = "mappa-desktop self-signed (not trusted by others)"
FIELD_NAME = "MappaSignature"
MIN_PASSWORD = 8
_log = logging.getLogger(__name__)


class SigningError(MappaError):
    """A certificate or signature could not be made or used; the message says why."""


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    common_name: str
    organisation: str
    organisational_unit: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str
    self_signed: bool

    @property
    def label(self) -> str:
        org = f", {self.organisation}" if self.organisation else ""
        return f"{self.common_name}{org} (valid until {self.not_after.date().isoformat()})"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    signed: bool  # the file carries a signature at all
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature checks out cryptographically
    trusted: bool  # the signer's certificate chains to a given trust root
    covers_whole_file: bool  # nothing was appended after signing
    signer: str
    signed_at: datetime | None
    summary: str  # one sentence
    signer_certificate: bytes = field(default=b"", repr=False)  # DER

    @property
    def ok(self) -> bool:
        """Intact, valid and covering the whole file (trust is reported separately)."""
        return self.signed and self.intact and self.valid and self.covers_whole_file


# --- certificates ---------------------------------------------------------------------------------


def _check_password(password: str) -> bytes:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise SigningError(
            f"The certificate password must have at least {MIN_PASSWORD} characters."
        )
    return password.encode("utf-8")


def make_self_signed_certificate(
    common_name: str, organisation: str, *, password: str, valid_days: int = 365
) -> bytes:
    """A password-protected PKCS#12 file holding a new RSA-2048 key and a self-signed
    certificate for signing documents (not for anything else)."""
    secret = _check_password(password)
    name = " ".join(str(common_name).split())
    org = " ".join(str(organisation).split())
    if not name:
        raise SigningError("Give the name of the person the certificate is for.")
    if len(name) > 64 or len(org) > 64:
        raise SigningError("The name and the organisation must each be at most 64 characters.")
    if not 1 <= valid_days <= 3 * 366:
        raise SigningError("A certificate must be valid for between 1 day and 3 years.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org or SELF_SIGNED_LABEL),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SELF_SIGNED_LABEL),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, None, BestAvailableEncryption(secret)
    )


def _load_pkcs12(
    pkcs12_data: bytes, password: str
) -> tuple[x509.Certificate, pkcs12.PKCS12KeyAndCertificates]:
    try:
        bundle = pkcs12.load_pkcs12(pkcs12_data, password.encode("utf-8"))
    except ValueError:
        raise SigningError(
            "The certificate file could not be opened: the password is wrong, or the file is "
            "not a PKCS#12 (.p12 / .pfx) certificate."
        ) from None
    if bundle.key is None or bundle.cert is None:
        raise SigningError(
            "The certificate file holds no private key and certificate to sign with."
        )
    return bundle.cert.certificate, bundle


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _info(cert: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        common_name=_name_part(cert.subject, NameOID.COMMON_NAME),
        organisation=_name_part(cert.subject, NameOID.ORGANIZATION_NAME),
        organisational_unit=_name_part(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        self_signed=cert.subject == cert.issuer,
    )


def certificate_info(pkcs12_data: bytes, password: str) -> CertificateInfo:
    """Who a PKCS#12 file signs as (and checks the password)."""
    cert, _ = _load_pkcs12(pkcs12_data, password)
    return _info(cert)


# --- signing --------------------------------------------------------------------------------------


def _block_pdf(width: float, height: float, lines: Sequence[tuple[str, str]]) -> bytes:
    """The visible signature block as a one-page PDF of the box's size (DejaVu Sans)."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    # initialFontName: otherwise an unembedded Helvetica (types-reportlab types it as a number)
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        initialFontName=fonts.REGULAR,  # type: ignore[arg-type]
    )
    canvas.setFillColor(colors.HexColor("#f3f6fa"))
    canvas.setStrokeColor(colors.HexColor("#2f5d8a"))
    canvas.setLineWidth(1)
    canvas.rect(0.5, 0.5, width - 1, height - 1, stroke=1, fill=1)
    y = height - 4
    for size in (8.0, 7.0, 6.0, 5.0):
        style = ParagraphStyle(
            "mappa-sig", fontName=fonts.REGULAR, fontSize=size, leading=size * 1.2
        )
        paras = [
            Para(f"<b>{title}</b> {para_text(value)}" if title else value, style)
            for title, value in lines
        ]
        heights = [p.wrap(width - 8, height)[1] for p in paras]
        if sum(heights) <= height - 6:
            break
    for para, h in zip(paras, heights, strict=True):
        y -= h
        para.drawOn(canvas, 4, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _static_stamp(block: bytes) -> BaseStampStyle:
    """A pyHanko stamp style whose appearance is ``block`` (a one-page PDF)."""
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import StaticStampStyle

    class _Page(content.ImportedPdfPage):
        """``ImportedPdfPage`` reading from memory instead of a file."""

        def render(self) -> bytes:
            import binascii
            import uuid

            from pyhanko.pdf_utils.layout import BoxConstraints

            writer = self._ensure_writer
            reader = PdfFileReader(io.BytesIO(block))
            xobj = writer.import_page_as_xobject(reader, page_ix=0)
            name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    return StaticStampStyle(
        background=_Page(""),  # type: ignore[no-untyped-call]
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins.uniform(0),  # type: ignore[no-untyped-call]
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def sign_pdf(
    pdf: bytes,
    pkcs12_data: bytes,
    password: str,
    *,
    signer_name: str,
    reason: str,
    location: str = "",
    box: tuple[float, float, float, float] = SIGNATURE_BOX,
) -> bytes:
    """``pdf`` with a PAdES signature and a visible signature block on its last page."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    cert, _ = _load_pkcs12(pkcs12_data, password)
    info = _info(cert)
    now = datetime.now(UTC)
    if not info.not_before <= now <= info.not_after:
        raise SigningError(
            f"The certificate of {info.common_name} is valid from "
            f"{info.not_before.date().isoformat()} to {info.not_after.date().isoformat()}; "
            "it cannot sign today."
        )
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12_data, other_certs=[], passphrase=password.encode("utf-8")
        )
    except ValueError:
        raise SigningError("The certificate file could not be used to sign.") from None
    x1, y1, x2, y2 = box
    lines = [
        ("", "<b>Digitally signed (PAdES)</b>"),
        ("By:", signer_name),
        ("Reason:", reason),
        ("Date:", now.strftime("%d %B %Y %H:%M UTC").lstrip("0")),
        ("Certificate:", info.label + (" - self-signed" if info.self_signed else "")),
    ]
    if location:
        lines.insert(3, ("Location:", location))
    style = _static_stamp(_block_pdf(x2 - x1, y2 - y1, lines))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=signer_name,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(
                FIELD_NAME, on_page=-1, box=(round(x1), round(y1), round(x2), round(y2))
            ),
        )
        out = io.BytesIO()
        with _quiet():
            pdf_signer.sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"The PDF could not be signed ({type(exc).__name__}: {exc}).") from None
    return out.getvalue()


# --- checking -------------------------------------------------------------------------------------


@contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs expected validation failures (a self-signed root, a tampered file) with
    tracebacks; callers report them in a sentence instead."""
    logger = logging.getLogger("pyhanko")
    level, propagate = logger.level, logger.propagate
    handler = logging.NullHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _load_roots(roots: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    out = []
    for data in roots:
        if pem.detect(data):
            for _, _, der in pem.unarmor(data, multiple=True):
                out.append(asn1_x509.Certificate.load(der))
        else:
            out.append(asn1_x509.Certificate.load(data))
    return out


def _unsigned(summary: str) -> SignatureCheck:
    return SignatureCheck(
        signed=False,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        signer="",
        signed_at=None,
        summary=summary,
    )


def signature_count(pdf: bytes) -> int:
    """How many signatures the PDF carries (0 when it cannot be read)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with _quiet():
            return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:
        return 0


def validate_pdf_signature(pdf: bytes, trust_roots_pem_or_der: Sequence[bytes]) -> SignatureCheck:
    """Check the last signature of ``pdf`` against ``trust_roots_pem_or_der`` (certificates, PEM
    or DER). Never raises for a damaged or unsigned file: the summary says what is wrong."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature as pyhanko_validate
    from pyhanko_certvalidator import ValidationContext

    try:
        roots = _load_roots(trust_roots_pem_or_der)
    except ValueError:
        raise SigningError("A trust root is not a certificate (PEM or DER).") from None
    try:
        with _quiet():
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            signatures = reader.embedded_signatures
    except Exception:
        return _unsigned("The file cannot be read as a PDF, so no signature can be checked.")
    if not signatures:
        return _unsigned("The PDF carries no digital signature.")
    embedded = signatures[-1]
    try:
        cert = embedded.signer_cert
        signer = cert.subject.native.get("common_name", "") if cert is not None else ""
        cert_der = cert.dump() if cert is not None else b""
    except Exception:
        signer, cert_der = "", b""
    try:
        with _quiet():
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = pyhanko_validate(embedded, context)
    except Exception as exc:
        return SignatureCheck(
            signed=True,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            signer=signer,
            signed_at=None,
            summary=(
                f"The digital signature is damaged and cannot be checked ({type(exc).__name__})."
            ),
            signer_certificate=cert_der,
        )
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(status.intact)
    valid = bool(status.valid)
    trusted = bool(status.trusted)
    signed_at = status.signer_reported_dt
    who = signer or "an unnamed signer"
    if not intact:
        summary = (
            f"The digital signature of {who} does not match the file: it was altered after "
            "it was signed."
        )
    elif not valid:
        summary = f"The digital signature of {who} is invalid."
    elif not whole:
        summary = (
            f"The digital signature of {who} is valid, but content was added to the file after "
            "it was signed."
        )
    elif trusted:
        summary = f"Valid digital signature of {who}, from a trusted certificate."
    else:
        summary = (
            f"Valid digital signature of {who}, but the certificate is not one of the trusted "
            "certificates (it may be self-signed)."
        )
    return SignatureCheck(
        signed=True,
        intact=intact,
        valid=valid,
        trusted=trusted,
        covers_whole_file=whole,
        signer=signer,
        signed_at=signed_at,
        summary=summary,
        signer_certificate=cert_der,
    )


def signer_certificate(pdf: bytes) -> bytes | None:
    """The DER certificate of the last signature in ``pdf`` (None when unsigned or unreadable)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with _quiet():
            signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
            if not signatures or signatures[-1].signer_cert is None:
                return None
            return bytes(signatures[-1].signer_cert.dump())
    except Exception:
        return None


# The only entries the signing revision may add to or change in what it updates.
_CATALOG_CHANGES = frozenset({"/AcroForm", "/Extensions", "/Version"})
_INFO_CHANGES = frozenset({"/ModDate", "/Producer"})
_PAGE_CHANGES = frozenset({"/Annots"})


def _changed_keys(old: object, new: object) -> set[str]:
    from pyhanko.pdf_utils import generic

    if not isinstance(old, generic.DictionaryObject) or not isinstance(
        new, generic.DictionaryObject
    ):
        return {"(the object itself)"}
    keys = set(old.keys()) | set(new.keys())
    return {k for k in keys if k not in old or k not in new or old.raw_get(k) != new.raw_get(k)}


def signing_revision_problem(
    pdf: bytes, box: tuple[float, float, float, float] = SIGNATURE_BOX
) -> str:
    """ "" when ``pdf`` is one unsigned revision followed by exactly one revision that adds a
    signature and nothing else: one signature field whose widget sits in ``box`` on the last
    page, no page content, resource, font or other object of the first revision changed, and
    nothing appended after it. Otherwise one sentence saying what is wrong.

    The widget's appearance is drawn only inside its rectangle, which on the minutes is the
    blank band kept for it, so such a revision cannot change what the pages show."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with _quiet():
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            xrefs = reader.xrefs
            signatures = reader.embedded_signatures
            if xrefs.total_revisions != 2 or len(signatures) != 1:
                return (
                    f"The file has {xrefs.total_revisions} revisions and {len(signatures)} "
                    "signatures; an issued copy has one revision and at most one signature "
                    "added to it: something was added to the file after it was issued."
                )
            if signatures[0].signed_revision != 1:
                return "The signature does not cover the last revision of the file."
            if xrefs.refs_freed_in_revision(1):
                return "The signing revision deletes objects of the issued copy."
            old = reader.get_historical_resolver(0)
            last_page_ref = old.find_page_for_modification(-1)[0]  # type: ignore[no-untyped-call]
            allowed = {
                old.root_ref: _CATALOG_CHANGES,
                old.trailer_view.raw_get("/Info"): _INFO_CHANGES,
                last_page_ref: _PAGE_CHANGES,
            }
            for ref in xrefs.explicit_refs_in_revision(1):
                if xrefs.get_introducing_revision(ref) == 1:
                    continue  # a new object: reachable only through the keys checked below
                permitted = next(
                    (keys for r, keys in allowed.items() if getattr(r, "reference", r) == ref),
                    None,
                )
                new = reader.get_object(ref)  # type: ignore[no-untyped-call]
                changed = _changed_keys(old(ref), new)
                if permitted is None or not changed <= permitted:
                    return (
                        f"The signing revision changes object {ref.idnum} of the issued copy "
                        f"({', '.join(sorted(changed)) or 'its content'}), not only the "
                        "signature."
                    )
            page = reader.get_object(last_page_ref)  # type: ignore[no-untyped-call]
            annots = page.get("/Annots", generic.ArrayObject())
            if len(annots) != 1:
                return "The signing revision adds other annotations than the signature."
            widget = annots[0].get_object()
            rect = [float(v) for v in widget.get("/Rect", [])]
            expected = [float(round(v)) for v in box]
            if widget.get("/FT") != "/Sig" or rect != expected:
                return "The signing revision adds a field outside the signature block."
    except Exception as exc:
        return f"The file's revisions cannot be read ({type(exc).__name__})."
    return ""
