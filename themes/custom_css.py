"""Tenant-supplied "custom CSS" (Professional plan) checked against an allow-list with tinycss2.

A portal admin may add a little CSS of their own; it is appended to the portal's compiled
stylesheet (see ``themes.tokens.compile_stylesheet``), which every visitor of that portal loads.
The CSS therefore must not be able to load anything from other hosts (tracking, exfiltration of
form values through attribute selectors), run script in old browsers (``expression()``,
``behavior``, ``-moz-binding``), break out of a ``<style>`` element, or override the theme's
contrast-checked custom properties.

``clean_custom_css`` accepts a small subset of CSS: style rules and ``@media`` blocks of style
rules, with declarations from an allow-list of properties whose values may only use a few
functions. The result is rebuilt from the parsed tokens (never the raw input), one rule per
line, without comments.

How it fails: on the first violation it raises ``CustomCSSError`` for the whole input, with a
message saying what was refused and on which line. Nothing is silently dropped, so the admin sees
why their CSS was not accepted; the caller keeps the published theme as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import tinycss2
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tinycss2 import ast

MAX_LENGTH = 20_000

# Layout and decoration only. Left out on purpose: position/z-index (overlaying fake login
# forms or covering the legal notice), content (injecting text), cursor and list-style (they take
# url()), filter/mask (url() references), transition/animation (need @keyframes, which is
# refused anyway), font-family (fonts come from the theme and its self-hosted font files), and
# every custom property (see _check_property).
ALLOWED_PROPERTIES = frozenset(
    {
        "color",
        "background",
        "background-color",
        "background-image",
        "background-position",
        "background-repeat",
        "background-size",
        "border",
        "border-color",
        "border-width",
        "border-style",
        "border-radius",
        *(
            f"border-{side}{part}"
            for side in ("top", "right", "bottom", "left")
            for part in ("", "-color", "-width", "-style")
        ),
        "outline",
        "outline-color",
        "outline-offset",
        "outline-style",
        "outline-width",
        "box-shadow",
        "text-shadow",
        "font-weight",
        "font-style",
        "font-size",
        "line-height",
        "letter-spacing",
        "text-align",
        "text-decoration",
        "text-transform",
        *(
            f"{box}{side}"
            for box in ("margin", "padding")
            for side in ("", "-top", "-right", "-bottom", "-left")
        ),
        "width",
        "max-width",
        "min-width",
        "height",
        "max-height",
        "min-height",
        "display",
        "gap",
        "opacity",
        "visibility",
    }
)

# Properties that deserve a specific explanation rather than "not in the allow-list".
_PROPERTY_REASONS = {
    "behavior": gettext_lazy("it runs script in old versions of Internet Explorer"),
    "-moz-binding": gettext_lazy("it runs script in old versions of Firefox"),
    "position": gettext_lazy("it could lay content over other parts of the page"),
    "z-index": gettext_lazy("it could lay content over other parts of the page"),
    "content": gettext_lazy("it could inject text into the page"),
}

VALUE_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "calc", "var", "linear-gradient", "radial-gradient", "url"}
)

_FUNCTION_REASONS = {
    "expression": gettext_lazy("it runs script in old versions of Internet Explorer"),
    "javascript": gettext_lazy("it is not CSS"),
}

# var() may only read the theme's own tokens (as written by compile_stylesheet), never define
# them: custom CSS can use the palette, not replace it.
_VAR_NAME_RE = re.compile(r"--color-[a-z0-9-]+|--radius|--font-body")

# Pseudo-classes that take an argument. :has() is left out: it is not needed for styling and,
# like attribute selectors, makes rules depend on the state of form fields.
_SELECTOR_LIST_FUNCTIONS = frozenset({"not", "is", "where"})
_NTH_FUNCTIONS = frozenset({"nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type"})

# Class and id dots, list commas, combinators, the universal selector and pseudo-class colons.
_SELECTOR_LITERALS = frozenset({".", ",", ">", "+", "~", "*", ":"})

# Media queries such as "screen and (max-width: 600px)". Range syntax ("width <= 600px") is
# refused because "<" is never allowed in the output.
_MEDIA_LITERALS = frozenset({",", ":", "/"})

# After the media prefix: plain file names in sub-folders. No "%" (an encoded "../" or "//"
# would otherwise slip past the segment check), no quotes, spaces, backslashes or "?#".
_URL_PATH_RE = re.compile(r"[A-Za-z0-9._/-]+")
_URL_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")

# Last line of defence on the serialised text, case-insensitive. "<" alone covers "</style".
_FORBIDDEN_OUTPUT = ("<", "expression(", "javascript:", "vbscript:", "-moz-binding", "@import")


class CustomCSSError(ValueError):
    """The custom CSS was refused; the message says what and where, for the portal admin."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(
            _("Line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
        )


