"""The `jingzhun` command line (contract: shared product.md). Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """Invalid input or state: printed as a clear message, exit code 1."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()


def _require_initialized() -> None:
    from jingzhun.core.dbstate import pending_migrations

    try:
        pending = pending_migrations()
    except Exception as exc:  # unreachable server, bad credentials …
        raise CommandError(f"无法连接数据库：{exc}") from exc
    if pending:
        raise CommandError(
            "数据库尚未初始化或需要升级，请先运行 `jingzhun init`（database not initialised: run `jingzhun init`）"
        )


def progress_printer(label: str) -> Callable[[int, int, str], None]:
    """A one-line progress bar on stderr (a real bar on a terminal, periodic lines otherwise)."""
    tty = sys.stderr.isatty()
    state = {"last": -1}

    def show(done: int, total: int, message: str = "") -> None:
        pct = int(done * 100 / total) if total else 0
        if tty:
            bar = "█" * (pct // 4) + "░" * (25 - pct // 4)
            sys.stderr.write(f"\r{label} {bar} {pct:3d}% {done}/{total} {message[:40]:<40}")
            if total and done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif pct // 10 != state["last"] // 10 or (total and done >= total and state["last"] != 100):
            state["last"] = pct
            sys.stderr.write(f"{label} {pct}% ({done}/{total}) {message}\n")
            sys.stderr.flush()

    return show


# --- commands -----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from jingzhun.core.dbstate import initialize

    summary = initialize(city=args.city, printer=print)
    print(f"数据库已就绪：{summary['regions']} 个行政区划（新增 {summary['created']}）。")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from jingzhun.demo import build_demo

    info = build_demo(households=args.households, seed=args.seed, printer=print)
    port = args.port
    print()
    print("演示数据已生成 / demo ready:")
    for user in info["users"]:
        print(f"  {user['role']:<14} 用户名 {user['username']:<12} 密码 {user['password']}  {user['scope']}")
    if args.no_serve:
        return EXIT_OK
    print(f"\n打开 http://127.0.0.1:{port}/ 登录（Ctrl+C 停止）")
    return cmd_serve(argparse.Namespace(port=port, host=args.host, workers=args.workers), initialized=True)


def cmd_serve(args: argparse.Namespace, *, initialized: bool = False) -> int:
    if not initialized:
        _require_initialized()
    from jingzhun.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    _require_initialized()
    import threading

    from jingzhun.jobs.runner import work_forever

    stop = threading.Event()
    try:
        work_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from jingzhun.workbook.generate import generate_to_path

    if args.households <= 0:
        raise CommandError("--households 必须是正整数")
    summary = generate_to_path(
        args.out,
        households=args.households,
        seed=args.seed,
        year=args.year,
        progress=progress_printer("生成"),
    )
    print(f"已生成 {summary['households']} 户 {summary['members']} 人 → {args.out}")
    return EXIT_OK


def cmd_registry_import(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.workbook.commands import run_import

    return run_import(
        path=args.path,
        dry_run=args.dry_run,
        username=args.user,
        errors_out=args.errors_out,
        progress=progress_printer("导入"),
    )


def cmd_registry_export(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.workbook.commands import run_export

    return run_export(out=args.out, region=args.region, year=args.year, progress=progress_printer("导出"))


def cmd_registry_template(args: argparse.Namespace) -> int:
    from jingzhun.workbook.template import write_template

    write_template(args.out)
    print(f"已写出模板 → {args.out}")
    return EXIT_OK


def cmd_registry_snapshot(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.accounts.access import Actor
    from jingzhun.registry.services.snapshots import snapshot_take

    count = snapshot_take(actor=Actor(user=None), year=args.year, progress=progress_printer("快照"))
    print(f"{args.year} 年度快照：{count} 户")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.standards.commands import run_assess

    return run_assess(
        level=args.level, year=args.year, region=args.region, out=args.out, progress=progress_printer("评估")
    )


def cmd_user_create(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.accounts.services import user_create_with_role

    user, password = user_create_with_role(
        username=args.username,
        role=args.role,
        region_code=args.region,
        password=args.password,
        display_name=args.name or args.username,
    )
    print(f"已创建用户 {user.username}（{args.role} @ {args.region}），密码：{password}")
    return EXIT_OK


def cmd_ledger(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.ledger import commands as ledger

    if args.ledger_command == "import":
        return ledger.run_import(path=args.path, username=args.user, errors_out=args.errors_out)
    if args.ledger_command == "list":
        return ledger.run_list(
            out=args.out,
            kind=args.kind,
            status=args.status,
            overdue=args.overdue,
            as_of=args.as_of,
            region=args.region,
        )
    if args.ledger_command == "summary":
        return ledger.run_summary(out=args.out, as_of=args.as_of)
    return ledger.run_escalate(as_of=args.as_of)


# --- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jingzhun", description="精准 — 县级精准扶贫信息系统")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="创建或升级数据库并载入慈利县行政区划（幂等）")
    p.add_argument("--city", action="store_true", help="载入张家界市全部行政区划")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="新建演示数据库（真实区划 + 合成县）、演示账号，并启动服务")
    p.add_argument("--households", type=int, default=30000)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-serve", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="启动网页、API 与后台任务进程")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="只运行后台任务进程")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("generate", help="生成合成县的登记簿（.xlsx 或 CSV 文件夹）")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--households", type=int, required=True)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--year", type=int, default=2018)
    p.set_defaults(func=cmd_generate)

    registry = sub.add_parser("registry", help="登记簿导入、导出、模板、年度快照")
    rsub = registry.add_subparsers(dest="registry_command", required=True, metavar="ACTION")
    p = rsub.add_parser("import", help="导入 .xlsx、CSV 文件夹或 .zip（全有或全无）")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    p.add_argument("--user", default=None, help="以该用户的管辖范围导入（默认：全县，系统）")
    p.add_argument("--errors-out", default=None, help="错误报告写到此处（.xlsx 或 .csv）")
    p.set_defaults(func=cmd_registry_import)
    p = rsub.add_parser("export", help="导出登记簿 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--region", default=None, help="只导出该区划（代码）")
    p.add_argument("--year", type=int, default=None, help="导出该数据年度的快照")
    p.set_defaults(func=cmd_registry_export)
    p = rsub.add_parser("template", help="写出空白导入模板 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")
    p.set_defaults(func=cmd_registry_template)
    p = rsub.add_parser("snapshot", help="保存数据年度快照")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=cmd_registry_snapshot)

    p = sub.add_parser("assess", help="按年度评估户、村、县是否达到退出标准")
    p.add_argument("level", choices=["households", "villages", "county"])
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--region", default=None)
    p.add_argument("--out", default=None, metavar="FILE.csv")
    p.set_defaults(func=cmd_assess)

    ledger = sub.add_parser("ledger", help="台账：导入、清单、汇总、督办升级（spec/ledger.md）")
    lsub = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    p = lsub.add_parser("import", help="导入 .xlsx（单位/问题/信访）或 问题.csv、信访.csv（全有或全无）")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--user", default=None, help="以该用户的管辖范围导入（默认：全县，系统）")
    p.add_argument("--errors-out", default=None, help="错误报告写到此处（.xlsx 或 .csv）")
    p = lsub.add_parser("list", help="台账清单 CSV")
    p.add_argument("--kind", default=None, help="problem|petition|directive|task|case 或中文类型")
    p.add_argument("--status", default=None)
    p.add_argument("--overdue", action="store_true")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--region", default=None, metavar="CODE")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p = lsub.add_parser("summary", help="台账汇总 CSV")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p = lsub.add_parser("escalate", help="逾期督办升级（提醒、督办、通报、约谈），幂等")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD")
    ledger.set_defaults(func=cmd_ledger)

    user = sub.add_parser("user", help="账号管理")
    usub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = usub.add_parser("create", help="创建账号并授予角色")
    p.add_argument("username")
    p.add_argument("--role", required=True)
    p.add_argument("--region", required=True, help="管辖区划代码")
    p.add_argument("--password", default=None, help="默认随机生成并打印")
    p.add_argument("--name", default=None, help="姓名")
    p.set_defaults(func=cmd_user_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    try:
        _setup_django()
        code: Any = args.func(args)
    except CommandError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("\n已中断", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
