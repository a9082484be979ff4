"""The ``kg`` command. Exit codes: 0 success, 1 invalid data (nothing published),
2 usage, I/O or store error. Each command lives in a module of this package.
"""

from __future__ import annotations

import sys

import click

import kg
from kg.errors import KgError, ValidationFailed


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(kg.__version__, prog_name="kg")
def cli() -> None:
    """Publish a university library's knowledge as linked open data.

    \b
    Build the bundled demo and serve it:
      kg build && kg serve
    """


def _register() -> None:
    from kg.cli import build, export, harvest, query, serve

    for module in (build, query, serve, export, harvest):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Run the CLI, turning the project's errors into messages and exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except ValidationFailed as error:
        click.echo(f"kg: {error.message}", err=True)
        sys.exit(error.exit_code)
    except KgError as error:
        click.echo(f"kg: error: {error.message}", err=True)
        sys.exit(error.exit_code)
    except OSError as error:
        # I/O failures outside the store's own handling (a full disk while writing
        # a release's files, a permission problem): exit 2, never a traceback.
        click.echo(f"kg: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
                   err=True)
        sys.exit(2)
    sys.exit(0)
