"""Hostile PDFs: bombs in streams, objects, cross-references and pages."""

from __future__ import annotations

import zlib

# -- PDF -------------------------------------------------------------------------------


def pdf(objects: dict[int, bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """A PDF of these objects (number: body), with a cross-reference table or none."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    size = max(objects) + 1
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        out += b"".join(
            b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
            for n in range(1, size)
        )
    out += b"trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start)
    return bytes(out)


def pdf_with_xref_stream(objects: dict[int, bytes], packed: dict[int, tuple[int, int]]) -> bytes:
    """A PDF 1.5 whose cross-reference stream lists ``objects`` and ``packed`` ones
    (number: (object stream, index)); object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_number = max([*objects, *packed]) + 1
    offsets[xref_number] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        elif number in packed:
            stream, index = packed[number]
            rows.append(b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big"))
        else:
            rows.append(b"\x00\x00\x00\x00\x00\xff\xff")
    data = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<</Type/XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d>>stream\n"
        % (xref_number, xref_number + 1, len(data))
        + data
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    )
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return (
        b"<<%s /Length %d /Filter /FlateDecode>>stream\n" % (entries, len(data))
        + data
        + (b"\nendstream")
    )


def deflated(byte: bytes, megabytes: int) -> bytes:
    """``megabytes`` MiB of one byte as a zlib stream, a thousandth of that on disk.

    Built without deflating it all: after the first MiB every MiB of the same byte
    deflates (sync-flushed) to the same block, so that block is repeated, and the
    checksum is computed over the inflated bytes.
    """
    chunk = byte * 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    blocks = first + repeated * (megabytes - 1) + compressor.flush()
    return b"\x78\xda" + blocks + checksum.to_bytes(4, "big")


CATALOG_WITH_INVOICE = (
    b"<</Type/Catalog /Pages 2 0 R /Names <</EmbeddedFiles <</Names [(factur-x.xml) 4 0 R]>>>>>>"
)
PAGES = b"<</Type/Pages /Kids [3 0 R] /Count 1>>"
PAGE = b"<</Type/Page /Parent 2 0 R /MediaBox [0 0 595 842]>>"
FILESPEC = b"<</Type/Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF <</F 5 0 R>>>>"


def pdf_zip_bomb() -> bytes:
    """factur-x.xml that inflates to 256 MB from 250 KB."""
    bomb = stream(deflated(b"<", 256), b"/Type/EmbeddedFile")
    return pdf({1: CATALOG_WITH_INVOICE, 2: PAGES, 3: PAGE, 4: FILESPEC, 5: bomb})


def pdf_object_stream_bomb() -> bytes:
    """An object stream declaring 60,000 objects: reading one of them parses them all."""
    count = 60_000
    header = b" ".join(b"%d %d" % (10 + n, 2 * n) for n in range(count))
    body = b" 0" * count
    packed = stream(
        zlib.compress(header + body), b"/Type/ObjStm /N %d /First %d" % (count, len(header))
    )
    catalog = b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>"
    return pdf_with_xref_stream({1: catalog, 2: PAGES, 3: PAGE, 4: packed}, {10: (4, 0)})


def pdf_object_stream_inflate() -> bytes:
    """An object stream that inflates to 256 MB (where the catalog's files are)."""
    packed = stream(deflated(b" ", 256), b"/Type/ObjStm /N 1 /First 4")
    catalog = b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>"
    return pdf_with_xref_stream({1: catalog, 2: PAGES, 3: PAGE, 4: packed}, {10: (4, 0)})


def pdf_many_objects() -> bytes:
    """60,000 objects: file specifications listed by the catalog."""
    count = 60_000
    specs = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    objects = {1: b"<</Type/Catalog /Pages 2 0 R /AF [%s]>>" % specs, 2: PAGES, 3: PAGE}
    objects.update({4 + n: b"<</Type/Filespec /F (f%d.xml)>>" % n for n in range(count)})
    return pdf(objects)


def pdf_xref_table_bomb() -> bytes:
    """A cross-reference table of a million (free) entries, 20 MB."""
    head = pdf({1: b"<</Type/Catalog /Pages 2 0 R>>", 2: PAGES, 3: PAGE}, xref=False)
    body = head[: head.index(b"trailer")]
    table = b"xref\n0 1000004\n" + b"0000000000 65535 f \n" * 1_000_004
    trailer = b"trailer\n<</Size 1000004 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % len(body)
    return body + table + trailer


def pdf_page_count() -> bytes:
    """A page tree that says it has 60,000 pages."""
    return pdf(
        {
            1: b"<</Type/Catalog /Pages 2 0 R>>",
            2: b"<</Type/Pages /Kids [3 0 R] /Count 60000>>",
            3: PAGE,
        }
    )


def pdf_misplaced_objects() -> bytes:
    """100 objects the table places wrongly, in 19 MB: a reader searches the file for each."""
    count = 100
    specs = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    objects = {1: b"<</Type/Catalog /Pages 2 0 R /AF [%s]>>" % specs, 2: PAGES, 3: PAGE}
    objects.update({4 + n: b"<</Type/Filespec /F (f%d.xml)>>" % n for n in range(count)})
    objects[4 + count] = b"(" + b"x" * 19_000_000 + b")"
    data = pdf(objects)
    table = data.index(b"xref\n")
    lines = data[table:].split(b"\n")
    for index in range(6, 6 + count):  # objects 4.. point at the header instead
        lines[index] = b"0000000009 00000 n "
    return data[:table] + b"\n".join(lines)


def pdf_broken_xref() -> bytes:
    """No cross-reference table: a reader would rebuild it by reading every object and
    object stream in the file."""
    packed = stream(zlib.compress(b"10 0 null"), b"/Type/ObjStm /N 1 /First 5")
    return pdf(
        {1: b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>", 2: PAGES, 3: PAGE, 4: packed},
        xref=False,
    )
