#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into DIR/<target>/ (scripts/fuzz.sh calls it at CI time,
so no binary seed is committed): the hostile files of #78, made here as the issue describes
them, and honest files of the same kinds.

  roster   an XLS whose one cell is at row 65535, column 255 with DIMENSIONS claiming that much
           or more (it aborted the process in calamine), the same with honest dimensions, one
           whose OLE sector chain loops under a 4 GB stream, an XLSX whose entries stream their
           sizes in data descriptors and inflate to 80 MiB from about 80 KB (it passed the
           64 MiB check), ODS files whose repeated cells copy their text 32 768 times or whose
           table never ends, and honest XLS (xlwt), XLSX (openpyxl), ODS and CSV lists
  key_file an honest key file's JSON and variants (another format, costs no one would set)
  backup   a SQLite file that is not a certdesk store, and its first page cut short
  case_json, fee, decode_scan  a small input each

Needs python3 with xlwt and openpyxl (scripts/deps.sh test installs them).
Usage: make_seeds.py DIR
"""

import io
import json
import os
import sqlite3
import struct
import sys
import zipfile
import zlib

import openpyxl
import xlwt

OUT = sys.argv[1]


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---- XLS: BIFF8 records in an OLE container, written byte by byte ----

def record(typ, data=b""):
    return struct.pack("<HH", typ, len(data)) + data


def bof(kind):
    return record(0x0809, struct.pack("<HH", 0x0600, kind) + bytes(12))


EOF_RECORD = record(0x000A)


def dimensions(first_row, last_row_plus_one, first_col, last_col_plus_one):
    return record(0x0200, struct.pack("<IIHHH", first_row, last_row_plus_one, first_col, last_col_plus_one, 0))


def number(row, col, value):
    return record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def workbook_stream(sheet_records):
    def boundsheet(pos):
        return record(0x0085, struct.pack("<IBBBB", pos, 0, 0, 6, 0) + b"Sheet1")

    globals_len = len(bof(0x0005)) + len(boundsheet(0)) + len(EOF_RECORD)
    return bof(0x0005) + boundsheet(globals_len) + EOF_RECORD + bof(0x0010) + b"".join(sheet_records) + EOF_RECORD


ENDOFCHAIN, FREESECT, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def ole(stream, declared_len=None, loop_chain=False):
    """A version 3 OLE container: the stream's sectors, the directory, the FAT."""
    body = stream + bytes(max(4096, -(-len(stream) // 512) * 512) - len(stream))
    n = len(body) // 512
    assert n + 2 <= 128
    directory_sector, fat_sector = n, n + 1
    header = bytearray(512)
    header[:8] = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)
    struct.pack_into("<I", header, 48, directory_sector)
    struct.pack_into("<IIIII", header, 56, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    for i in range(109):
        struct.pack_into("<I", header, 76 + 4 * i, fat_sector if i == 0 else FREESECT)

    def entry(name, kind, child, start, length):
        e = bytearray(128)
        raw = name.encode("utf-16-le")
        e[: len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw) + 2, kind, 1)
        struct.pack_into("<III", e, 68, FREESECT, FREESECT, child)
        struct.pack_into("<II", e, 116, start, length)
        return bytes(e)

    length = declared_len if declared_len is not None else len(body)
    directory = entry("Root Entry", 5, 1, ENDOFCHAIN, 0) + entry("Workbook", 2, FREESECT, 0, length)
    directory += bytes(512 - len(directory))
    fat = list(range(1, n)) + [0 if loop_chain else ENDOFCHAIN, ENDOFCHAIN, FATSECT]
    fat += [FREESECT] * (128 - len(fat))
    return bytes(header) + body + directory + struct.pack("<128I", *fat)


far_cell = number(65535, 255, 1.0)
write("roster", "dimensions-claim-more.xls", ole(workbook_stream([dimensions(0, 0x10000000, 0, 256), far_cell])))
write("roster", "dimensions-whole-sheet.xls", ole(workbook_stream([dimensions(0, 65536, 0, 256), far_cell])))
write("roster", "far-cell-no-dimensions.xls", ole(workbook_stream([number(0, 0, 1.0), far_cell])))
write("roster", "loop-chain.xls", ole(workbook_stream([dimensions(0, 1, 0, 1), number(0, 0, 1.0)]), 0xFFFFFF00, True))

HEADER = ["姓名", "证件类型", "证件号码", "电子邮箱", "业务类型", "年限"]
ROWS = [["张三", "居民身份证", "11010519491231002X", "zhangsan@example.com", "新办", 1], ["李四", "居民身份证", "110105198001010016", "lisi@example.com", "续期", 2]]

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("Sheet1")
for c, text in enumerate(HEADER):
    sheet.write(0, c, text)
for r, row in enumerate(ROWS, start=1):
    for c, value in enumerate(row):
        sheet.write(r, c, value)
buffer = io.BytesIO()
book.save(buffer)
write("roster", "honest.xls", buffer.getvalue())

book = openpyxl.Workbook()
sheet = book.active
sheet.append(HEADER)
for row in ROWS:
    sheet.append(row)
buffer = io.BytesIO()
book.save(buffer)
honest_xlsx = buffer.getvalue()
write("roster", "honest.xlsx", honest_xlsx)

csv_text = "\r\n".join(",".join(str(v) for v in row) for row in [HEADER] + ROWS) + "\r\n"
write("roster", "honest.csv", csv_text.encode("utf-8"))
write("roster", "honest-gbk.csv", csv_text.encode("gb18030"))


class Unseekable(io.RawIOBase):
    """A sink zipfile cannot seek in: it then streams each entry's sizes in a data descriptor."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


sink = Unseekable()
with zipfile.ZipFile(io.BytesIO(honest_xlsx)) as src, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        if item.filename == "xl/sharedStrings.xml":
            continue
        dst.writestr(item.filename, src.read(item.filename))
    with dst.open("xl/sharedStrings.xml", "w") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        chunk = b"a" * (1 << 20)
        for _ in range(80):
            f.write(chunk)
        f.write(b"</t></si></sst>")
bomb = bytes(sink.data)
assert bomb[6] & 0x08, "data descriptors"
write("roster", "descriptor-bomb.xlsx", bomb)

# ODS: an honest one with the empty rows an office suite writes after the last, one whose cell
# of 8 KB is repeated across 16 384 columns (its text copied into each), one that ends inside
# its table (calamine read on for ever)
ODS_HEAD = '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">'
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_row(values):
    return "<table:table-row>" + "".join('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % v for v in values) + "</table:table-row>"


def ods(content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>', zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


rows = ods_row(HEADER) + "".join(ods_row(row) for row in ROWS)
empty_rest = '<table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
write("roster", "honest.ods", ods(ODS_HEAD + rows + empty_rest + ODS_TAIL))
repeated = '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>' + "a" * 8192 + "</text:p></table:table-cell></table:table-row>"
write("roster", "repeated-text.ods", ods(ODS_HEAD + rows + repeated + ODS_TAIL))
write("roster", "unterminated-table.ods", ods(ODS_HEAD + rows))

# ---- key files ----

slot = {"account": "admin", "kdf": {"alg": "argon2id", "m_kib": 65536, "t": 3, "p": 4}, "salt": "00" * 16, "nonce": "00" * 12, "wrapped": "00" * 48, "set_at": "2026-11-24T00:00:00Z"}
key_file = {"format": "certdesk-keys-v1", "store_id": "00" * 16, "generation": 1, "cipher": {"page_size": 4096, "hmac": "HMAC_SHA256", "kdf": "raw-key"}, "key_check": "00" * 32, "slots": [slot], "mac": "00" * 32}
write("key_file", "honest.keys", json.dumps(key_file, indent=2).encode())
write("key_file", "other-format.keys", json.dumps(dict(key_file, format="certdesk-keys-v9")).encode())
write("key_file", "huge-costs.keys", json.dumps(dict(key_file, slots=[dict(slot, kdf={"alg": "argon2id", "m_kib": 0xFFFFFFFF, "t": 0xFFFFFFFF, "p": 255})])).encode())

# ---- backups ----

path = os.path.join(OUT, "not-a-store.db")
db = sqlite3.connect(path)
db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, data TEXT)")
db.execute("INSERT INTO cases (data) VALUES ('{}')")
db.commit()
db.close()
with open(path, "rb") as f:
    sqlite_file = f.read()
os.remove(path)
write("backup", "not-a-store.db", sqlite_file)
write("backup", "cut-short.db", sqlite_file[:100])

# ---- the older targets ----

write("case_json", "empty.json", b"{}")
write("fee", "zeros", bytes(12))


def png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([255, 255, 255]) * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


write("decode_scan", "white.png", png(16, 16))
