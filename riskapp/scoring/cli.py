"""Command line: `python -m riskapp.scoring score|validate|list`.

Bad input exits with status 2 and one line per problem on stderr, nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from riskapp.scoring.engine import score, validate
from riskapp.scoring.loader import (
    DEFAULT_CHECKLIST_ID,
    get_checklist,
    load_checklist,
    shipped_checklists,
)
from riskapp.scoring.model import Checklist, ChecklistError

EXIT_INVALID = 2
_INPUT_KEYS = {"context", "answers", "assessed_on"}


class _InputError(Exception):
    def __init__(self, lines: Sequence[str]):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and status 2."""

    def error(self, message: str) -> NoReturn:
        raise _InputError([f"{self.prog}: {message}"])


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m riskapp.scoring", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    score_cmd = commands.add_parser("score", help="score an assessment (JSON) and print the result")
    score_cmd.add_argument("input", help='JSON file {"context": {...}, "answers": {...}}, or -')
    score_cmd.add_argument(
        "--checklist",
        default=DEFAULT_CHECKLIST_ID,
        help=f"shipped checklist id (default {DEFAULT_CHECKLIST_ID}) or a definition file",
    )
    score_cmd.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of texts")
    check_cmd = commands.add_parser("validate", help="check a checklist definition file")
    check_cmd.add_argument("file")
    commands.add_parser("list", help="list the shipped checklists")
    return parser


def _write(stream: Any, text: str) -> None:
    """UTF-8 whatever the locale, so Vietnamese survives a C locale."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)


def _checklist(spec: str) -> Checklist:
    path = Path(spec)
    if path.suffix.lower() in {".yaml", ".yml", ".json"} or path.is_file():
        return load_checklist(path)
    return get_checklist(spec)


def _read_input(name: str) -> dict[str, Any]:
    """The input file's context, answers and assessed_on (a date, today if not given)."""
    try:
        data = json.loads(_read_text(name))
    except json.JSONDecodeError as exc:
        raise _InputError(
            [f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    if not isinstance(data, dict):
        raise _InputError([f'{name}: expected an object {{"context": ..., "answers": ...}}'])
    problems = [f"{name}: unknown key {key!r} (use context, answers, assessed_on)"
                for key in data if key not in _INPUT_KEYS]
    for key in ("context", "answers"):
        if key not in data:
            problems.append(f"{name}: missing {key!r}")
        elif not isinstance(data[key], dict):
            problems.append(f"{name}: {key!r} must be an object")
    assessed_on = data.get("assessed_on")
    if assessed_on is None:
        data["assessed_on"] = date.today()
    else:
        try:
            data["assessed_on"] = date.fromisoformat(assessed_on)
        except (TypeError, ValueError):
            problems.append(f"{name}: assessed_on must be a date YYYY-MM-DD, not {assessed_on!r}")
    if problems:
        raise _InputError(problems)
    return data


def _read_text(name: str) -> str:
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _InputError([f"{name}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _InputError([f"{name}: cannot read the file: {reason}"]) from None


def _score(args: argparse.Namespace) -> int:
    checklist = _checklist(args.checklist)
    data = _read_input(args.input)
    problems = validate(checklist, data["context"], data["answers"])
    if problems:
        raise _InputError([p.message.get(args.lang) for p in problems])
    result = score(checklist, data["context"], data["answers"], data["assessed_on"])
    _write(sys.stdout, json.dumps(result.to_cli_dict(args.lang), ensure_ascii=False, indent=2))
    _write(sys.stdout, "\n")
    return 0


def _validate(args: argparse.Namespace) -> int:
    checklist = load_checklist(args.file)
    total = checklist.max_points_total
    _write(
        sys.stdout,
        f"{args.file}: OK — {checklist.id} v{checklist.version}, {len(checklist.items)} items, "
        f"{total} points at most, fingerprint {checklist.fingerprint[:16]}\n",
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    lines = [
        f"{c.id}\tv{c.version}\t{c.effective_from.isoformat()}\t{len(c.items)} items\t{c.title.en}"
        for c in shipped_checklists()
    ]
    _write(sys.stdout, "\n".join(lines) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        command = {"score": _score, "validate": _validate, "list": _list}[args.command]
        return command(args)
    except _InputError as exc:
        _write(sys.stderr, "\n".join(exc.lines) + "\n")
    except ChecklistError as exc:
        _write(sys.stderr, "\n".join(exc.problems) + "\n")
    return EXIT_INVALID
