"""The registry covers every record that can hold a person's data: a new
model with a foreign-key path to the client fails here until its app
declares it in `culling_sources` (or it is removed by a cascade from a
declared one, or its link is nulled)."""

from django.apps import apps
from django.db import models

from culling.registry import deleted_in_order, sources
from referrals.models import Client

# Links that need no culling: the log keeps its rows by design (it has no
# foreign key), and these point at the person only to null the link.
NULLED = (models.SET_NULL,)


def _client_links(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]


def _reaches_client(model, seen=None):
    seen = seen or set()
    if model is Client:
        return True
    if model in seen:
        return False
    seen.add(model)
    return any(_reaches_client(f.related_model, seen) for f in _client_links(model))


def _covered(model, declared, seen=None):
    """Declared, or every link on a path to the client is nulled or cascades
    from a covered model."""
    if model in declared:
        return True
    seen = (seen or set()) | {model}
    for field in _client_links(model):
        target = field.related_model
        if target in seen or not _reaches_client(target):
            continue
        if field.remote_field.on_delete in NULLED:
            continue
        if field.remote_field.on_delete is models.CASCADE and _covered(target, declared, seen):
            continue
        return False
    return True


def test_every_model_with_a_path_to_the_client_is_covered():
    declared = {source.model for source in sources()}
    uncovered = [
        model._meta.label for model in apps.get_models()
        if model is not Client and _reaches_client(model) and not _covered(model, declared)
    ]
    assert uncovered == []


def test_the_check_fails_for_an_undeclared_model():
    """The check above is not vacuous: a model whose only client link is a
    PROTECT foreign key, and not declared, is reported."""

    class Stray(models.Model):
        client = models.ForeignKey(Client, on_delete=models.PROTECT)

        class Meta:
            app_label = "culling"
            managed = False

        def __str__(self):
            return "stray"

    try:
        declared = {source.model for source in sources()}
        assert _reaches_client(Stray) and not _covered(Stray, declared)
        # Removed with a cascade from a declared record, it is covered.
        Stray._meta.get_field("client").remote_field.on_delete = models.CASCADE
        assert _covered(Stray, declared)
    finally:
        apps.all_models["culling"].pop("stray", None)
        apps.clear_cache()


def test_declarations_are_sound():
    """Every lookup and date field exists, cascaded children really cascade
    from their declared parent, and parents are deleted after their
    children's PROTECTing rows."""
    by_label = {source.model._meta.label: source for source in sources()}
    for source in sources():
        assert source.for_clients([0]).values(source.client).query is not None
        for name in source.dates:
            first = name.split("__")[0]
            source.model._meta.get_field(first)
        assert (source.delete is None) != (source.cascade is None), source.kind
        if source.cascade:
            parent = by_label[source.cascade]
            links = [f for f in _client_links(source.model) if f.related_model is parent.model]
            assert links and all(f.remote_field.on_delete is models.CASCADE for f in links), source.kind
    order = [source.model for source in deleted_in_order()]
    for source in deleted_in_order():
        for field in _client_links(source.model):
            if field.related_model in order and field.remote_field.on_delete is models.PROTECT:
                # The protected target must be deleted after this model.
                assert order.index(field.related_model) > order.index(source.model), (source.kind, field.name)
    assert order[-1] is Client