def clean_custom_css(source: str, *, media_prefix: str) -> str:
    """Return ``source`` rebuilt as safe CSS, or raise ``CustomCSSError``.

    ``media_prefix`` is the portal's own media URL path (``settings.MEDIA_URL``, e.g.
    ``"/media/"``); ``url()`` may only point below it.
    """
    _check_media_prefix(media_prefix)
    if len(source) > MAX_LENGTH:
        raise CustomCSSError(
            _("Custom CSS may be at most %(limit)s characters long; this is %(length)s.")
            % {"limit": f"{MAX_LENGTH:,}", "length": f"{len(source):,}"}
        )
    if not source.strip():
        return ""
    _check_backslashes(source)
    _check_well_formed(source)

    lines: list[str] = []
    for node in tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True):
        if node.type == "qualified-rule":
            lines.append(_clean_style_rule(node, media_prefix))
        elif node.type == "at-rule":
            lines.extend(_clean_at_rule(node, media_prefix))
        elif node.type == "error":
            raise CustomCSSError(
                _("This is not a CSS rule (%(problem)s).") % {"problem": node.message},
                node.source_line,
            )
        else:  # pragma: no cover - comments and whitespace are skipped by the parser
            raise CustomCSSError(_("Unexpected content."), node.source_line)

    css = "\n".join(lines)
    lowered = css.lower()
    for needle in _FORBIDDEN_OUTPUT:
        if needle in lowered:
            # Not an assert: this must hold with python -O too.
            raise CustomCSSError(_("The CSS may not contain '%(text)s'.") % {"text": needle})
    return css


def _check_media_prefix(media_prefix: str) -> None:
    # A programming error, not the admin's: the prefix must be a local path like "/media/",
    # otherwise the url() rule would let through other hosts or sibling folders ("/media-x/").
    segments = media_prefix.split("/")[1:-1]
    if (
        not media_prefix.startswith("/")
        or not media_prefix.endswith("/")
        or any(segment in ("", ".", "..") for segment in segments)
        or not _URL_PATH_RE.fullmatch(media_prefix)
    ):
        raise ValueError(
            f"media_prefix must be a local path such as '/media/', not {media_prefix!r}"
        )


def _check_backslashes(source: str) -> None:
    # Escapes are how filters get fooled ("\65 xpression", "java\script:"). tinycss2 decodes them,
    # so the checks below would still see the real names, but nothing legitimate here needs a
    # backslash, and refusing them outright keeps the output free of surprises.
    index = source.find("\\")
    if index != -1:
        raise CustomCSSError(
            _("Backslash escapes are not allowed in custom CSS."), source.count("\n", 0, index) + 1
        )


