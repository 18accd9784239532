"""Passwords on the command line: read from an environment variable or asked for on the terminal,
never given as an argument (other users could read it in the process list)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from mappa_desktop.domain.errors import ValidationError


def read_password(env_var: str | None, *, prompt: str, confirm: bool = False) -> str:
    """The password from ``$env_var``, else asked on the terminal (never echoed)."""
    if env_var:
        value = os.environ.get(env_var)
        if value is None:
            raise ValidationError.single(
                "password-env", f"The environment variable {env_var} is not set."
            )
        return value
    if not sys.stdin.isatty():
        raise ValidationError.single(
            "password",
            "No terminal to ask for the password on; give --password-env VAR with the password "
            "in that environment variable.",
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the password: ") != first:
        raise ValidationError.single("password", "The two passwords differ; nothing was made.")
    return first


class NoPasswordOnCommandLine(argparse.Action):
    """``--password`` exists only to refuse it, without echoing the value back."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            "a password is never given on the command line (other users could read it in the "
            "process list); use --password-env VAR, or leave it out to be asked"
        )


def password_options(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup, help_text: str
) -> None:
    """``--password-env VAR``, and a ``--password`` that exists only to be refused."""
    parser.add_argument("--password-env", metavar="VAR", help=help_text)
    parser.add_argument("--password", help=argparse.SUPPRESS, action=NoPasswordOnCommandLine)
