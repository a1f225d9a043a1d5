"""What every jaxgan command does with a bad input or a stopped run: one line that says what to do.

`run(main)` replaces `absl.app.run(main)` in the command-line programs
(`jaxgan.main`, `jaxgan.sample`, `jaxgan.evaluate`). Errors a user can fix
(a bad config file or override, a missing dataset, a refused resume, a
diverged or preempted run, a failed save) end the program with

  jaxgan: <what was wrong and what to do>

on stderr and a non-zero exit status, without a traceback. `--verbosity=1`
(or higher) shows the traceback as well. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from absl import app, flags
from etils import epath

from jaxgan import config as config_lib
from jaxgan import layout
from jaxgan.errors import DatasetNotPreparedError, NotKeptError, RunError, Stopped

FLAGS = flags.FLAGS


def _exit_code(error: BaseException) -> int:
    return getattr(error, "exit_code", 1)


# What each expected error type is called in its one-line message.
_EXPECTED: tuple[tuple[type[BaseException], str], ...] = (
    (config_lib.ConfigError, "config error: "),
    (DatasetNotPreparedError, ""),
    (RunError, ""),
    (NotKeptError, ""),
    (Stopped, ""),
    (FloatingPointError, ""),
    (FileNotFoundError, ""),
    (flags.Error, ""),
)


def _wants_traceback(argv: Sequence[str]) -> bool:
    """True when `--verbosity`/`-v` asks for more than the default (absl parses it only later)."""
    for i, arg in enumerate(argv):
        for name in ("--verbosity", "-v"):
            if arg.startswith(name + "="):
                return _positive(arg.split("=", 1)[1])
            if arg == name and i + 1 < len(argv):
                return _positive(argv[i + 1])
    return False


def _positive(value: str) -> bool:
    try:
        return int(value) >= 1
    except ValueError:
        return False


def _override_error(argv: Sequence[str], error: Exception) -> str | None:
    """The message for a `--config.<key>=value` that names no config key, else None."""
    missing = str(error).strip("\"'")
    for arg in argv:
        if arg.startswith("--config.") and "=" in arg:
            key = arg[len("--config."):].split("=", 1)[0]
            if key.split(".")[-1] == missing:
                block = next((b for b in config_lib.FREE_FORM if key.startswith(b + ".")), None)
                if block:
                    return (f"{arg.split('=', 1)[0]}: the config file's `{block}` block has no {missing!r}, and "
                            f"--config.* can only change keys the file sets; set it in the experiment file.")
                known = sorted(config_lib.flat_keys(config_lib.base_config()))
                return (f"{arg.split('=', 1)[0]}: no such config key. Valid keys: {', '.join(known)} (and the "
                        f"options of model.g, model.d, penalties and family, which the config file sets).")
    return None


def _one_line(text: str) -> str:
    """A message that may hold a formatted traceback (ml_collections puts one in its flag errors) as one line."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        lines = lines[-1:]  # the exception line itself, e.g. "jaxgan.config.ConfigError: ..."
        lines[0] = lines[0].split(": ", 1)[-1] if lines[0].split(":", 1)[0].endswith("Error") else lines[0]
    return " ".join(lines)


def parse_flags(argv: list[str]) -> list[str]:
    """absl's flag parsing, with a bad config file or override as one line instead of a traceback."""
    try:
        return FLAGS(argv)
    except Exception as e:  # a bad flag, a config file that does not load, or an override that does not apply
        if _wants_traceback(argv):
            raise
        if isinstance(e, (AttributeError, KeyError)) and (message := _override_error(argv, e)):
            sys.exit(f"jaxgan: {message}")
        if isinstance(e, flags.Error):
            sys.exit(f"jaxgan: {_one_line(e)} (--helpfull lists the flags)")
        sys.exit(f"jaxgan: the config could not be loaded: {type(e).__name__}: {_one_line(e)}")


def loaded(config_flag: flags.FlagHolder) -> Any:
    """The value of a config-file flag, loading it now: ml_collections defers a failed load to first use."""
    try:
        value = config_flag.value
        value.keys()  # raises OSError when the file could not be loaded
        return value
    except OSError as e:
        if FLAGS.verbosity >= 1:
            raise
        sys.exit(f"jaxgan: the config could not be loaded: {_one_line(e)}")


def check_ema_decay(workdir: str | None, decay: float | None) -> None:
    """`--ema_decay` against the decays the run's `config.json` keeps, in 0.2 s instead of after JAX
    starts and the checkpoint is restored (`sampling.with_ema_decay` checks the state itself again).

    A workdir without a readable config is left to the restore, which says what is wrong.
    """
    if decay is None or not workdir:
        return
    try:
        ema = json.loads((epath.Path(workdir) / layout.CONFIG_FILE).read_text())["ema"]
        main_decay, extra = float(ema["decay"]), [float(d) for d in ema.get("extra_decays", ())]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if decay != main_decay and decay not in extra:
        raise NotKeptError.ema(decay, main_decay, extra)


def report(error: BaseException) -> None:
    """Exits with `error`'s one-line message if it is one a user can fix; returns otherwise."""
    for kind, prefix in _EXPECTED:
        if isinstance(error, kind):
            print(f"jaxgan: {prefix}{error}", file=sys.stderr)
            sys.exit(_exit_code(error))


def run(main: Callable[[list[str]], None]) -> None:
    """`app.run(main)` with user errors as one line (see the module docstring)."""

    def wrapped(argv: list[str]) -> None:
        try:
            main(argv)
        except Exception as e:
            if FLAGS.verbosity < 1:
                report(e)
            raise

    app.run(wrapped, flags_parser=parse_flags)
