"""Response headers every page and download of the application gets."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and Django's never-cache set) on every
    response Django renders: pages and downloads show clients' personal
    data, and a shared computer's browser cache, the back button after
    logging out, or a proxy must not keep a copy.

    Sits below WhiteNoise in MIDDLEWARE, so static files (which WhiteNoise
    answers before this runs) keep their long caching. Anonymous pages get
    it too: the login page carries a CSRF token, and "every authenticated
    response" is easier to get wrong than "every response".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
