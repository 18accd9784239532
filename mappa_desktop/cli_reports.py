"""The report commands: ``minutes``, ``distribute``, ``verify`` and ``certificate create``
(ARCHITECTURE.md §7).

``minutes MEETING_ID --case CASE_ID`` writes one offender's record of the meeting (with
``--copy-for PERSON`` a numbered copy for a known person, refused to someone whose agency has no
need to know the case unless ``--reason`` records the chair's permission); without ``--case``
the meeting-wide record, whose numbered copies (``--copy-for``) are refused, unless ``--reason``
is given, to anyone but the chair, co-ordinator, minute-taker and those who need to know every
case on the agenda. ``distribute`` issues every offender's record to everyone on the meeting's
need-to-know distribution list, one line per file.

Part of the composition root: the only module besides ``cli.py`` allowed to import ``reports``
(lazily, inside the commands, so building the parser does not load ReportLab or pyHanko). The
workflows are the core's (``mappa_desktop.operations``), the same the GUI runs; this module
parses, hands them the renderer (``reports.export.PdfRenderer``) and prints.
``cli.py`` wires these in with ``add_report_commands(sub, connect=..., options=...)``; ``main``
runs them on their own (tests, or before the wiring exists).

Exit status: 0 success (``verify``: the file is genuine, possibly superseded by an addendum),
1 refused (``verify``: not genuine, with one sentence why), 2 usage. ``verify`` with no database
configured (no ``--database``, no ``MAPPA_DATABASE_URL``, no local database file) checks the
file alone and never creates a database; with one, it names the database it checked against.
Errors are one line on stderr, never a traceback. Passwords come from an environment variable or
a prompt, never from the command line, and are never written anywhere.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.orm import Session, sessionmaker

from mappa_desktop import paths
from mappa_desktop.cli_passwords import password_options, read_password
from mappa_desktop.db.engine import DATABASE_ENV
from mappa_desktop.domain.enums import DistributionVariant
from mappa_desktop.domain.errors import StorageError, ValidationError
from mappa_desktop.files import write_atomically
from mappa_desktop.operations import distributing, issuing
from mappa_desktop.operations.rendering import SigningKey
from mappa_desktop.operations.verifying import SessionRecords
from mappa_desktop.services import need_to_know
from mappa_desktop.services.actor import Actor

if TYPE_CHECKING:
    from reports.export import PdfRenderer

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_PKCS12_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ReportDatabase:
    """What a report command needs from the composition root."""

    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    actor: Callable[[Session], Actor]  # who is acting, looked up inside a write session
    url: str = ""  # the database's URL without a password, for messages


Connect = Callable[[argparse.Namespace], ReportDatabase]
Run = Callable[[argparse.Namespace, TextIO], int]


# --- passwords and files -------------------------------------------------------------------------


def _read_file(path: Path, what: str, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise StorageError(f"{path} is too large ({size:,} bytes) to be {what}.")
        return path.read_bytes()
    except OSError as exc:
        raise StorageError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def _renderer() -> PdfRenderer:
    from reports.export import PdfRenderer

    return PdfRenderer()


def _signing_key(args: argparse.Namespace, signer_name: str) -> SigningKey | None:
    from reports import signing

    if not args.sign:
        return None
    data = _read_file(Path(args.sign), "a certificate file", MAX_PKCS12_BYTES)
    password = read_password(args.password_env, prompt=f"Password for {args.sign}: ")
    signing.certificate_info(data, password)  # checks the password before anything is logged
    return SigningKey(
        pkcs12=data,
        password=password,
        signer_name=signer_name,
        reason="Issued copy of the signed-off MAPPA minutes",
    )


# --- minutes -------------------------------------------------------------------------------------


def minutes_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("meeting_id", type=int, metavar="MEETING_ID", help="the meeting's id")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the PDF to write")
    parser.add_argument(
        "--case",
        type=int,
        metavar="CASE_ID",
        help="write this offender's record of the meeting (without it: the meeting-wide record "
        "for the co-ordinator and chair)",
    )
    parser.add_argument(
        "--copy-for",
        metavar="PERSON",
        help="issue a numbered personal copy (logged in the distribution list) to PERSON, a "
        "login or a person's full name as stored",
    )
    parser.add_argument(
        "--redacted",
        action="store_true",
        help="with --case: each item marked third-party or restricted replaced by a visible "
        "'withheld' mark",
    )
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help="with --copy-for: why PERSON, who has no need to know the case (without --case: "
        "every case on the agenda), may have it (the chair's permission, MAPPA D); it is logged",
    )
    parser.add_argument(
        "--disclosure-summary",
        action="store_true",
        help="without --case: leave out the items marked restricted (the meeting-wide "
        "disclosure summary)",
    )
    parser.add_argument(
        "--sign", metavar="PKCS12", help="digitally sign the PDF with this certificate (.p12)"
    )
    password_options(
        parser, "environment variable holding the certificate's password (else you are asked)"
    )


def _minutes_variant(args: argparse.Namespace) -> DistributionVariant:
    """The variant the options ask for; a usage mistake is refused naming the option."""
    if args.case is None and args.redacted:
        raise ValidationError.single(
            "redacted",
            "--redacted goes with --case: it applies to one offender's record, not to the "
            "meeting-wide record.",
        )
    if args.case is not None and args.disclosure_summary:
        raise ValidationError.single(
            "disclosure-summary",
            "--disclosure-summary is the meeting-wide record's; an offender's record is issued "
            "full or --redacted.",
        )
    if args.reason is not None and args.copy_for is None:
        raise ValidationError.single(
            "reason", "--reason goes with --copy-for: it is why that person may have the record."
        )
    if args.redacted:
        return DistributionVariant.REDACTED
    if args.disclosure_summary:
        return DistributionVariant.DISCLOSURE_SUMMARY
    return DistributionVariant.FULL


def run_minutes(
    args: argparse.Namespace, out: TextIO, database: ReportDatabase, err: TextIO | None = None
) -> int:
    """Write the minutes PDF; ``--copy-for`` issues and logs a numbered personal copy."""
    err = err if err is not None else sys.stderr
    path = Path(args.output)
    if args.password_env and not args.sign:
        raise ValidationError.single("password-env", "--password-env goes with --sign.")
    if path.is_dir():
        raise ValidationError.single("output", f"{path} is a folder; give a file name.")
    if not path.parent.exists() and str(path.parent):
        raise ValidationError.single("output", f"The folder {path.parent} does not exist.")
    variant = _minutes_variant(args)
    written: issuing.IssuedCopy | None = None
    renderer = _renderer()
    try:
        with database.sessions.begin() as session:
            actor = database.actor(session)
            key = _signing_key(args, actor.display_name)
            try:
                if args.copy_for is not None and args.case is not None:
                    who = need_to_know.find_recipient(session, args.copy_for, field="copy-for")
                    written = issuing.issue_record_copy(
                        session,
                        renderer,
                        actor,
                        args.meeting_id,
                        args.case,
                        who,
                        path,
                        variant=variant,
                        reason=args.reason or "",
                        channel="command line",
                        signing=key,
                    )
                elif args.copy_for is not None:
                    who = need_to_know.find_recipient(session, args.copy_for, field="copy-for")
                    body = issuing.prepare_copies(session, renderer, args.meeting_id, variant)
                    written = issuing.issue_copy(
                        session,
                        renderer,
                        actor,
                        args.meeting_id,
                        body,
                        lambda _copy: path,
                        recipient_name=who.label,
                        recipient_person_id=who.person_id,
                        recipient_agency_id=who.agency_id,
                        channel="command line",
                        signing=key,
                        reason=args.reason or "",
                    )
                else:
                    written = issuing.export_minutes(
                        session,
                        renderer,
                        actor,
                        args.meeting_id,
                        path,
                        variant=variant,
                        signing=key,
                        case_id=args.case,
                    )
            except OSError as exc:
                raise StorageError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    except BaseException:
        if written is not None:  # written, but the log was not committed: not an issued copy
            path.unlink(missing_ok=True)
        raise
    assert written is not None
    if written.draft:
        err.write(
            f"warning: meeting {args.meeting_id} is not signed off: {path} is a DRAFT, marked "
            "as such on every page, and cannot be verified.\n"
        )
    what = f"minutes of meeting {args.meeting_id}"
    if written.case_id is not None:
        what = f"record of case {written.case_id} at meeting {args.meeting_id}"
    parts = [f"Wrote {path}: {what}"]
    if written.copy_number is not None:
        parts.append(f"copy {written.copy_number} for {written.recipient}")
    if args.reason and written.copy_number is not None:
        parts.append("the reason is logged")
    if written.variant == DistributionVariant.DISCLOSURE_SUMMARY:
        parts.append("disclosure summary")
    if written.variant == DistributionVariant.REDACTED:
        parts.append("redacted")
    if written.draft:
        parts.append("DRAFT")
    if written.digitally_signed:
        parts.append("digitally signed")
    out.write(", ".join(parts) + f" (SHA-256 {written.file_sha256}).\n")
    return EXIT_OK


# --- distribute ----------------------------------------------------------------------------------


def distribute_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("meeting_id", type=int, metavar="MEETING_ID", help="the meeting's id")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the folder to write the copies in (made if missing; its parent must exist)",
    )
    parser.add_argument(
        "--redacted",
        action="store_true",
        help="issue the redacted records (each item marked third-party or restricted replaced "
        "by a visible 'withheld' mark)",
    )
    parser.add_argument(
        "--sign", metavar="PKCS12", help="digitally sign every copy with this certificate (.p12)"
    )
    password_options(
        parser, "environment variable holding the certificate's password (else you are asked)"
    )


def _output_folder(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise ValidationError.single("output", f"{path} is a file; give a folder.")
    if not path.exists():
        if not path.parent.is_dir():
            raise ValidationError.single("output", f"The folder {path.parent} does not exist.")
        try:
            path.mkdir()
        except OSError as exc:
            raise StorageError(f"Cannot make the folder {path}: {exc.strerror or exc}.") from None
    return path


def run_distribute(
    args: argparse.Namespace, out: TextIO, database: ReportDatabase, err: TextIO | None = None
) -> int:
    """Issue every offender's record to everyone on the meeting's distribution list who has a
    need to know it: one numbered, logged copy per person per record, one line per file. A
    copy already issued (this version, this variant) is not issued again, so after a failure
    the command can simply be run again."""
    err = err if err is not None else sys.stderr
    if args.password_env and not args.sign:
        raise ValidationError.single("password-env", "--password-env goes with --sign.")
    folder = _output_folder(Path(args.output))
    variant = DistributionVariant.REDACTED if args.redacted else DistributionVariant.FULL
    with database.sessions.begin() as session:
        actor = database.actor(session)
    key = _signing_key(args, actor.display_name)
    run = distributing.distribute_meeting(
        database.sessions,
        _renderer(),
        actor,
        args.meeting_id,
        folder,
        variant=variant,
        signing=key,
        channel="command line",
    )
    for copy in run.written:
        extra = ", redacted" if copy.variant == DistributionVariant.REDACTED else ""
        extra += ", digitally signed" if copy.digitally_signed else ""
        out.write(
            f"Wrote {copy.path}: copy {copy.copy_number} of the record of case {copy.case_id} "
            f"for {copy.recipient}{extra} (SHA-256 {copy.file_sha256}).\n"
        )
    if run.error:
        raise StorageError(
            f"{run.error.rstrip('.')}; {len(run.written)} of {run.total} copies were made and "
            "logged: run the command again to make the rest."
        )
    if not run.total:
        err.write(
            f"Nothing to issue: every record of meeting {args.meeting_id} has already been "
            "issued to everyone on its distribution list who needs to know it.\n"
        )
    return EXIT_OK


# --- verify --------------------------------------------------------------------------------------


def verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a minutes PDF")
    parser.add_argument(
        "--trust",
        metavar="CERT",
        help="a certificate (.pem, or .p12 / .pfx) the signer of a signed copy must be",
    )
    password_options(parser, "environment variable holding the password of a --trust .p12 file")


def database_configured(args: argparse.Namespace) -> bool:
    """Whether a database is given or exists: ``--database``, ``MAPPA_DATABASE_URL``, or the
    local default file (looked for, never created)."""
    if getattr(args, "database", None) or os.environ.get(DATABASE_ENV):
        return True
    return paths.default_database_path().exists()


def _sqlite_file_missing(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:"):
        return None
    return None if Path(name).exists() else Path(name)


def _trust_certificate(args: argparse.Namespace) -> bytes | None:
    """The DER or PEM certificate of ``--trust`` (from a PKCS#12 file, its certificate)."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    if not args.trust:
        if args.password_env:
            raise ValidationError.single("password-env", "--password-env goes with --trust.")
        return None
    path = Path(args.trust)
    data = _read_file(path, "a certificate file", MAX_PKCS12_BYTES)
    if path.suffix.lower() not in (".p12", ".pfx"):
        return data
    password = (
        read_password(args.password_env, prompt=f"Password for {path}: ")
        if args.password_env
        else None
    )
    try:
        bundle = pkcs12.load_pkcs12(data, password.encode("utf-8") if password else None)
    except ValueError:
        raise ValidationError.single(
            "trust",
            f"{path} cannot be opened: it is not a PKCS#12 file, or it needs its password "
            "(--password-env).",
        ) from None
    if bundle.cert is None:
        raise ValidationError.single("trust", f"{path} holds no certificate.")
    return bundle.cert.certificate.public_bytes(Encoding.DER)


def run_verify(
    args: argparse.Namespace, out: TextIO, connect: Connect, err: TextIO | None = None
) -> int:
    """Exit 0 with a summary for a genuine copy (current or superseded); 1 with why not.
    Without a database configured, the file alone is checked (and the answer says so)."""
    from reports.verify import check_file, check_file_alone

    err = err if err is not None else sys.stderr
    path = Path(args.file)
    trust = _trust_certificate(args)
    data = _read_file(path, "a minutes PDF", MAX_PDF_BYTES)
    if not database_configured(args):
        result = check_file_alone(data, trust=trust)
        where = ""
    else:
        from mappa_desktop.db.engine import resolve_url

        missing = _sqlite_file_missing(resolve_url(getattr(args, "database", None)))
        if missing is not None:
            raise StorageError(
                f"There is no database at {missing}; nothing was checked and nothing was created."
            )
        database = connect(args)
        with database.read_sessions() as session:
            result = check_file(SessionRecords(session), data, trust=trust)
        where = f" (checked against {database.url})" if database.url else ""
    if not result.genuine:
        err.write(f"{path}: NOT VERIFIED: {result.summary}{where}\n")
        return EXIT_REFUSED
    out.write(f"{path}: {result.summary}{where}\n")
    return EXIT_OK


# --- certificate create --------------------------------------------------------------------------


def certificate_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="certificate_action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        allow_abbrev=False,
        help="make a self-signed signing certificate (PKCS#12 file)",
        description="Make a self-signed signing certificate (a password-protected PKCS#12 "
        "file). It is labelled as self-signed: others cannot check who made it, but verify "
        "recognises copies signed with the certificate the chair signed off with.",
    )
    create.add_argument("-o", "--output", required=True, metavar="FILE", help="the .p12 to write")
    create.add_argument("--name", required=True, help="the signer's name, as it should print")
    create.add_argument("--organisation", default="", help="the signer's agency")
    create.add_argument(
        "--days", type=int, default=365, help="how long it is valid (default 365 days)"
    )
    password_options(
        create, "environment variable holding the new password (else you are asked twice)"
    )
    create.set_defaults(certificate_run=run_certificate_create)


