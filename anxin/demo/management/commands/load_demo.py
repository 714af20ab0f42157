"""manage.py load_demo: load the demo county 贺兰县 (schools, staff, students) into an empty database."""

import time

from django.core.management.base import BaseCommand, CommandError

from anxin.demo import data, loader


class Command(BaseCommand):
    help = "载入演示数据：贺兰县教体局、学校、教职工账号与学生（确定性，同一 --seed 结果相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="随机种子（默认 2024）")
        parser.add_argument("--students", type=int, default=8000, help="学生总数（默认 8000）")
        parser.add_argument(
            "--school-year",
            type=int,
            default=data.SCHOOL_YEAR,
            help=f"演示所在学年的起始年份（默认 {data.SCHOOL_YEAR}，决定学生年龄与入学年月）",
        )
        parser.add_argument("--cases", type=int, default=150, help="演示欺凌事件数（默认150，0 为不载入）")
        parser.add_argument(
            "--no-activity",
            dest="activity",
            action="store_false",
            help="只载入组织与名册，不载入排查、关爱等工作数据",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="已有演示县区（640122）时什么也不做，正常退出"
        )

    def handle(self, *args, **opts):
        from django.conf import settings

        if not (settings.ANXIN_DEMO or settings.DEBUG or settings.TESTING):
            raise CommandError(
                "演示数据含公开的共用密码，只能用于试用服务器：请设置 ANXIN_DEMO=true 后再运行（make run 已设置）。"
                " Demo accounts share a public password: set ANXIN_DEMO=true on a trial server only."
            )
        if opts["students"] < 0:
            raise CommandError("--students 不能为负数。")
        if loader.county_exists():
            if opts["if_empty"]:
                self.stdout.write(f"已有演示数据（{data.COUNTY_NAME}，{data.COUNTY_CODE}），跳过。")
                return
            raise CommandError(self.exists_message(data.COUNTY_CODE))
        started = time.monotonic()
        try:
            counts = loader.load(
                seed=opts["seed"], students=opts["students"], school_year=opts["school_year"]
            )
        except loader.DemoExists as exc:
            raise CommandError(self.exists_message(str(exc))) from exc
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入（{seconds:.1f} 秒）：学校 {counts['org.school']} 所，班级 {counts['org.schoolclass']} 个，"
                f"账号 {counts['accounts.user']} 个，岗位 {counts['accounts.membership']} 个，"
                f"学生 {counts['roster.student']} 名，监护人 {counts['roster.guardian']} 名，"
                f"岗位责任 {counts['org.responsibility']} 条，学生安全员 {counts['org.safetyofficer']} 名。"
            )
        )
        if opts["cases"] or opts["activity"]:
            self.load_activity(opts)
        self.stdout.write("演示登录账号：manage.py demo_logins；动态口令：manage.py demo_totp <用户名>")

    def load_activity(self, opts) -> None:
        """Work the schools have done, entered through each module's own services (so every
        rule, timeline and audit event is real): cases in every state, a screening round,
        registers and hazard points, care plans and contacts, reports in every triage state."""
        import random

        from anxin.campaigns.demo import load_campaigns
        from anxin.care.demo import load_care
        from anxin.cases.demo import load_cases
        from anxin.core.roles import Role
        from anxin.dashboards.rollups import rebuild
        from anxin.demo.workload import load_workload
        from anxin.education.demo import load_education
        from anxin.governance.demo import load_governance
        from anxin.intake.demo import load_intake
        from anxin.org.models import County
        from anxin.oversight.demo import load_oversight
        from anxin.screening.demo import load_screening
        from anxin.supervision.demo import load_supervision

        county = County.objects.get(code=data.COUNTY_CODE)
        seed = opts["seed"]
        steps = []
        if opts["cases"]:
            steps.append(
                ("欺凌事件", lambda: len(load_cases(county, random.Random(seed + 3), n=opts["cases"])))
            )
        if opts["activity"]:
            steps.append(("排查与风险", lambda: load_screening(county, random.Random(seed + 1))))
            steps.append(("关爱与干预", lambda: load_care(county, random.Random(seed + 2))))
            steps.append(("专项行动", lambda: load_campaigns(county, random.Random(seed + 5))))
            # after cases and screening: self-checks (gaps → rectification), rules, lessons
            steps.append(("制度与自查", lambda: load_governance(county, random.Random(seed + 6))))
            demo_name = next(s.name for s in data.SCHOOLS if s.slug == data.DEMO_SCHOOL)
            steps.append(
                ("教育培训", lambda: load_education(county, random.Random(seed + 7), demo_school=demo_name))
            )
            steps.append(("督导检查", lambda: load_supervision(county, random.Random(seed + 7))))
            # after screening: reporters pick among the schools' places (hazard points)
            first = next(s.name for s in data.SCHOOLS if s.slug == data.DEMO_SCHOOL)
            # after cases, screening (hazard points) and intake's sink: 监督岗, 通报约谈
            two = (first, data.SCHOOLS[1].name)
            teacher = next(d.username for d in data.DEMO_LOGINS if d.role == Role.CLASS_TEACHER)
            steps.append(
                (
                    "监督岗与问责",
                    lambda: load_oversight(
                        county, random.Random(seed + 7), schools=two, demo_teacher=teacher
                    ),
                )
            )
            steps.append(
                ("举报与求助", lambda: load_intake(county, random.Random(seed + 4), first_school=first))
            )
            # last: leave each demo role's 工作台 some work of each kind, some of it late
            steps.append(("工作台待办", lambda: load_workload(county)))
        if steps:
            # the dashboards' counts per school and month, recounted once for the whole county
            steps.append(("统计计数", lambda: rebuild(county.pk)))
        for label, step in steps:
            started = time.monotonic()
            result = step()
            self.stdout.write(
                f"{label}演示数据已载入（{time.monotonic() - started:.1f} 秒）：{_summary(result)}"
            )

    @staticmethod
    def exists_message(what: str) -> str:
        return (
            f"数据库中已有数据（{what}），演示数据只能载入空数据库。"
            "请先运行 `manage.py flush` 清空，或使用新的数据库（例如另设 ANXIN_VAR_DIR 后 migrate）；"
            "若只想在为空时载入，请加 --if-empty。"
        )


def _summary(result) -> str:
    if isinstance(result, dict):
        return "，".join(f"{k} {v}" for k, v in result.items() if not isinstance(v, (dict, list)))
    return str(result)