def _check_well_formed(source: str) -> None:
    # The CSS parser forgives a lot (it closes open blocks at the end, skips stray brackets);
    # the admin should hear about mistakes instead. A "}" appended to the input must come back as
    # an unmatched "}": if it does not, a block, string or comment was left open and swallowed it.
    nodes = tinycss2.parse_component_value_list(source + "}")
    last = nodes[-1] if nodes else None
    if not (isinstance(last, ast.ParseError) and last.kind == "}"):
        raise CustomCSSError(
            _(
                "A block, bracket, string or comment is not closed (check that every '{' has "
                "its '}')."
            )
        )
    for node in _walk(nodes[:-1]):
        if isinstance(node, ast.ParseError):
            raise CustomCSSError(
                _("The CSS could not be read: %(problem)s.") % {"problem": node.message},
                node.source_line,
            )


def _walk(nodes: Iterable[ast.Node]) -> Iterable[ast.Node]:
    for node in nodes:
        yield node
        if isinstance(node, ast.FunctionBlock):
            yield from _walk(node.arguments)
        elif isinstance(
            node, ast.CurlyBracketsBlock | ast.ParenthesesBlock | ast.SquareBracketsBlock
        ):
            yield from _walk(node.content)


def _clean_at_rule(rule: ast.AtRule, media_prefix: str) -> list[str]:
    keyword = rule.lower_at_keyword
    if keyword != "media":
        reason = {
            "import": _("it loads a stylesheet from elsewhere"),
            "font-face": _("it loads font files; fonts are chosen in the theme"),
        }.get(keyword, _("only style rules and @media blocks are allowed"))
        raise CustomCSSError(
            _("@%(keyword)s is not allowed: %(reason)s.")
            % {"keyword": rule.at_keyword, "reason": reason},
            rule.source_line,
        )
    if rule.content is None:
        raise CustomCSSError(_("@media needs a block of rules in { }."), rule.source_line)
    query = _clean_media_query(rule.prelude, rule.source_line)
    inner: list[str] = []
    for node in tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True):
        if node.type == "qualified-rule":
            inner.append("  " + _clean_style_rule(node, media_prefix))
        elif node.type == "at-rule":
            raise CustomCSSError(
                _("@%(keyword)s is not allowed inside @media: only style rules are.")
                % {"keyword": node.at_keyword},
                node.source_line,
            )
        else:
            raise CustomCSSError(
                _("This is not a CSS rule (%(problem)s).")
                % {"problem": getattr(node, "message", node.type)},
                node.source_line,
            )
    return [f"@media {query} {{", *inner, "}"]


def _clean_media_query(prelude: Sequence[ast.Node], line: int) -> str:
    if not _strip(prelude):
        raise CustomCSSError(_("@media needs a media query, e.g. (max-width: 600px)."), line)
    for node in _walk(prelude):
        if isinstance(node, ast.WhitespaceToken | ast.IdentToken | ast.ParenthesesBlock):
            continue
        if isinstance(node, ast.NumberToken | ast.DimensionToken):
            continue
        if isinstance(node, ast.LiteralToken) and node.value in _MEDIA_LITERALS:
            continue
        raise CustomCSSError(
            _("%(what)s is not allowed in a media query; write e.g. (max-width: 600px).")
            % {"what": _describe(node)},
            _line(node, line),
        )
    return _serialize(prelude, line)


def _clean_style_rule(rule: ast.QualifiedRule, media_prefix: str) -> str:
    selector = _clean_selector(rule.prelude, rule.source_line)
    declarations: list[str] = []
    for node in tinycss2.parse_blocks_contents(
        rule.content, skip_comments=True, skip_whitespace=True
    ):
        if node.type == "declaration":
            declarations.append(_clean_declaration(node, media_prefix))
        elif node.type == "qualified-rule":
            raise CustomCSSError(
                _("Nested rules are not allowed (in '%(selector)s'); write each rule separately.")
                % {"selector": selector},
                node.source_line,
            )
        elif node.type == "at-rule":
            raise CustomCSSError(
                _("@%(keyword)s is not allowed inside a rule (in '%(selector)s').")
                % {"keyword": node.at_keyword, "selector": selector},
                node.source_line,
            )
        else:
            raise CustomCSSError(
                _("This is not a declaration like 'color: red' (in '%(selector)s').")
                % {"selector": selector},
                node.source_line,
            )
    body = " ".join(declarations)
    return f"{selector} {{ {body} }}" if body else f"{selector} {{ }}"