def run_certificate_create(args: argparse.Namespace, out: TextIO) -> int:
    from reports import signing

    path = Path(args.output)
    if path.exists():
        raise ValidationError.single(
            "output", f"{path} already exists; choose another name (it is never overwritten)."
        )
    password = read_password(
        args.password_env, prompt="Password for the new certificate: ", confirm=True
    )
    data = signing.make_self_signed_certificate(
        args.name, args.organisation, password=password, valid_days=args.days
    )
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise StorageError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    info = signing.certificate_info(data, password)
    out.write(
        f"Wrote {path}: self-signed certificate for {info.common_name}, valid until "
        f"{info.not_after.date().isoformat()} (SHA-256 fingerprint {info.sha256_fingerprint}).\n"
    )
    return EXIT_OK


def _run_certificate(args: argparse.Namespace, out: TextIO) -> int:
    run: Run = args.certificate_run
    return run(args, out)


# --- wiring --------------------------------------------------------------------------------------


def add_report_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    connect: Connect,
    options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Add ``minutes``, ``distribute``, ``verify`` and ``certificate`` to ``subparsers``; each sets
    ``run(args, out) -> int``. ``connect(args)`` opens the database; ``options(parser)`` adds
    the shared connection options (``--database``, ``--user``) to each command that needs them."""

    def with_database(
        run: Callable[[argparse.Namespace, TextIO, ReportDatabase], int],
    ) -> Run:
        return lambda args, out: run(args, out, connect(args))

    minutes = subparsers.add_parser(
        "minutes",
        allow_abbrev=False,
        help="write the minutes of a meeting as a PDF: one offender's record (--case) or the "
        "meeting-wide record (a numbered copy with --copy-for)",
        description="Write the minutes of a meeting as a PDF: with --case, that offender's "
        "record of the meeting; without, the meeting-wide record for the co-ordinator and "
        "chair. Signed-off minutes are logged by the file's SHA-256 so 'verify' can check it; "
        "a meeting not signed off gives a DRAFT. A copy of an offender's record for a person "
        "whose agency has no need to know the case is refused unless --reason is given; so is "
        "a copy of the meeting-wide record for anyone but the chair, co-ordinator, "
        "minute-taker and those who need to know every case on the agenda.",
    )
    verify = subparsers.add_parser(
        "verify",
        allow_abbrev=False,
        help="is this minutes PDF genuine and current?",
        description="Check a minutes PDF against the database: exit 0 if genuine (current or "
        "superseded by an addendum), 1 if not. With no database configured, only the file's "
        "own digital signature is checked (with --trust, against that certificate), and the "
        "answer says it was not compared with the area's record.",
    )
    distribute = subparsers.add_parser(
        "distribute",
        allow_abbrev=False,
        help="issue each offender's record to everyone who needs to know it",
        description="Issue the signed-off records of a meeting, one per offender, each to "
        "everyone on the meeting's distribution list whose agency needs to know that case "
        "(Responsible Authority agencies, agencies invited for or involved in it, the chair, "
        "co-ordinator and minute-taker): one numbered, logged PDF per person per record, one "
        "line per file. Copies already issued are not issued again.",
    )
    certificate = subparsers.add_parser(
        "certificate", help="make a signing certificate", description="Signing certificates."
    )
    for parser in (minutes, distribute, verify):
        if options is not None:
            options(parser)
    minutes_arguments(minutes)
    minutes.set_defaults(run=with_database(run_minutes))
    distribute_arguments(distribute)
    distribute.set_defaults(run=with_database(run_distribute))
    verify_arguments(verify)
    verify.set_defaults(run=lambda args, out: run_verify(args, out, connect))
    certificate_arguments(certificate)
    certificate.set_defaults(run=_run_certificate)
