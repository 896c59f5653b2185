"""The `ui` template library: Swedish number formats in templates.

    {% load ui %}
    {{ amount|kr }}  {{ count|number }}  {{ share|percent }}  {{ mean|number:1 }}

The formats themselves are core.formatting's, so a page, a PDF and a chart
read the same.
"""

from django import template

from core import formatting

register = template.Library()

register.filter("number", formatting.number)
register.filter("kr", formatting.kr)
register.filter("percent", formatting.percent)
