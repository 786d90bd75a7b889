"""The ``cfsim`` command: thin, it parses, calls the model and prints.

Each command imports only what it needs (Mesa, pandas and pyarrow cost seconds
of start-up), so listing and bad-input messages are fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from sim.assumptions import ASSUMPTIONS, check_assumption
from sim.output_files import provenance, sidecar, write_atomically
from sim.parameters import DEFAULTS, PARAMETERS, InputError, allowed, check_value, resolve, whole_number
from sim.scenario_files import find_preset, list_presets
from sim.sizing import check_fits, check_outputs_fit

OUTPUT_SUFFIXES = (".csv", ".parquet")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit 2."""

    def error(self, message: str):
        raise InputError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The ``cfsim`` command line."""
    parser = _Parser(prog="cfsim", description="Customer Focus Simulator")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("scenarios", help="list the preset scenarios")
    commands.add_parser("parameters", help="list the parameters, their ranges and defaults")
    commands.add_parser("assumptions", help="list the model's assumptions: value, plausible range, unit, source")
    run = commands.add_parser("run", help="run a scenario and write its weekly outputs")
    run.add_argument("scenario", nargs="?", default="baseline", help="preset name or path to a .toml file")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable)")
    run.add_argument("--assume", dest="assumptions", action="append", default=[], metavar="NAME=VALUE",
                     help="override an assumption (repeatable; `cfsim assumptions` lists them)")
    run.add_argument("--weeks", help="number of weeks")
    run.add_argument("--seed", help="root seed")
    run.add_argument("--replications", default="1", help="replications with independent seeds (default 1)")
    run.add_argument("--out", help="write weekly outputs to FILE.csv or FILE.parquet")
    # --- sweep: owned by sim/sweeps ---
    sweep = commands.add_parser("sweep", help="run a parameter sweep described in a TOML file")
    sweep.add_argument("file", help="sweep file (.toml), e.g. scenarios/sweeps/quick.toml")
    sweep.add_argument("--out", required=True, help="results directory (created; re-run to resume)")
    sweep.add_argument("--workers", help="worker processes of the local Dask cluster (default: CPU count)")
    sweep.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    # --- analyse: owned by analysis ---
    analyse = commands.add_parser("analyse", help="statistics, sensitivity indices and plots of a sweep's results")
    analyse.add_argument("directory", help="results directory written by cfsim sweep")
    analyse.add_argument("--output", default="retention_rate", help="weekly output to analyse (default retention_rate)")
    analyse.add_argument("--last-weeks", help="a run's response is the output's mean over its last N weeks "
                                              "(default 52; 1 = final week)")
    analyse.add_argument("--target", help="scenario discovery target: which levers keep the response at or above "
                                          "it (default: upper quartile of the design points)")
    analyse.add_argument("--level", help="confidence level of intervals (default 0.95)")
    analyse.add_argument("--report", help="directory to write the report in (default DIR/report)")
    # --- calibrate: owned by analysis/calibration ---
    calibrate = commands.add_parser("calibrate", help="keep the assumption vectors consistent with several targets")
    calibrate.add_argument("file", help="calibration file (.toml), e.g. scenarios/calibration/published.toml")
    calibrate.add_argument("--out", required=True, help="results directory (created; re-run to resume)")
    calibrate.add_argument("--workers", help="worker processes of the local Dask cluster (default: CPU count)")
    calibrate.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    # --- dashboard: owned by sim/dashboard ---
    dashboard = commands.add_parser("dashboard", help="serve the dashboard in the browser")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    dashboard.add_argument("--port", default="8765", help="port (default 8765)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cfsim``; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "scenarios":
            return show_scenarios()
        if args.command == "parameters":
            return show_parameters()
        if args.command == "assumptions":
            return show_assumptions()
        if args.command == "sweep":
            from sim.sweeps.command import sweep

            return sweep(args)
        if args.command == "analyse":
            from analysis.command import analyse

            return analyse(args)
        if args.command == "calibrate":
            from analysis.calibration.command import calibrate

            return calibrate(args)
        if args.command == "dashboard":
            from sim.dashboard.serve import serve

            return serve(args)
        return run(args)
    except InputError as error:
        print(f"cfsim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cfsim: interrupted; nothing written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped, e.g. head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def show_scenarios() -> int:
    """Print every preset with its description."""
    for preset in list_presets():
        print(f"{preset.key}: {preset.name}")
        print(textwrap.indent(textwrap.fill(preset.description, 76), "    "))
    return 0


def show_parameters() -> int:
    """Print every parameter with its default, range and help."""
    for name, (_, spec) in PARAMETERS.items():
        print(f"{name} (default {DEFAULTS[name]}; {allowed(name)})")
        print(textwrap.indent(textwrap.fill(spec.help, 76), "    "))
    return 0


def show_assumptions() -> int:
    """Print every assumption: value and unit, plausible range, source, help."""
    for a in ASSUMPTIONS.values():
        print(f"{a.name} = {a.value:g} {a.unit} (plausible {a.low:g} to {a.high:g}; source: {a.source})")
        print(textwrap.indent(textwrap.fill(a.help, 76), "    "))
    return 0


def parse_pairs(pairs: list[str], flag: str, check, example: str) -> dict:
    """``NAME=VALUE`` strings of ``flag`` to typed values, each checked by ``check(name, value, where)``."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"{flag} {pair!r}: expected NAME=VALUE, e.g. {flag} {example}")
        values[name.strip()] = check(name.strip(), value, f"{flag} ")
    return values


