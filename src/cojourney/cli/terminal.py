"""Text from data is data, never markup or terminal control: the CLI's output filter.

Names of activities, touchpoints, segments, journeys and YAML keys come from files the
user imported; they may hold Rich markup (``[/]`` crashes a markup parse, ``[link=...]``
makes a hyperlink), emoji codes (``:warning:``), and control characters (``ESC [31m``
colours the terminal, ``ESC ] 8`` makes an OSC-8 hyperlink, a newline or a bidi override
fakes a line). Every data-derived string the CLI shows goes through :func:`clean`
(``click.echo``) or :func:`safe` (Rich markup strings and table cells), and every Rich
console comes from :func:`console`, which turns emoji codes off.

Only the standard library is imported here, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.table import Table

#: C0 controls (but tab and newline, kept only where asked), DEL, C1 controls, and the
#: Unicode bidi embeddings, overrides and isolates, which reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029\x85]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` (anything, shown with ``str``) with every control character made visible.

    ``ESC`` becomes ``\\e``, other controls ``\\xNN`` or ``\\uNNNN``, and tab and
    newline ``\\t`` and ``\\n`` unless ``keep_newlines`` (for messages whose lines the
    CLI itself wrote). Nothing in the result can move the cursor, colour the terminal
    or make a hyperlink.

    >>> clean("\\x1b[31mred\\x1b[0m")
    '\\\\e[31mred\\\\e[0m'
    >>> clean("a\\nb"), clean("a\\nb", keep_newlines=True)
    ('a\\\\nb', 'a\\nb')
    """
    text = str(text)
    if not keep_newlines:
        text = _LINE_BREAKS.sub(_visible, text)
    return _CONTROL.sub(_visible, text)


def safe(text: object) -> str:
    """``text`` ready to sit inside a Rich markup string or table cell: :func:`clean`
    plus Rich's markup escaping, so ``[/]`` and ``[link=...]`` show as they are.

    >>> safe("[link=http://x]y[/link]")
    '\\\\[link=http://x]y\\\\[/link]'
    """
    from rich.markup import escape

    return escape(clean(text))


def console(*, stderr: bool = False) -> Console:
    """A Rich console that prints emoji codes such as ``:warning:`` as they are, and
    tables too wide for it as records (:func:`fitted`).

    Its width is the terminal's; when the output is not a terminal, ``COLUMNS`` or 80.
    """
    from rich.console import Console
    from rich.table import Table

    class _Fitting(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(fitted(o) if isinstance(o, Table) else o for o in objects), **kwargs)

    return _Fitting(stderr=stderr, emoji=False)


def fitted(table: Table) -> Any:
    """``table`` as it prints: a table when its columns fit the width at hand unsqueezed,
    else one block of ``column: value`` lines per row (cells never cut mid-word).

    The choice is made when printing, against the console's width, so a table that
    fits a wide terminal stays a table and a narrow terminal (or 80 columns when the
    output is piped) gets records.
    """
    from rich.console import Group
    from rich.measure import Measurement
    from rich.text import Text

    class _Fitted:
        def __rich_console__(self, con: Any, options: Any) -> Any:
            needed = Measurement.get(con, options.update(width=10_000), table).maximum
            if needed <= options.max_width:
                yield table
                return
            yield _records(table, Group, Text, options.max_width)

    return _Fitted()


def _records(table: Table, group: Any, text: Any, width: int) -> Any:
    """The rows of ``table`` as blocks of ``header: cell`` pairs between its title and
    its caption: pairs share a line while they fit ``width`` (two spaces apart, the
    following lines of a block indented), a pair too long for a line wraps between
    words."""
    parts: list[Any] = []
    if table.title:
        parts.append(text.from_markup(str(table.title), style="italic"))
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    for n in range(table.row_count):
        parts.append(text(""))
        line = text("")
        for header, column in zip(headers, cells, strict=True):
            cell = column[n] if n < len(column) else ""
            value = cell if isinstance(cell, str) else str(cell)
            pair = text.from_markup(f"[bold]{header}[/]: {value}" if header else value)
            if "\n" in pair.plain:  # a cell of several lines gets lines of its own
                pair.overflow = "fold"
                if line.plain:
                    parts.append(line)
                parts.append(pair)
                line = text("  ")
                continue
            if line.plain.strip() and line.cell_len + 2 + pair.cell_len > width:
                parts.append(line)
                line = text("  ")
            elif line.plain.strip():
                line.append("  ")
            line.append_text(pair)
        if line.plain.strip():
            line.overflow = "fold"
            parts.append(line)
    if table.caption:
        parts += [text(""), text.from_markup(str(table.caption), style="dim")]
    return group(*parts)
