"""Every form class of the project, found by importing each app's forms and
views modules (forms defined in views are found too)."""

import importlib
import pkgutil

from django import forms

PROJECT_APPS = ("core", "audit", "accounts", "referrals", "tenancies", "bolots", "reports")


def _import_all():
    for app in PROJECT_APPS:
        for sub in ("forms", "views"):
            try:
                module = importlib.import_module(f"{app}.{sub}")
            except ModuleNotFoundError:
                continue
            for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
                importlib.import_module(f"{app}.{sub}.{info.name}")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_form_classes():
    _import_all()
    found = {cls for cls in _subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in PROJECT_APPS}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
