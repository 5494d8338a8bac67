"""Groups with least privilege, created by each app's own migration for its own models."""

from django.contrib.auth.management import create_permissions


def grant(apps, group_name: str, grants: list[tuple[str, str, list[str]]]) -> None:
    """Give ``group_name`` (created if missing) the ``(app_label, model, actions)`` permissions.

    For use in a data migration (``apps`` is the migration's app registry).
    """
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for app_label, model, actions in grants:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
