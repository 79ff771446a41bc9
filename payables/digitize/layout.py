"""Words → rows → cells: the geometry that turns a page into label→value pairs and table lines.

A row is the words sharing a baseline (for OCR: the engine's own text line, which follows a
skewed scan); a cell is a run of words on a row without a wide gap, so a label and the value
printed in the next column stay apart while "Invoice no. 12345" stays one cell.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cached_property

from payables.digitize.model import Box, Word
from payables.digitize.values import fold

# A gap wider than this many row heights starts a new cell (about three spaces).
CELL_GAP = 1.1


@dataclass(frozen=True)
class Cell:
    """Consecutive words of a row with normal spacing."""

    words: tuple[Word, ...]

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def box(self) -> Box:
        return union(w.box for w in self.words)

    def span_box(self, start: int, end: int) -> Box:
        """The box of the words covering characters ``start:end`` of ``text``."""
        return union(w.box for w in self.words_in(start, end))

    def words_in(self, start: int, end: int) -> list[Word]:
        out, pos = [], 0
        for word in self.words:
            word_end = pos + len(word.text)
            if word_end > start and pos < end:
                out.append(word)
            pos = word_end + 1
        return out or [self.words[-1]]


@dataclass(frozen=True)
class Row:
    """The words on one line of a page, left to right, split into cells."""

    page: int
    index: int  # position on its page, top to bottom
    cells: tuple[Cell, ...]

    @cached_property
    def box(self) -> Box:
        return union(c.box for c in self.cells)

    @cached_property
    def text(self) -> str:
        return "  ".join(c.text for c in self.cells)

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def union(boxes) -> Box:
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def build_rows(words: tuple[Word, ...], page: int, aspect: float = 1.414) -> list[Row]:
    """Group a page's words into rows (by OCR line, else by vertical overlap) and cells.

    ``aspect`` is page height / width, to measure horizontal gaps in row heights.
    """
    if not words:
        return []
    if all(w.line >= 0 for w in words):
        groups: dict[int, list[Word]] = {}
        for word in words:
            groups.setdefault(word.line, []).append(word)
        lines = sorted(groups.values(), key=lambda ws: min(w.box[1] for w in ws))
    else:
        lines = _lines_by_geometry(words)
    rows = []
    for index, line in enumerate(lines):
        line.sort(key=lambda w: w.box[0])
        rows.append(Row(page, index, tuple(_cells(line, aspect))))
    return rows


def _lines_by_geometry(words: tuple[Word, ...]) -> list[list[Word]]:
    """Rows of words whose vertical middles fall within each other's extent."""
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: ((w.box[1] + w.box[3]) / 2, w.box[0])):
        middle = (word.box[1] + word.box[3]) / 2
        height = word.box[3] - word.box[1]
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bands[i]
            band_middle = (top + bottom) / 2
            if top <= middle <= bottom and abs(band_middle - middle) < 0.45 * max(
                height, bottom - top
            ):
                lines[i].append(word)
                bands[i] = (min(top, word.box[1]), max(bottom, word.box[3]))
                break
        else:
            lines.append([word])
            bands.append((word.box[1], word.box[3]))
    return lines


def _cells(line: list[Word], aspect: float) -> list[Cell]:
    heights = sorted(w.box[3] - w.box[1] for w in line)
    height = heights[len(heights) // 2] * aspect  # in page-width units
    cells, current = [], [line[0]]
    for before, word in itertools.pairwise(line):
        if word.box[0] - before.box[2] > CELL_GAP * height:
            cells.append(Cell(tuple(current)))
            current = []
        current.append(word)
    cells.append(Cell(tuple(current)))
    return cells


def rows_below(rows: list[Row], row: Row, count: int = 2) -> list[Row]:
    """The next rows down the same page, close enough to hold a value printed under a label."""
    out = []
    last = row
    for other in rows[row.index + 1 :]:
        gap = other.box[1] - last.box[3]
        if gap > 2.5 * max(row.height, 0.008):
            break
        out.append(other)
        last = other
        if len(out) == count:
            break
    return out


def overlapping_cells(row: Row, x0: float, x1: float) -> list[Cell]:
    """Cells of ``row`` that overlap the horizontal span ``x0..x1``."""
    return [c for c in row.cells if c.box[0] < x1 and c.box[2] > x0]


def join_wrapped_minus(rows: list[Row]) -> list[Row]:
    """Move a minus sign that wrapped to the end of the row above onto its amount.

    A narrow right-aligned column prints "-" on one line and "1,12" on the next; read apart,
    the amount loses its sign and the totals no longer add up.
    """
    for i, row in enumerate(rows[:-1]):
        for cell in row.cells:
            last = cell.words[-1]
            if last.text not in ("-", "–", "−"):
                continue
            for j in (i + 1, i + 2):
                if j < len(rows) and _negate_below(rows, j, row, last):
                    break
    return rows


def _negate_below(rows: list[Row], j: int, row: Row, minus: Word) -> bool:
    below = rows[j]
    if below.box[1] - row.box[3] > row.height:
        return False
    for c, other in enumerate(below.cells):
        first = other.words[0]
        near = abs(first.box[2] - minus.box[2]) < 0.08 or abs(first.box[0] - minus.box[0]) < 0.03
        if near and first.text[:1].isdigit():
            cells = list(below.cells)
            cells[c] = Cell((replace(first, text="-" + first.text), *other.words[1:]))
            rows[j] = replace(below, cells=tuple(cells))
            return True
    return False
