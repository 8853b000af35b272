"""Creating pages from data migrations, where Wagtail's page API is not available."""

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def child_path(parent_path: str, position: int) -> str:
    """The materialised path treebeard gives the n-th child of a page."""
    segment = ""
    while position:
        position, digit = divmod(position, len(ALPHABET))
        segment = ALPHABET[digit] + segment
    return parent_path + segment.rjust(STEPLEN, "0")


def add_child_page(apps, *, parent, app_label: str, model_name: str, **fields):
    """Append a live page of the given historical model under ``parent``."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    model = apps.get_model(app_label, model_name)
    last_child = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .first()
    )
    position = int(last_child.path[-STEPLEN:], 36) + 1 if last_child else 1
    content_type, _ = ContentType.objects.get_or_create(
        app_label=app_label, model=model_name.lower()
    )
    page = model.objects.create(
        draft_title=fields["title"],
        content_type=content_type,
        path=child_path(parent.path, position),
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{fields['slug']}/",
        locale_id=parent.locale_id,
        live=True,
        **fields,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    return page
