from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from qinqing.core.schedule import Periodic, enqueue_unless_waiting, periodic_jobs


def _enqueue(job: Periodic) -> None:
    close_old_connections()  # a long-lived process: drop a connection the database has closed
    enqueue_unless_waiting(job.task)
    close_old_connections()


class Command(BaseCommand):
    help = (
        "按计划把周期任务放入后台队列（时限巡检、自动办结、驾驶舱汇总、分词等），由 db_worker 执行。"
        "生产环境只运行一个。--list 列出计划，--once 立即各放入一次后退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", dest="show", action="store_true", help="列出周期任务及其计划后退出")
        parser.add_argument("--once", action="store_true", help="把每个周期任务立即放入队列一次后退出")

    def handle(self, *args, show: bool = False, once: bool = False, **options):
        jobs = periodic_jobs()
        if show:
            for job in jobs:
                self.stdout.write(f"{job.cron:<16} {job.name}  {job.why}")
            return
        if once:
            queued = [job.name for job in jobs if enqueue_unless_waiting(job.task) is not None]
            self.stdout.write(f"enqueued {len(queued)} of {len(jobs)} periodic job(s)")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in jobs:
            scheduler.add_job(
                _enqueue,
                CronTrigger.from_crontab(job.cron, timezone=settings.TIME_ZONE),
                args=[job],
                id=job.name,
                # After a pause (laptop asleep, process stopped) run once, not once per missed slot.
                coalesce=True,
                max_instances=1,
                misfire_grace_time=300,
            )
        self.stdout.write(f"scheduler: {len(jobs)} periodic job(s); Ctrl+C to stop")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
