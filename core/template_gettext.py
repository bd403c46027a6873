"""The templates' gettext, ngettext, pgettext and npgettext, writing numbers in the reader's digits.

Jinja's i18n extension (installed by Flask-Babel, "newstyle") fills a message's %(name)d fields
with Python's formatting, in Latin digits: "۰ نفر گفتند بله" came out as "0 نفر گفتند بله" beside
Persian dates. These do what Jinja's newstyle functions do (escape the variables when
autoescaping, always format) and first write each whole-number field in the reader's digits.
Only numbers: a title or a name passed as %(title)s keeps the digits its author typed.
"""
import re

from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

from core.locale_format import localise_digits, numbering_system

_NUMBER_FIELD = re.compile(r"(?<!%)%\((\w+)\)d")


def _format(context, message, variables):
    if context.eval_ctx.autoescape:
        message = Markup(message)
    system = numbering_system()
    if system != "latn":
        def number(match):
            value = variables.get(match.group(1))
            if isinstance(value, int) and not isinstance(value, bool):
                return localise_digits(str(value), system)
            return match.group(0)
        message = type(message)(_NUMBER_FIELD.sub(number, message))
    return message % variables


@pass_context
def gettext(__context, __string, **variables):
    return _format(__context, get_translations().ugettext(__string), variables)


@pass_context
def ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    return _format(__context, get_translations().ungettext(__singular, __plural, __num), variables)


@pass_context
def pgettext(__context, __string_ctx, __string, **variables):
    variables.setdefault("context", __string_ctx)
    return _format(__context, get_translations().upgettext(__string_ctx, __string), variables)


@pass_context
def npgettext(__context, __string_ctx, __singular, __plural, __num, **variables):
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    return _format(__context, get_translations().unpgettext(__string_ctx, __singular, __plural, __num),
                   variables)


def init_app(app):
    """Put these in place of the functions Flask-Babel installed."""
    app.jinja_env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)
