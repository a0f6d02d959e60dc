"""The `jingzhun` command line (contract: shared product.md). Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.terminal import progress_printer

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CommandError(ValidationFailed):
    """Invalid input or state found by the CLI itself: printed as a clear message, exit code 1."""

    def __init__(self, message: str):
        super().__init__({"__all__": message})


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


def cmd_init(args: argparse.Namespace) -> int:
    from jingzhun.core.dbstate import initialize

    summary = initialize(city=args.city, printer=print)
    print(f"数据库已就绪：{summary['regions']} 个行政区划（新增 {summary['created']}）。")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from jingzhun.demo.command import build_demo

    info = build_demo(households=args.households, seed=args.seed, printer=print)
    port = args.port
    print()
    print("演示数据已生成 / demo ready:")
    for user in info["users"]:
        print(f"  {user['role']:<14} 用户名 {user['username']:<12} 密码 {user['password']}  {user['scope']}")
    if args.no_serve:
        return EXIT_OK
    if "JINGZHUN_OTP_REQUIRED" not in os.environ:
        # The demo's own server only: its users sign in with the printed password alone. `jingzhun serve`
        # (and the demo with JINGZHUN_OTP_REQUIRED=1) asks the roles that need it for a TOTP code.
        from django.conf import settings

        settings.JINGZHUN_OTP_REQUIRED = False
        os.environ["JINGZHUN_OTP_REQUIRED"] = "0"
        print(
            "\n演示服务不要求动态口令（正式部署 jingzhun serve 对管理员、县领导、纪委及可导出个人信息的角色要求）"
        )
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

    from jingzhun.jobs.worker import work_forever

    stop = threading.Event()
    try:
        work_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from jingzhun.demo.generate import generate_to_path

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
        year=args.year,
    )


def cmd_registry_export(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.workbook.commands import run_export

    return run_export(
        out=args.out,
        region=args.region,
        year=args.year,
        layout=args.layout,
        progress=progress_printer("导出"),
    )


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


def cmd_verify_cleanse(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.verification.commands import run_cleanse_command

    return run_cleanse_command(year=args.year, region=args.region, out=args.out)


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


def cmd_audit_verify(args: argparse.Namespace) -> int:
    if args.archive:
        from jingzhun.core.archive import ArchiveError, verify_archive

        try:
            verdict = verify_archive(args.archive)
        except ArchiveError as exc:
            raise CommandError(f"{args.archive}：{exc}") from exc
    else:
        _require_initialized()
        from jingzhun.core.verify import verify_database

        verdict = verify_database(progress=progress_printer("校验"))
    print(verdict.message, file=sys.stdout if verdict.ok else sys.stderr)
    return EXIT_OK if verdict.ok else EXIT_INVALID


def _day(text: str) -> Any:
    from datetime import date, datetime, time

    from django.utils import timezone

    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc
    return timezone.make_aware(datetime.combine(day, time.min))


def cmd_audit_archive(args: argparse.Namespace) -> int:
    _require_initialized()
    from pathlib import Path

    from django.utils import timezone

    from jingzhun.core.archive import export

    before = _day(args.before)
    if before > timezone.now():
        raise CommandError("--before 不能晚于今天")
    if Path(args.out).exists():
        raise CommandError(f"{args.out} 已存在，不覆盖")
    verdict = export(args.out, before=before, progress=progress_printer("归档"))
    if not verdict.ok:
        raise CommandError(f"未写出归档，{verdict.message}")
    print(f"已归档 {verdict.count} 条审计记录（{args.before} 之前）→ {args.out}；在线记录未删除")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.core.backup import BackupError, backup

    try:
        path = backup(args.out)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已备份 → {path}（{path.stat().st_size} 字节）")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from jingzhun.core.backup import BackupError, restore

    try:
        restore(args.path, force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已从 {args.path} 恢复数据库")
    return EXIT_OK


def cmd_db_digest(args: argparse.Namespace) -> int:
    from jingzhun.core.backup import digest_tables, total_digest

    tables = digest_tables()
    for t in tables:
        print(f"{t.table}\t{t.rows}\t{t.sha256}")
    print(f"digest\t{sum(t.rows for t in tables)}\t{total_digest(tables)}")
    return EXIT_OK


def cmd_jobs(args: argparse.Namespace) -> int:
    """Failed reactions (jobs.outbox) listed, and one run again — the write they react to stays as it is."""
    _require_initialized()
    from jingzhun.jobs import runner
    from jingzhun.jobs.models import Job, JobStatus
    from jingzhun.jobs.outbox import is_reaction

    if args.jobs_command == "failed":
        for job in Job.objects.filter(status=JobStatus.FAILED, lock_key__startswith="outbox:").order_by("id"):
            first_line = (job.error.splitlines() or [""])[0]
            print(f"#{job.pk}\t{job.kind}\t{job.params.get('label', '')}\t{first_line}")
        return EXIT_OK
    failed = Job.objects.filter(pk=args.id).first()
    if failed is None or not is_reaction(failed) or failed.status != JobStatus.FAILED:
        raise CommandError(f"没有编号为 {args.id} 的失败后续任务")
    runner.retry(failed)
    done = runner.run_now(failed.pk)  # None: a worker took it first
    if done is not None and done.status == JobStatus.FAILED:
        first_line = (done.error.splitlines() or [""])[0]
        print(f"任务 #{failed.pk} 重试仍然失败：{first_line}", file=sys.stderr)
        return EXIT_INVALID
    print(f"任务 #{failed.pk} 已重试" + ("" if done is not None else "（已由后台任务进程运行）"))
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


def cmd_verify_crosscheck(args: argparse.Namespace) -> int:
    _require_initialized()
    from jingzhun.verification import commands_crosscheck

    return commands_crosscheck.run(
        paths=args.paths, year=args.year, out=args.out, region=args.region, username=args.user
    )


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
    p = rsub.add_parser("import", help="导入 .xlsx、CSV 文件夹或 .zip，或全国系统人员名单（全有或全无）")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    p.add_argument(
        "--year", type=int, default=None, help="全国系统名单的导入年度（默认：数据日期的年份，否则今年）"
    )
    p.add_argument("--user", default=None, help="以该用户的管辖范围导入（默认：全县，系统）")
    p.add_argument("--errors-out", default=None, help="错误报告写到此处（.xlsx 或 .csv）")
    p.set_defaults(func=cmd_registry_import)
    p = rsub.add_parser("export", help="导出登记簿 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--region", default=None, help="只导出该区划（代码）")
    p.add_argument("--year", type=int, default=None, help="导出该数据年度的快照")
    p.add_argument(
        "--layout",
        choices=["registry", "national-2016", "national-2021"],
        default="registry",
        help="登记簿（默认），或全国系统人员名单格式：national-2016（2016–2019 建档立卡）、national-2021（2021年起 防返贫监测）",
    )
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

    verify = sub.add_parser("verify", help="数据核查：数据清洗、部门数据比对（spec/verification.md）")
    vsub = verify.add_subparsers(dest="verify_command", required=True, metavar="ACTION")
    p = vsub.add_parser("cleanse", help="数据清洗：按 Q-* 规则检查登记簿，疑点写入 CSV")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--region", default=None, metavar="CODE")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.set_defaults(func=cmd_verify_cleanse)

    audit = sub.add_parser("audit", help="审计记录（痕迹）：校验哈希链、归档")
    asub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = asub.add_parser("verify", help="校验整条审计链；断开时指出第一条出错的记录（退出码 1）")
    p.add_argument("--archive", default=None, metavar="FILE", help="校验归档文件而不是数据库")
    p.set_defaults(func=cmd_audit_verify)
    p = asub.add_parser("archive", help="把某日之前的审计记录导出为可校验的归档文件（不删除在线记录）")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--before", required=True, metavar="DATE", help="YYYY-MM-DD（不含当日）")
    p.set_defaults(func=cmd_audit_archive)

    p = sub.add_parser("backup", help="备份整个数据库（SQLite 在线备份；PostgreSQL pg_dump -Fc）")
    p.add_argument("out", metavar="OUT")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份恢复数据库（目标非空时需 --force）")
    p.add_argument("path", metavar="IN")
    p.add_argument("--force", action="store_true", help="覆盖非空数据库")
    p.set_defaults(func=cmd_restore)
    db = sub.add_parser("db", help="数据库工具")
    dsub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = dsub.add_parser("digest", help="每张表的行数与内容哈希，以及总摘要（证明恢复后的数据库相同）")
    p.set_defaults(func=cmd_db_digest)

    jobs = sub.add_parser("jobs", help="后台任务：失败的后续任务（如保存后的重新评估）及重试")
    jsub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    p = jsub.add_parser("failed", help="列出失败的后续任务")
    p.set_defaults(func=cmd_jobs)
    p = jsub.add_parser("retry", help="重新运行一项失败的后续任务（原来的保存不受影响）")
    p.add_argument("id", type=int, metavar="ID")
    p.set_defaults(func=cmd_jobs)

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

    p = vsub.add_parser("crosscheck", help="导入部门数据（全有或全无，替换原有数据集）并比对，输出疑点 CSV")
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help=".xlsx、<数据集>.csv、文件夹或 .zip；不给则用已导入的数据"
    )
    p.add_argument("--year", type=int, required=True, help="评估年度（基准日为该年 12 月 31 日）")
    p.add_argument("--out", required=True, help="疑点 CSV 文件")
    p.add_argument("--region", default=None, help="只输出该区划（代码前缀）的疑点")
    p.add_argument(
        "--user",
        default=None,
        help="以该账号的名义运行（记入导入人与审计）：须为县级角色，导入须有导入权限；"
        "无敏感信息权限的账号，CSV 中的证件号码与说明按页面规则脱敏",
    )
    p.set_defaults(func=cmd_verify_crosscheck)

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
        from jingzhun.jobs.runner import reactions_run

        with reactions_run():  # the reactions of the command's writes run before it ends (jobs.outbox)
            code: Any = args.func(args)
    except ValidationFailed as exc:  # the application's one error type, from any layer
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("\n已中断", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