def check_out(out: str | None) -> Path | None:
    """Validate ``--out`` before any work is done."""
    if out is None:
        return None
    path = Path(out)
    if path.suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"--out {out}: expected a file ending in .csv or .parquet")
    if not path.parent.resolve().is_dir():
        raise InputError(f"--out {out}: directory {path.parent} does not exist")
    if not os.access(path.parent.resolve(), os.W_OK):
        raise InputError(f"--out {out}: directory {path.parent} is not writable")
    for written in (path, sidecar(path)) if path.suffix == ".csv" else (path,):
        if written.is_dir():
            raise InputError(f"--out {out}: cannot write: {written} is a directory")
    return path


def run(args) -> int:
    """``cfsim run``: check everything, run the replications, write the outputs, print a summary."""
    preset = find_preset(args.scenario)
    overrides = parse_pairs(args.overrides, "--set", check_value, "transparency=0.8")
    assumptions = parse_pairs(args.assumptions, "--assume", check_assumption, "win_rate=0.005")
    for flag in ("weeks", "seed"):
        if getattr(args, flag) is not None:
            overrides[flag] = check_value(flag, getattr(args, flag), "--")
    replications = whole_number(args.replications, 1, 10_000, "--replications")
    out = check_out(args.out)
    values, timeline = resolve({**preset.parameters, **overrides}, preset.interventions)  # all checks before Mesa
    check_fits(values["n_employees"], values["n_customers"])
    check_outputs_fit(replications, values["weeks"], values["n_employees"], values["n_customers"])

    import pandas as pd  # Mesa and pandas load only now, after every check has passed

    from sim.model import CustomerFocusModel

    frames = []
    for replication in range(replications):  # a scenario refers to its model: keep neither once run
        weekly = CustomerFocusModel(preset.scenario(replication, assumptions=assumptions, **overrides)).run()
        weekly.insert(0, "replication", replication)
        weekly.insert(0, "scenario", preset.key)
        frames.append(weekly)
    outputs = pd.concat(frames, ignore_index=True)
    del frames
    if out is not None:
        resolved = {**preset.assumptions, **assumptions}
        write_atomically(outputs, out, provenance(preset, values, timeline, resolved, replications))
    print(summary(preset, values, outputs, out))
    return 0


def summary(preset, values: dict, outputs, out: Path | None) -> str:
    """A few lines: the run, the final retention (with a 95% interval when replicated), the file."""
    final = outputs[outputs["week"] == outputs["week"].max()]
    n = len(final)
    retention = f"{final['retention_rate'].mean():.1%}"
    if n > 1:
        from analysis.statistics import t_interval  # imports scipy.stats: only when there is an interval

        _, low, high = t_interval(final["retention_rate"].to_numpy())
        retention += f" (95% interval {low:.1%} to {high:.1%})"
    lines = [
        f"scenario: {preset.key} ({preset.name}); {values['weeks']} weeks, seed {values['seed']}, "
        f"{n} replication{'s' if n > 1 else ''}",
        f"final annual retention: {retention}",
        f"final customer focus: {final['customer_focus_mean'].mean():.2f} "
        f"(leaders {final['customer_focus_leaders'].mean():.2f}); "
        f"cross-silo handoff success: {final['cross_silo_handoff_success_rate'].mean():.1%}",
    ]
    if out is not None:
        lines.append(f"weekly outputs: {out} ({len(outputs)} rows)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
