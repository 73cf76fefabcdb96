"""`trials` command: run, sql, match, serve. Argument parsing and printing only."""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import sys
from pathlib import Path

from flows.prefect_env import configure_prefect_env, prefect_api, start_temporary_server
from flows.settings import load_settings


def _fail(message: str, code: int = 2) -> int:
    print(f"trials: {message}", file=sys.stderr)
    return code


def _check_writable(db: Path) -> str | None:
    """Why the database cannot be written, or None."""
    parent = db.parent if str(db.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder of the database {db}: {exc.strerror}"
    if db.exists() and (db.is_dir() or not os.access(db, os.W_OK)):
        return f"database {db} is not a writable file"
    if not db.exists() and not os.access(parent, os.W_OK):
        return f"database folder {parent} is not writable"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    missing = [s for s in args.source if not Path(s).exists()]
    if missing:
        return _fail(f"source path not found: {', '.join(missing)}")
    problem = _check_writable(Path(args.db))
    if problem:
        return _fail(problem)
    configure_prefect_env()
    server = start_temporary_server()  # boots while the imports below run
    from flows.etl import PublishError, prepare_parsing, run_etl
    from flows.summary import print_summary
    from warehouse.load import WarehouseLocked

    if server is not None:  # the server still boots: warm up for the flow meanwhile
        prepare_parsing(load_settings())
    try:
        with prefect_api(server):
            summary = run_etl(
                sources=[str(Path(s)) for s in args.source],
                db=str(args.db),
                parquet=str(args.parquet),
                strict=args.strict,
                export_contacts=args.export_contacts,
                full_refresh=args.full_refresh,
            )
    except WarehouseLocked as exc:
        return _fail(str(exc), 3)
    except PublishError as exc:
        return _fail(str(exc), 4)
    except Exception as exc:
        return _fail(f"run failed, the database is unchanged: {type(exc).__name__}: {exc}", 1)
    print_summary(summary)
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary, default=str, indent=1), encoding="utf-8")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from flows.sql_shell import run_query

    return run_query(Path(args.db), args.statement, args.format)


def cmd_match(args: argparse.Namespace) -> int:
    from flows.match_cli import run_match

    return run_match(args)


def cmd_serve(args: argparse.Namespace) -> int:
    missing = [s for s in args.source if not Path(s).exists()]
    if missing:
        return _fail(f"source path not found: {', '.join(missing)}")
    configure_prefect_env()
    from flows.serve import serve

    return serve(args.source, str(args.db), str(args.parquet), args.cron, args.port)


def build_parser() -> argparse.ArgumentParser:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="trials", description="Clinical-trial registry warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, default=settings.db_path, help="DuckDB file (default: %(default)s)")

    run = sub.add_parser("run", help="one flow run over every file under each --source")
    run.add_argument("--source", action="append", required=True, help="file or folder (repeatable)")
    add_db(run)
    run.add_argument("--parquet", type=Path, default=settings.parquet_dir, help="Parquet folder")
    run.add_argument("--strict", action="store_true", help="fail the run on any row that fails validation")
    run.add_argument("--export-contacts", action="store_true", help="also export the contacts table")
    run.add_argument("--full-refresh", action="store_true", help="reprocess documents even when unchanged")
    run.add_argument("--summary-json", type=Path, help="also write the run summary (stage seconds) as JSON")
    run.set_defaults(func=cmd_run)

    sql = sub.add_parser("sql", help="run one statement read-only and print the result")
    add_db(sql)
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("statement")
    sql.set_defaults(func=cmd_sql)

    match = sub.add_parser("match", help="trials whose structured criteria admit a patient, ranked")
    add_db(match)
    from flows.match_cli import add_arguments

    add_arguments(match)
    match.set_defaults(func=cmd_match)

    serve = sub.add_parser("serve", help="run the flow on a cron schedule (starts a Prefect server if needed)")
    serve.add_argument("--source", action="append", required=True)
    add_db(serve)
    serve.add_argument("--parquet", type=Path, default=settings.parquet_dir)
    serve.add_argument("--cron", default="0 3 * * *", help="schedule (default daily at 03:00)")
    serve.add_argument("--port", type=int, default=4200, help="port of the Prefect server it starts")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


def command() -> None:
    """The `trials` command: main(), then an exit without the interpreter's teardown, which frees a
    run's heap object by object (a second or more) once every exit handler has already run."""
    exit_code: list[int] = []
    atexit.register(_end_without_teardown, exit_code)  # registered first, so it runs last
    exit_code.append(main())
    sys.exit(exit_code[0])


def _end_without_teardown(exit_code: list[int]) -> None:
    if not exit_code:  # main() raised: the usual exit, traceback and all
        return
    logging.shutdown()  # the one exit handler registered before this one
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code[0])


if __name__ == "__main__":
    command()