def _clean_selector(prelude: Sequence[ast.Node], line: int) -> str:
    if not _strip(prelude):
        raise CustomCSSError(_("A rule is missing its selector."), line)
    _check_selector_tokens(prelude, line)
    return _serialize(_plain_nth_arguments(prelude), line)


def _plain_nth_arguments(nodes: Sequence[ast.Node]) -> list[ast.Node]:
    # tinycss2.serialize writes "2n+1" as "2n/**/+1" (it keeps tokens apart on principle). The
    # checked An+B arguments only hold digits, letters, signs and spaces, so their original text
    # is written as it was, wrapped in one literal token.
    result: list[ast.Node] = []
    for node in nodes:
        if isinstance(node, ast.FunctionBlock):
            if node.lower_name in _NTH_FUNCTIONS:
                text = "".join(argument.serialize() for argument in node.arguments)
                arguments = [ast.LiteralToken(node.source_line, node.source_column, text)]
            else:
                arguments = _plain_nth_arguments(node.arguments)
            node = ast.FunctionBlock(node.source_line, node.source_column, node.name, arguments)
        result.append(node)
    return result


def _check_selector_tokens(nodes: Sequence[ast.Node], line: int) -> None:
    for node in nodes:
        if isinstance(node, ast.WhitespaceToken | ast.IdentToken | ast.HashToken):
            continue
        if isinstance(node, ast.LiteralToken) and node.value in _SELECTOR_LITERALS:
            continue
        if isinstance(node, ast.SquareBracketsBlock):
            raise CustomCSSError(
                _(
                    "Attribute selectors ([...]) are not allowed: they can read the values typed "
                    "into form fields."
                ),
                _line(node, line),
            )
        if isinstance(node, ast.FunctionBlock):
            if node.lower_name in _SELECTOR_LIST_FUNCTIONS:
                if not _strip(node.arguments):
                    raise CustomCSSError(
                        _(":%(name)s() needs a selector.") % {"name": node.name},
                        _line(node, line),
                    )
                _check_selector_tokens(node.arguments, line)
                continue
            if node.lower_name in _NTH_FUNCTIONS:
                _check_nth_tokens(node, line)
                continue
            raise CustomCSSError(
                _(":%(name)s() is not allowed in selectors; allowed are %(allowed)s.")
                % {
                    "name": node.name,
                    "allowed": ", ".join(
                        f":{name}()" for name in sorted(_SELECTOR_LIST_FUNCTIONS | _NTH_FUNCTIONS)
                    ),
                },
                _line(node, line),
            )
        raise CustomCSSError(
            _("%(what)s is not allowed in a selector.") % {"what": _describe(node)},
            _line(node, line),
        )


def _check_nth_tokens(function: ast.FunctionBlock, line: int) -> None:
    # An+B only ("2n+1", "odd", "-n + 3"); the "of <selector>" form is not needed.
    for node in function.arguments:
        if isinstance(
            node,
            ast.WhitespaceToken | ast.IdentToken | ast.NumberToken | ast.DimensionToken,
        ):
            continue
        if isinstance(node, ast.LiteralToken) and node.value in {"+", "-"}:
            continue
        raise CustomCSSError(
            _("%(what)s is not allowed in :%(name)s(); write e.g. 2n+1 or odd.")
            % {"what": _describe(node), "name": function.name},
            _line(node, line),
        )


