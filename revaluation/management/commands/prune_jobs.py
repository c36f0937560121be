"""``manage.py prune_jobs [--days N]``: delete the stored files of finished and failed jobs (the
uploaded files of imports, the files exports produced) once they are older than
``JOB_FILES_KEEP_DAYS`` days (``revaluation.services.jobs.batch_job_files_prune``), and the stored
posting previews that went stale (``revaluation.services.stored_preview.stored_previews_prune``).
Run it daily (docs/DEPLOYMENT.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from revaluation.services.jobs import batch_job_files_prune
from revaluation.services.stored_preview import stored_previews_prune


class Command(BaseCommand):
    help = (
        "Delete the stored files of jobs that ended more than JOB_FILES_KEEP_DAYS days ago, and "
        "the stale posting previews."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep the files of this many days (default: the JOB_FILES_KEEP_DAYS setting)",
        )

    def handle(self, *args, days: int | None, **options) -> None:
        keep = settings.JOB_FILES_KEEP_DAYS if days is None else days
        pruned = batch_job_files_prune(keep_days=keep)
        self.stdout.write(
            f"Deleted the files of {pruned} job{'' if pruned == 1 else 's'} "
            f"that ended more than {keep} day{'' if keep == 1 else 's'} ago."
        )
        stale = stored_previews_prune()
        self.stdout.write(f"Deleted {stale} stale posting preview{'' if stale == 1 else 's'}.")
