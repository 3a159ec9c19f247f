"""Admin URLs whose object id is no id at all (``/admin/articles/article/abc/history/``) answer 404.

Django's change and delete views redirect such an id to the admin index, and
django-simple-history's history view passes it to the database, which raises (a 500). An id
that cannot be its model's primary key names no page: the reader gets a 404 before either runs.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404


class WellFormedIdMixin:
    """For a ModelAdmin: its object views answer 404 for an id its primary key cannot hold."""

    model: type

    def _require_well_formed(self, object_id: str) -> None:
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError, TypeError):
            raise Http404(f"شناسهٔ «{object_id}» نادرست است") from None

    def change_view(self, request, object_id, *args, **kwargs):
        self._require_well_formed(object_id)
        return super().change_view(request, object_id, *args, **kwargs)

    def delete_view(self, request, object_id, *args, **kwargs):
        self._require_well_formed(object_id)
        return super().delete_view(request, object_id, *args, **kwargs)

    def history_view(self, request, object_id, *args, **kwargs):
        self._require_well_formed(object_id)
        return super().history_view(request, object_id, *args, **kwargs)

    def history_form_view(self, request, object_id, *args, **kwargs):  # django-simple-history's revert
        self._require_well_formed(object_id)
        return super().history_form_view(request, object_id, *args, **kwargs)


def require_well_formed_ids(site: admin.AdminSite) -> None:
    """Register every model of ``site`` again with ``WellFormedIdMixin`` in front of its admin
    (ours, and those of django.contrib.auth and axes): called once every admin module is loaded."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if not issubclass(cls, WellFormedIdMixin):
            site.unregister(model)
            site.register(model, type(cls.__name__, (WellFormedIdMixin, cls), {"__module__": cls.__module__}))