def _clean_declaration(declaration: ast.Declaration, media_prefix: str) -> str:
    name = declaration.lower_name
    line = declaration.source_line
    _check_property(declaration.name, name, line)
    if not _strip(declaration.value):
        raise CustomCSSError(_("'%(property)s' has no value.") % {"property": name}, line)
    _check_value(declaration.value, name, media_prefix, line, in_calc=False)
    value = _serialize(declaration.value, line)
    important = " !important" if declaration.important else ""
    return f"{name}: {value}{important};"


def _check_property(raw_name: str, name: str, line: int) -> None:
    if raw_name.startswith("--"):
        # The theme's custom properties (--color-*, --radius, ...) were checked for contrast
        # when the theme was published; redefining them here would bypass that check.
        raise CustomCSSError(
            _(
                "Custom properties such as '%(name)s' cannot be set here: the theme colours are "
                "set (and contrast-checked) in the theme editor. Use var() to read them."
            )
            % {"name": raw_name},
            line,
        )
    if name in ALLOWED_PROPERTIES:
        return
    reason = _PROPERTY_REASONS.get(name) or _("it is not on the list of allowed properties")
    raise CustomCSSError(
        _("The property '%(property)s' is not allowed: %(reason)s.")
        % {"property": name, "reason": reason},
        line,
    )


def _check_value(
    nodes: Sequence[ast.Node], prop: str, media_prefix: str, line: int, *, in_calc: bool
) -> None:
    for node in nodes:
        where = _line(node, line)
        if isinstance(
            node,
            ast.WhitespaceToken
            | ast.IdentToken
            | ast.NumberToken
            | ast.PercentageToken
            | ast.DimensionToken
            | ast.HashToken,
        ):
            continue
        if isinstance(node, ast.LiteralToken):
            if node.value in {",", "/"} or (in_calc and node.value in {"+", "-", "*"}):
                continue
            if node.value == "<":
                raise CustomCSSError(
                    _(
                        "'<' is not allowed in the value of '%(property)s' (it could end the "
                        "<style> element)."
                    )
                    % {"property": prop},
                    where,
                )
            if node.value == ":" and _previous_ident(nodes, node) in {"javascript", "vbscript"}:
                raise CustomCSSError(
                    _("javascript: is not allowed in the value of '%(property)s'.")
                    % {"property": prop},
                    where,
                )
            raise CustomCSSError(_not_in_value(node, prop), where)
        if isinstance(node, ast.URLToken):
            _check_url(node.value, media_prefix, where)
            continue
        if isinstance(node, ast.ParenthesesBlock) and in_calc:
            _check_value(node.content, prop, media_prefix, line, in_calc=True)
            continue
        if isinstance(node, ast.FunctionBlock):
            _check_function(node, prop, media_prefix, where)
            continue
        raise CustomCSSError(_not_in_value(node, prop), where)


def _check_function(function: ast.FunctionBlock, prop: str, media_prefix: str, line: int) -> None:
    name = function.lower_name
    if name not in VALUE_FUNCTIONS:
        reason = _FUNCTION_REASONS.get(name) or _("allowed are %(functions)s") % {
            "functions": ", ".join(f"{n}()" for n in sorted(VALUE_FUNCTIONS))
        }
        raise CustomCSSError(
            _("The function %(name)s() is not allowed in '%(property)s': %(reason)s.")
            % {"name": function.name, "property": prop, "reason": reason},
            line,
        )
    arguments = _strip(function.arguments)
    if name == "url":
        # url("...") with quotes arrives as a function holding one string; without quotes it is
        # a URLToken (handled in _check_value). Anything else in here is refused.
        if len(arguments) != 1 or not isinstance(arguments[0], ast.StringToken):
            raise CustomCSSError(_("url() must contain a single address."), line)
        _check_url(arguments[0].value, media_prefix, line)
        return
    if name == "var":
        first = arguments[0] if arguments else None
        if not isinstance(first, ast.IdentToken) or not _VAR_NAME_RE.fullmatch(first.value):
            raise CustomCSSError(
                _("var() may only read the theme's --color-*, --radius and --font-body."), line
            )
        rest = _strip(arguments[1:])
        if rest:
            # A fallback after the comma is an ordinary value.
            if not (isinstance(rest[0], ast.LiteralToken) and rest[0].value == ","):
                raise CustomCSSError(_("var() takes a name and, after a comma, a fallback."), line)
            _check_value(rest[1:], prop, media_prefix, line, in_calc=False)
        return
    _check_value(function.arguments, prop, media_prefix, line, in_calc=name == "calc")


