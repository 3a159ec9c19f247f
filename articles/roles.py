"""The "editors" group: exactly the permissions the editors' desk needs (importing uploads included),
nothing on users or groups.

Kept in step after every ``migrate`` (a ``post_migrate`` handler), so a new model of the app is
editable by editors as soon as its table exists.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

EDITORS = "editors"


def editor_permissions() -> list[Permission]:
    models = apps.get_app_config("articles").get_models()
    content_types = ContentType.objects.get_for_models(*models).values()
    return list(
        Permission.objects.filter(content_type__in=content_types, codename__regex=r"^(view|add|change|delete|import)_")
    )


def ensure_editors_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(editor_permissions())
    return group
