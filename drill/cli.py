"""The drill command: parse, call the core, render. Nothing else lives here.

Modules are imported inside the commands, so `drill --help` loads click alone.
"""
import sys

import click


class DrillGroup(click.Group):
    """Turns a DrillError anywhere below into one line on stderr and its exit code."""

    def invoke(self, ctx):
        from drill.errors import DrillError
        try:
            return super().invoke(ctx)
        except DrillError as exc:
            from drill import render
            render.error(str(exc))
            ctx.exit(exc.exit_code)


@click.group(cls=DrillGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Write micrograd from memory: chunk by chunk, then against the clock.

    drill keeps its data in $DRILL_HOME (default: your user data folder).
    """


@cli.command("list")
def list_chunks():
    """The chunks in learning order, with target times and prerequisites."""
    from drill import render
    from drill.catalog import load_catalog
    render.chunk_list(load_catalog())


@cli.command()
@click.argument("chunk")
def card(chunk):
    """What CHUNK asks you to write."""
    from drill import render
    from drill.catalog import get_chunk
    render.card(get_chunk(chunk))


@cli.command()
@click.argument("chunk")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the stub to this file.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def stub(chunk, output, force):
    """The file CHUNK starts from: the reference with that chunk's parts left blank."""
    from pathlib import Path

    from drill import render
    from drill.catalog import get_chunk
    from drill.errors import DrillError
    from drill.stub import make_stub
    text = make_stub(get_chunk(chunk))
    if not output:
        render.code(text)
        return
    path = Path(output)
    if path.exists() and not force:
        raise DrillError(f"{path} already exists; drill never overwrites your work "
                         "(--force replaces it)")
    path.write_text(text, encoding="utf-8")
    render.wrote(path, f"the {chunk} stub")


@cli.command()
@click.argument("chunk")
@click.option("--file", "path", required=True, help="The file to grade.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--quick", is_flag=True, help="The quick profile used on every save, not the thorough one.")
def check(chunk, path, as_json, quick):
    """Grade a file against CHUNK's suite; records nothing.

    Exit status: 0 when every test passes, 1 when any does not, 2 for usage errors.
    """
    from drill import render
    from drill.catalog import get_chunk
    from drill.grading import grade
    target = get_chunk(chunk)
    profile = "quick" if quick else "thorough"
    if as_json:
        result = grade(target, path, profile)
        render.json_out(result.to_dict())
    else:
        with render.CheckProgress(target.name) as progress:
            result = grade(target, path, profile, on_event=progress)
        render.check_result(result)
    sys.exit(0 if result.passed else 1)


def main():
    cli(prog_name="drill")