def _check_url(url: str, media_prefix: str, line: int) -> None:
    stripped = url.strip()
    if stripped.lower().startswith(("javascript:", "vbscript:")):
        raise CustomCSSError(_("javascript: addresses are not allowed."), line)
    if stripped.startswith("//") or _URL_SCHEME_RE.match(stripped):
        raise CustomCSSError(
            _(
                "url(%(url)s) points to another site; only files uploaded to this portal "
                "(%(prefix)s...) may be used."
            )
            % {"url": url, "prefix": media_prefix},
            line,
        )
    if not stripped.startswith(media_prefix):
        raise CustomCSSError(
            _(
                "url(%(url)s) is not allowed; only files uploaded to this portal (%(prefix)s...) "
                "may be used."
            )
            % {"url": url, "prefix": media_prefix},
            line,
        )
    rest = stripped[len(media_prefix) :]
    if not _URL_PATH_RE.fullmatch(rest):
        raise CustomCSSError(
            _(
                "url(%(url)s) contains characters that are not allowed (use letters, digits, "
                "'.', '_', '-' and '/')."
            )
            % {"url": url},
            line,
        )
    if any(segment in ("", ".", "..") for segment in rest.split("/")):
        raise CustomCSSError(
            _("url(%(url)s) is not allowed: empty, '.' or '..' path segments.") % {"url": url},
            line,
        )


def _previous_ident(nodes: Sequence[ast.Node], node: ast.Node) -> str | None:
    index = next(i for i, candidate in enumerate(nodes) if candidate is node)
    previous = nodes[index - 1] if index else None
    return previous.lower_value if isinstance(previous, ast.IdentToken) else None


def _strip(nodes: Sequence[ast.Node]) -> list[ast.Node]:
    return [node for node in nodes if not isinstance(node, ast.WhitespaceToken | ast.Comment)]


def _serialize(nodes: Sequence[ast.Node], line: int) -> str:
    # Comments are already gone (skip_comments). Collapsing whitespace is safe because no string
    # that could contain whitespace survives the checks (url() paths have a strict alphabet).
    text = re.sub(r"\s+", " ", tinycss2.serialize(nodes)).strip()
    if "/*" in text:
        # tinycss2 writes "/**/" where a removed comment was the only thing keeping two tokens
        # apart ("url/**/(...)"). Valid, but it reads like something it is not; refuse instead.
        raise CustomCSSError(
            _("A comment splits a name, number or function call in two; remove the comment."),
            line,
        )
    return text


def _describe(node: ast.Node) -> str:
    if isinstance(node, ast.LiteralToken):
        return f"'{node.value}'"
    if isinstance(node, ast.StringToken):
        return _("A quoted string")
    if isinstance(node, ast.AtKeywordToken):
        return f"'@{node.value}'"
    if isinstance(node, ast.FunctionBlock):
        return _("The function %(name)s()") % {"name": node.name}
    if isinstance(node, ast.CurlyBracketsBlock):
        return _("A '{ }' block")
    if isinstance(node, ast.ParenthesesBlock):
        return _("A '( )' group")
    return f"'{tinycss2.serialize([node])}'"


def _not_in_value(node: ast.Node, prop: str) -> str:
    return _("%(what)s is not allowed in the value of '%(property)s'.") % {
        "what": _describe(node),
        "property": prop,
    }


def _line(node: ast.Node, fallback: int) -> int:
    return getattr(node, "source_line", None) or fallback
