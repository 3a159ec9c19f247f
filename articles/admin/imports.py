"""Imports in the admin: the record of every run, and an upload form for editors allowed to import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles import jalali, uploads
from articles.import_runs import ImportRun

IMPORT_PERMISSION = "articles.import_articles"


def background_from() -> int:
    """Uploads of at least this many articles are imported in the background."""
    return settings.NEWSARCHIVE_UPLOAD_BACKGROUND_FROM


class UploadForm(forms.Form):
    file = forms.FileField(
        label="پرونده",
        help_text="یک پرونده‌ی .txt (صفحه‌ی خبر)، .jsonl، .json یا یک .zip از آن‌ها.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(uploads.UPLOADS))}),
    )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_jalali", "kind", "name", "user", "status_shown", "counts"]
    list_filter = ["kind", "status"]
    list_select_related = ["user"]
    list_display_links = ["started_jalali", "name"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are made by imports, not typed in

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="articles_importrun_upload"),
            path("<int:pk>/report/", view(self.report_view), name="articles_importrun_report"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:articles_importrun_report", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        extra = {"can_upload": request.user.has_perm(IMPORT_PERMISSION), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.display(description="آغاز", ordering="started")
    def started_jalali(self, run: ImportRun) -> str:
        return jalali.format_datetime(run.started)

    @admin.display(description="وضعیت", ordering="status")
    def status_shown(self, run: ImportRun) -> str:
        return "ایستاده (بی‌پیشرفت)" if run.stalled else run.get_status_display()

    @admin.display(description="تازه / به‌روز / بی‌تغییر / ناموفق")
    def counts(self, run: ImportRun) -> str:
        numbers = [run.created, run.updated, run.unchanged, run.failed]
        return format_html("{}", " / ".join(jalali.persian_digits(n) for n in numbers))

    def upload_view(self, request: HttpRequest):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = ImportRun.objects.create(
                kind=ImportRun.Kind.UPLOAD, name=form.cleaned_data["file"].name[:500], user=request.user
            )
            folder = uploads.upload_folder(run)
            try:
                files, skipped = uploads.receive(form.cleaned_data["file"], folder)
            except uploads.UploadRefused as refused:
                run.delete()
                uploads.discard(folder)
                form.add_error("file", str(refused))
            else:
                run.total = uploads.count(files) + len(skipped)
                run.save(update_fields=["total"])
                uploads.start(run, files, folder, skipped, background=run.total >= background_from())
                return HttpResponseRedirect(reverse("admin:articles_importrun_report", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "بارگذاری و درون‌ریزی خبرها",
            "form": form,
            "opts": self.model._meta,
            "background_from": background_from(),
        }
        return TemplateResponse(request, "admin/articles/importrun/upload.html", context)

    def report_view(self, request: HttpRequest, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"درون‌ریزی «{run.name}»",
            "run": run,
            "opts": self.model._meta,
            "refresh": run.status == ImportRun.Status.RUNNING and not run.stalled,
            "can_upload": request.user.has_perm(IMPORT_PERMISSION),
        }
        return TemplateResponse(request, "admin/articles/importrun/report.html", context)
