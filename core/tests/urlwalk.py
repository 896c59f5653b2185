"""Every URL pattern of the project, for tests that walk them all."""

from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_PREFIXES = ("admin/",)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name, pattern


def project_patterns():
    """(route, "namespace:name", pattern) of every named view but Django's admin."""
    return [(route, name, pattern) for route, name, pattern in _walk(get_resolver().url_patterns)
            if not route.startswith(SKIPPED_PREFIXES)]


def argument_names(route):
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", route)
