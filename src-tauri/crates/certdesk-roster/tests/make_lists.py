"""Writes units' employee lists (明细表) as other programs make them, for certdesk-roster's tests:
XLSX by openpyxl, XLS by xlwt, CSV by Python's csv module in UTF-8, UTF-8 with BOM, GBK (as
Excel's "CSV (逗号分隔)" on a Chinese Windows) and UTF-16 tab-separated (Excel's "Unicode 文本").
Lists that must read also get NAME.expected.json: the case JSON `employees` array, computed here
(the ID check characters too) and not by the code under test.

    python3 make_lists.py OUT_DIR
"""
import csv
import json
import os
import sys
import zipfile

import openpyxl
import xlwt

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def ric(area, birth, seq):
    """A resident ID number (GB 11643-1999): ISO 7064 MOD 11-2 check character."""
    body = f"{area}{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def wrong_check(number):
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def expected(name, rows):
    with open(path(name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=1)


def employee(name, id_number, email, business, years, id_type="resident_id"):
    return {"name": name, "id_type": id_type, "id_number": id_number, "email": email, "business": business, "years": years}


people = [
    ("王芳", ric("440106", "20010909", 406), "wangfang@example.gov.cn"),
    ("陈刚", ric("210102", "19880102", 3), "chengang@example.gov.cn"),
    ("欧阳䶮", ric("440104", "19750630", 118), None),
    ("李娜", ric("110105", "19921231", 24), "lina@example.com"),
]
# an ID whose check character is X, typed in lowercase: normalised to X
x_id = next(ric("440106", "19800101", s) for s in range(1, 999) if ric("440106", "19800101", s).endswith("X"))
people.append(("赵敏", x_id.lower(), "zhaomin@example.com"))


# 1. the seed's own annex (附页：机构员工证书申请资料): a title, a pre-numbered template whose
#    business cell is the form's row of boxes, a note under the table
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "附页"
ws["A1"] = "附页：机构员工证书申请资料"
ws.merge_cells("A1:E1")
ws.append([])
ws.append(["序号", "姓名", "业务类型", "身份证号码", "电子邮件"])
boxes = "□新申请，年限      年 （填大写数字）  □变更  □注销\n□更新，年限        年 （填大写数字）  □补办  □解锁"
ticked = [
    boxes.replace("□新申请，年限      年", "■新申请，年限  叁  年"),
    boxes.replace("□更新，年限        年", "■更新，年限  贰  年"),
    "新申请，年限壹年",
]
rows = []
for i in range(14):
    if i < 3:
        name, number, email = people[i]
        ws.append([i + 1, name, ticked[i], number, email])
    else:
        ws.append([i + 1, None, boxes, None, None])
ws.append(["说明：1、申请机构中员工证书须提供准确的员工本人身份信息资料，如有更多的机构中员工证书申请，请复印本表；"])
# the note stands in the name column on some copies
ws.append([None, "注：办理证书更新业务时，证书的任何信息必须为原发信息。"])
wb.save(path("seed-annex.xlsx"))
expected(
    "seed-annex.xlsx",
    [
        employee(people[0][0], people[0][1], people[0][2], "new", 3),
        employee(people[1][0], people[1][1], people[1][2], "renew", 2),
        employee(people[2][0], people[2][1], None, "new", 1),
    ],
)

# 2. a unit's own table: other headers, an ID type column, years as numbers, an instructions
#    sheet first
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "填表说明"
ws["A1"] = "请在第二张工作表填写员工信息，身份证号码列请设置为文本格式。"
ws = wb.create_sheet("员工明细")
ws.append(["广东省示例事业单位 数字证书员工明细表"])
ws.append(["员工姓名*", "证件类型", "证件号码", "E-mail", "手机号码", "业务类型", "有效期(年)"])
ws.append([people[0][0], "身份证", people[0][1], people[0][2], "13711112222", "新申请", 3])
ws.append([people[1][0], "居民身份证", people[1][1], people[1][2], "13711113333", "新办", 1])
ws.append(["John Smith", "护照", "E12345678", "john@example.com", None, "变更", None])
ws.append([people[4][0], None, people[4][1], people[4][2], None, "续期", "2年"])
wb.save(path("variants.xlsx"))
expected(
    "variants.xlsx",
    [
        employee(people[0][0], people[0][1], people[0][2], "new", 3),
        employee(people[1][0], people[1][1], people[1][2], "new", 1),
        employee("John Smith", "E12345678", "john@example.com", "change", None, id_type="passport"),
        employee(people[4][0], people[4][1].upper(), people[4][2], "renew", 2),
    ],
)

# 3. the same list as CSV in every encoding a counter meets, and as XLS
header = ["姓名", "身份证号", "邮箱", "业务类型", "年限"]
body = [[n, i, e or "", "新申请", "3"] for n, i, e in people[:4]]
plain = [employee(n, i, e, "new", 3) for n, i, e in people[:4]]
for name, encoding in [("utf8.csv", "utf-8"), ("utf8-bom.csv", "utf-8-sig"), ("gbk.csv", "gbk")]:
    # 欧阳䶮: 䶮 is not in GBK; the GBK file has a name GBK can write
    rows_here = [r[:] for r in body]
    exp = [dict(e) for e in plain]
    if encoding == "gbk":
        rows_here[2][0] = exp[2]["name"] = "欧阳锋"
    with open(path(name), "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)  # CRLF, as Excel writes
        w.writerow(header)
        w.writerows(rows_here)
    expected(name, exp)
with open(path("utf16.txt"), "w", encoding="utf-16", newline="") as f:
    w = csv.writer(f, delimiter="\t")
    w.writerow(header)
    w.writerows(body)
expected("utf16.txt", plain)
book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("Sheet1")
for r, row in enumerate([header] + body):
    for c, v in enumerate(row):
        sheet.write(r, c, v)
book.save(path("list.xls"))
expected("list.xls", plain)

# 4. a list without an ID number column
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["单位员工名单"])
ws.append(["姓名", "邮箱", "业务类型"])
ws.append([people[0][0], people[0][2], "新申请"])
wb.save(path("missing-column.xlsx"))

# 5. bad cells: a wrong check character, a bad e-mail, an unknown business type, no name
with open(path("bad-cells.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["员工数字证书明细表"])
    w.writerow(header)
    w.writerow([people[0][0], people[0][1], people[0][2], "新申请", "3"])
    w.writerow([people[1][0], wrong_check(people[1][1]), people[1][2], "新申请", "3"])  # row 4
    w.writerow([])
    w.writerow([people[3][0], people[3][1], "lina@", "开户", "3"])  # row 6: e-mail, business
    w.writerow(["", people[2][1], "", "新申请", "三年半"])  # row 7: name, years

# 6. duplicates: the same ID twice (once with a lowercase x), and one already on the case
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["姓名", "身份证号码", "电子邮箱", "业务类型", "年限"])
ws.append([people[4][0], people[4][1].upper(), people[4][2], "新申请", 1])  # row 2
ws.append([people[3][0], people[3][1], people[3][2], "新申请", 1])  # row 3: on the case
ws.append(["赵敏（重复）", people[4][1], None, "新申请", 1])  # row 4: same as row 2
wb.save(path("duplicates.xlsx"))
with open(path("duplicates.case.json"), "w", encoding="utf-8") as f:
    json.dump([employee(people[3][0], people[3][1], people[3][2], "new", 1)], f, ensure_ascii=False)

# 7. empty files: no bytes, a workbook without cells, a header and no rows
open(path("empty.csv"), "wb").close()
openpyxl.Workbook().save(path("empty.xlsx"))
wb = openpyxl.Workbook()
wb.active.append(["姓名", "身份证号码", "业务类型"])
wb.save(path("header-only.xlsx"))

# 8. files that are no spreadsheet
with open(path("scan.pdf"), "wb") as f:
    f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n\x00\x01\x02\x89\xff\nendstream\n%%EOF\n")
with zipfile.ZipFile(path("letter.docx"), "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/document.xml", "<w:document/>")
with open(path("seal.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

# 9. huge: a CSV beyond the file limit, and an XLSX with far more rows than a case takes
with open(path("huge.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    row = [people[0][0], people[0][1], "x" * 200, "新申请", "1"]
    for _ in range(80_000):
        w.writerow(row)
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet()
ws.append(["姓名", "身份证号码", "业务类型", "年限"])
for k in range(5000):
    ws.append([f"员工{k}", ric("440106", "19900101", k % 999 + 1), "新申请", 1])
wb.save(path("many-rows.xlsx"))

# 10. an ID typed into a number cell, and the CSV Excel saves from it
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["姓名", "身份证号码", "业务类型", "年限"])
ws.append([people[1][0], people[1][1], "新申请", 1])
ws.append([people[0][0], int(people[0][1]), "新申请", 1])  # row 3
wb.save(path("id-as-number.xlsx"))
with open(path("id-as-number.csv"), "w", encoding="gbk", newline="") as f:
    w = csv.writer(f)
    w.writerow(["姓名", "身份证号码", "业务类型", "年限"])
    w.writerow([people[1][0], people[1][1], "新申请", "1"])
    w.writerow([people[0][0], "4.40106E+17", "新申请", "1"])  # row 3

# 11. a list of names and ID numbers only: business and years come from the case
with open(path("names-only.csv"), "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f)
    w.writerow(["姓名", "身份证号码"])
    for n, i, _ in people[:2]:
        w.writerow([n, i])

# 12. a workbook whose sheet inflates far beyond any list (a "zip bomb"), built from a real one
with zipfile.ZipFile(path("variants.xlsx")) as src, zipfile.ZipFile(path("bomb.xlsx"), "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == "xl/worksheets/sheet2.xml":
            data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (100 << 20), 1)
        dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
