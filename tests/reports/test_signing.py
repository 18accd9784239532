"""PAdES signatures: a signed minutes PDF validates against its trust root, one flipped byte
breaks it, the self-signed certificate says what it is, and the visible block keeps names."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdf
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID

from reports import signing
from reports.minutes_pdf import SIGNATURE_BOX, render_copies
from reports.stamp import read_stamp
from tests.reports import sample_minutes as sm

PASSWORD = "correct horse battery"
SIGNER = f"{sm.GREEK} ({sm.ARABIC})"


@pytest.fixture(scope="module")
def p12() -> bytes:
    return signing.make_self_signed_certificate(
        sm.POLISH, "Thames Valley Police", password=PASSWORD
    )


@pytest.fixture(scope="module")
def root_pem(p12: bytes) -> bytes:
    bundle = pkcs12.load_pkcs12(p12, PASSWORD.encode())
    assert bundle.cert is not None
    return bundle.cert.certificate.public_bytes(Encoding.PEM)


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_copies(sm.document(case_count=1), [(sm.SWEDISH, 3)])[0]


@pytest.fixture(scope="module")
def signed(unsigned: bytes, p12: bytes) -> bytes:
    return signing.sign_pdf(
        unsigned, p12, PASSWORD, signer_name=SIGNER, reason="Approved minutes", location="Oxford"
    )


def test_signed_pdf_validates_against_the_trust_root(signed: bytes, root_pem: bytes) -> None:
    check = signing.validate_pdf_signature(signed, [root_pem])
    assert check.signed and check.intact and check.valid and check.trusted
    assert check.covers_whole_file and check.ok
    assert check.signer == sm.POLISH
    assert check.signed_at is not None
    assert "from a trusted certificate" in check.summary


def test_signature_is_pades(signed: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(signed))
    fields = reader.get_fields()
    assert fields is not None
    value = fields[signing.FIELD_NAME]["/V"]
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Reason"] == "Approved minutes"


def test_without_the_trust_root_it_is_valid_but_not_trusted(signed: bytes) -> None:
    check = signing.validate_pdf_signature(signed, [])
    assert check.ok and not check.trusted
    assert "not one of the trusted certificates" in check.summary


def test_one_flipped_byte_makes_the_signature_invalid(signed: bytes, root_pem: bytes) -> None:
    data = bytearray(signed)
    data[len(data) // 3] ^= 0x01
    check = signing.validate_pdf_signature(bytes(data), [root_pem])
    assert not check.ok
    assert not check.intact
    assert "altered after it was signed" in check.summary


def test_appending_after_signing_is_reported(signed: bytes, root_pem: bytes) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/PageMode"] = writer.root.get("/PageMode", None) or "/UseNone"
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = signing.validate_pdf_signature(out.getvalue(), [root_pem])
    assert not check.covers_whole_file and not check.ok


def test_unsigned_and_foreign_files_are_explained(unsigned: bytes, root_pem: bytes) -> None:
    assert signing.validate_pdf_signature(unsigned, [root_pem]).summary == (
        "The PDF carries no digital signature."
    )
    garbage = signing.validate_pdf_signature(b"not a pdf", [root_pem])
    assert not garbage.signed and "cannot be read" in garbage.summary
    assert signing.signature_count(unsigned) == 0
    assert signing.signer_certificate(unsigned) is None
    with pytest.raises(signing.SigningError, match="trust root"):
        signing.validate_pdf_signature(unsigned, [b"not a certificate"])


def test_signing_keeps_the_identity_stamp(signed: bytes, unsigned: bytes) -> None:
    assert read_stamp(signed) == read_stamp(unsigned)
    assert signed.startswith(unsigned)  # an incremental update: the issued bytes stay as they are


def test_self_signed_certificate_is_labelled(p12: bytes) -> None:
    bundle = pkcs12.load_pkcs12(p12, PASSWORD.encode())
    assert bundle.cert is not None and bundle.key is not None
    cert = bundle.cert.certificate
    assert cert.subject == cert.issuer
    ou = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    assert ou == signing.SELF_SIGNED_LABEL == "mappa-desktop self-signed (not trusted by others)"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == sm.POLISH
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert bundle.key.key_size == 2048  # type: ignore[union-attr]
    info = signing.certificate_info(p12, PASSWORD)
    assert info.self_signed and info.organisation == "Thames Valley Police"
    assert ExtensionOID.EXTENDED_KEY_USAGE not in [e.oid for e in cert.extensions]


def test_certificate_without_organisation_carries_the_label_as_organisation() -> None:
    data = signing.make_self_signed_certificate("Sam Jones", "", password=PASSWORD)
    info = signing.certificate_info(data, PASSWORD)
    assert info.organisation == signing.SELF_SIGNED_LABEL


@pytest.mark.parametrize(
    ("name", "password", "days", "message"),
    [
        ("Sam", "short", 365, "at least 8 characters"),
        ("  ", PASSWORD, 365, "Give the name"),
        ("S" * 65, PASSWORD, 365, "at most 64"),
        ("Sam", PASSWORD, 0, "between 1 day and 3 years"),
    ],
)
def test_certificate_bad_input_is_refused(
    name: str, password: str, days: int, message: str
) -> None:
    with pytest.raises(signing.SigningError, match=message):
        signing.make_self_signed_certificate(name, "", password=password, valid_days=days)


def test_wrong_password_or_not_a_certificate_is_refused(p12: bytes, unsigned: bytes) -> None:
    with pytest.raises(signing.SigningError, match="password is wrong"):
        signing.sign_pdf(unsigned, p12, "wrong password", signer_name="X", reason="R")
    with pytest.raises(signing.SigningError, match="not a PKCS#12"):
        signing.certificate_info(b"rubbish", PASSWORD)


def test_visible_block_on_the_last_page_prints_names_in_their_script(
    signed: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    reader = pypdf.PdfReader(io.BytesIO(signed))
    last = reader.pages[-1]
    widgets = [a.get_object() for a in last.get("/Annots", [])]
    boxes = [[float(v) for v in w["/Rect"]] for w in widgets if w.get("/FT") == "/Sig"]
    assert boxes == [[float(round(v)) for v in SIGNATURE_BOX]]
    x1, y1, x2, y2 = SIGNATURE_BOX
    height = float(last.mediabox.height)
    text = subprocess.run(
        [
            "pdftotext", "-enc", "UTF-8", "-f", str(len(reader.pages)), "-l",
            str(len(reader.pages)), "-x", str(int(x1)), "-y", str(int(height - y2)),
            "-W", str(int(x2 - x1)), "-H", str(int(y2 - y1)), str(path), "-",
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert "Digitally signed (PAdES)" in flat
    assert sm.GREEK in flat
    assert sm.POLISH in flat  # the certificate's name, with its Ł
    assert "Reason: Approved minutes" in flat
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in pdfsig
    fonts_out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    for row in fonts_out.splitlines()[2:]:
        assert "DejaVuSans" in row.split()[0] and row.split()[-5] == "yes", row
