"""A record of every import, from ``manage.py import_articles`` or an editor's upload.

Each run keeps the importer's summary (created, updated, unchanged, failed with reasons) and,
while it runs, how far it got: the editors' dashboard lists the last runs, and an upload's page
shows its progress from this row.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.urls import reverse
from django.utils import timezone

MAX_ERRORS_KEPT = 500  # failures kept per run (the count is exact; the list stops here)
STALLED_AFTER = dt.timedelta(minutes=10)  # a run with no progress this long was stopped (a worker restart)

logger = logging.getLogger(__name__)


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        COMMAND = "command", "فرمان import_articles"
        UPLOAD = "upload", "بارگذاری در میز ویراستاران"

    class Status(models.TextChoices):
        RUNNING = "running", "در حال درون‌ریزی"
        DONE = "done", "پایان‌یافته"
        FAILED = "failed", "نیمه‌تمام"

    kind = models.CharField("روش", max_length=20, choices=Kind.choices, default=Kind.COMMAND)
    name = models.CharField("پرونده‌ها", max_length=500, help_text="نام پرونده‌هایی که درون‌ریزی شدند.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="کاربر",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="ویراستاری که پرونده را بارگذاری کرد؛ خالی برای فرمان.",
    )
    status = models.CharField("وضعیت", max_length=20, choices=Status.choices, default=Status.RUNNING)
    started = models.DateTimeField("آغاز", default=timezone.now)
    heartbeat = models.DateTimeField("آخرین پیشرفت", default=timezone.now)
    finished = models.DateTimeField("پایان", null=True, blank=True)
    total = models.PositiveIntegerField("شمار تخمینی", default=0, help_text="تخمین شمار خبرها، برای نوار پیشرفت.")
    processed = models.PositiveIntegerField("انجام‌شده", default=0)
    created = models.PositiveIntegerField("تازه", default=0)
    updated = models.PositiveIntegerField("به‌روزشده", default=0)
    unchanged = models.PositiveIntegerField("بی‌تغییر", default=0)
    failed = models.PositiveIntegerField("ناموفق", default=0)
    held_for_review = models.PositiveIntegerField("نگه‌داشته برای بازبینی", default=0)
    errors = models.JSONField("خطاها", default=list, blank=True, help_text="[جای خبر در پرونده، دلیل]")
    message = models.TextField("پیام", blank=True, help_text="چرا درون‌ریزی پیش از پایان ایستاد.")

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = "درون‌ریزی"
        verbose_name_plural = "درون‌ریزی‌ها"
        permissions = [("import_articles", "می‌تواند پرونده‌ی خبر بارگذاری و درون‌ریزی کند")]
        indexes = [
            # The dashboard's last runs, newest first.
            models.Index(fields=["-started"], name="importrun_started"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:articles_importrun_report", args=[self.pk])

    @property
    def stalled(self) -> bool:
        return self.status == self.Status.RUNNING and timezone.now() - self.heartbeat > STALLED_AFTER

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total)) if self.total else 0

    def take(self, report, origin_prefix: str = "") -> None:
        """Copy an ``ImportReport``'s counts and failures (origins shown without ``origin_prefix``)."""
        for name in ("created", "updated", "unchanged", "failed", "held_for_review"):
            setattr(self, name, getattr(report, name))
        self.processed = report.total
        self.errors = [
            [str(error.origin).removeprefix(origin_prefix), str(error.reason)]
            for error in report.errors[:MAX_ERRORS_KEPT]
        ]

    def finish(self, report, origin_prefix: str = "", message: str = "") -> None:
        self.take(report, origin_prefix)
        self.status = self.Status.FAILED if message else self.Status.DONE
        self.message = message
        self.finished = self.heartbeat = timezone.now()
        self.save()


class Progress:
    """An importer ``on_progress`` callback that writes the run's counts at most once a second."""

    def __init__(self, run: ImportRun, origin_prefix: str = "", every_s: float = 1.0) -> None:
        self.run, self.prefix, self.every_s, self._last = run, origin_prefix, every_s, 0.0
        self.report = None  # the importer's report as last seen (kept if the import stops midway)

    def __call__(self, report) -> None:
        self.report = report
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        self._last = now
        self.run.take(report, self.prefix)
        self.run.heartbeat = timezone.now()
        fields = ["processed", "created", "updated", "unchanged", "failed", "held_for_review", "errors", "heartbeat"]
        try:
            with transaction.atomic():  # a savepoint if the caller holds a transaction, which the failure spares
                ImportRun.objects.filter(pk=self.run.pk).update(**{name: getattr(self.run, name) for name in fields})
        except DatabaseError as exc:
            # Progress is for the editor watching; a write that fails (a locked database, a read-only
            # moment) must not stop the import. The next call writes again, and ``finish`` the end.
            logger.warning("import run %s: progress not written (%s); the import goes on", self.run.pk, exc)
