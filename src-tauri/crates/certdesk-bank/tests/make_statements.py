"""Writes bank statement exports (账户明细) as other programs make them, for certdesk-bank's tests:
XLSX by openpyxl, CSV by Python's csv module in GBK (Excel's "CSV (逗号分隔)" on a Chinese
Windows) and in UTF-8 with BOM, in the header layouts of 工商银行, 建设银行, 中国银行, 农业银行 and
招商银行 (title rows above the header, a totals row, debits mixed in, thousands separators,
2025/09/29- and 20250929-style dates, an Excel date cell, one signed 交易金额 with 借贷标志). The
credits each statement must give are written to expected.json, computed here from the rows
written, not by the code under test. Also writes the files that must be refused or give a row
problem.

    python3 make_statements.py OUT_DIR
"""
import csv
import datetime
import json
import os
import sys
import zipfile

import openpyxl

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
expected = {}

UNIT = "广州市示例科技有限公司"
UNIT_ACCOUNT = "44050100000000009999"
OTHER_UNIT = "深圳市样本贸易（深圳）有限公司"
PERSON_CARD = "6222020200112233445"


def path(name):
    return os.path.join(out, name)


def yuan(fen):
    """1400.00 as the Rust side shows an amount: no separators, two decimals."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def shown(fen):
    """1,400.00 as a bank writes it."""
    return f"{fen / 100:,.2f}"


def credit(row, date, fen, payer, account, remarks, bank_ref=None):
    return {
        "row": row,
        "date": date.isoformat(),
        "amount": yuan(fen),
        "payer_name": payer,
        "payer_account": account,
        "remark": " / ".join(r for r in remarks if r),
        "bank_ref": bank_ref,
    }


def d(day):
    return datetime.date(2025, 9, day)


def write_csv(name, rows, encoding):
    with open(path(name), "w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows(rows)


# 1. 工商银行: GBK CSV, 交易时间 with the time, 借/贷 beside separate debit and credit columns,
#    凭证号 blank for most rows, two identical transfers, a private person, a totals row
rows = [
    ["中国工商银行 账户明细"],
    ["账号：3602000009200012345", "", "户名：广州市数字证书受理点有限公司"],
    ["币种：人民币", "", "起止日期：2025-09-01 至 2025-09-30"],
    [],
    ["凭证号", "本方账号", "对方账号", "交易时间", "借/贷", "借方发生额", "贷方发生额", "对方行号", "摘要", "用途", "对方单位名称", "余额"],
]
credits = []
debits = 0
txns = [
    # (voucher, account, day, time, credit fen, debit fen, 摘要, 用途, payer)
    ("", UNIT_ACCOUNT, 29, "10:23:45", 140000, None, "汇款", "CA费用 GZ01-20250910-0002", UNIT),
    ("", "11000000000000000000", 29, "11:00:00", None, 9900, "扣费", "", "中国移动通信集团广东有限公司"),
    ("", UNIT_ACCOUNT, 29, "14:05:00", 70000, None, "汇款", "数字证书", UNIT),
    ("", UNIT_ACCOUNT, 29, "14:05:00", 70000, None, "汇款", "数字证书", UNIT),
    ("0012345678", PERSON_CARD, 30, "09:01:02", 40000, None, "转账", "CA证书费", "张三"),
    ("", "44050100000000000002", 30, "16:30:00", 123456789, None, "汇款", "", OTHER_UNIT),
]
balance = 1000000
for voucher, account, day, time, cr, dr, summary, purpose, payer in txns:
    balance += (cr or 0) - (dr or 0)
    rows.append([
        voucher, "3602000009200012345", account, f"2025-09-{day:02d} {time}", "贷" if cr else "借",
        shown(dr) if dr else "", shown(cr) if cr else "", "102581000013", summary, purpose, payer, shown(balance),
    ])
    if cr:
        credits.append(credit(len(rows), d(day), cr, payer, account, [summary, purpose], voucher or None))
    else:
        debits += 1
rows.append(["合计", "", "", "", "", shown(9900), shown(sum(t[4] or 0 for t in txns)), "", "", "", "", ""])
rows.append(["打印时间：2025-10-01 08:00:00"])
write_csv("icbc.csv", rows, "gbk")
expected["icbc.csv"] = {"credits": credits, "skipped_debits": debits}

# 2. 建设银行: XLSX with amounts as number cells, 记账日期 as 20250929 text before 交易时间, the
#    headers' notes in full-width brackets, 交易流水号 on every row; the same rows again as a
#    UTF-8 CSV with BOM (ccb.csv) must give the same credits and ids
ccb_header = ["账号", "账户名称", "交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "币种", "对方户名", "对方账号", "对方开户机构", "记账日期", "摘要", "备注", "交易流水号"]
ccb_titles = [["中国建设银行单位账户明细"], ["账号:44050158000000001234", None, "账户名称:广州市数字证书受理点有限公司"], ["起始日期:20250901", None, "终止日期:20250930"]]
ccb_txns = [
    # (day, time, credit fen, debit fen, payer, account, 摘要, 备注, 流水号)
    (28, "083000", 110000, None, UNIT, UNIT_ACCOUNT, "跨行转入", "GZ01-20250905-0001,GZ01-20250911-0003", "HQ2025092800001"),
    (28, "093000", None, 50000, "广州市某某物业管理有限公司", "44050100000000000077", "转账支出", "物业费", "HQ2025092800002"),
    (29, "101500", 35000, None, "深圳市样本贸易(深圳)有限公司", "44050100000000000002", "跨行转入", "", "HQ2025092900003"),
    (29, "101600", 0, None, "广州市示例科技有限公司", UNIT_ACCOUNT, "结息", "", "HQ2025092900004"),
    (30, "170000", 85025, None, "买买提·艾力", PERSON_CARD, "转入", "证书", "HQ2025093000005"),
]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "账户明细"
for t in ccb_titles:
    ws.append(t)
ws.append(ccb_header)
csv_rows = [[c or "" for c in t] for t in ccb_titles] + [ccb_header]
credits = []
debits = 0
balance = 500000
for day, time, cr, dr, payer, account, summary, note, ref in ccb_txns:
    balance += (cr or 0) - (dr or 0)
    cells = ["44050158000000001234", "广州市数字证书受理点有限公司", f"202509{day:02d} {time}", dr / 100 if dr else None, cr / 100 if cr is not None else None,
             balance / 100, "人民币", payer, account, "中国工商银行广州分行", f"202509{day:02d}", summary, note, ref]
    ws.append(cells)
    for column in (4, 5, 6):
        ws.cell(row=ws.max_row, column=column).number_format = "#,##0.00"
    csv_rows.append(["" if c is None else (shown(round(c * 100)) if isinstance(c, float) else str(c)) for c in cells])
    if cr:
        credits.append(credit(ws.max_row, d(day), cr, payer, account, [summary, note], ref))
    else:
        # a debit, and the 0.00 row of interest: skipped and counted
        debits += 1
ws.append(["合计", None, None, 0.5, sum(t[2] or 0 for t in ccb_txns) / 100])
csv_rows.append(["合计", "", "", "500.00", shown(sum(t[2] or 0 for t in ccb_txns))])
wb.save(path("ccb.xlsx"))
write_csv("ccb.csv", csv_rows, "utf-8-sig")
expected["ccb.xlsx"] = {"credits": credits, "skipped_debits": debits}
expected["ccb.csv"] = {"credits": credits, "skipped_debits": debits}

# 3. 中国银行: UTF-8 CSV with BOM, 收入金额/支出金额 with ¥ and separators, 2025/09/29 and
#    2025年09月29日 dates, an account kept from Excel as ="…", 附言 and 用途 both filled
rows = [
    ["中国银行 交易明细查询"],
    ["查询账号", "'741258963014"],
    ["查询期间", "2025/09/01-2025/09/30"],
    ["交易日期", "交易时间", "交易流水号", "对方账号", "对方户名", "收入金额", "支出金额", "余额", "附言", "用途"],
]
boc_txns = [
    ("2025/09/26", "09:00:01", "BOC260001", UNIT_ACCOUNT, UNIT, 40000, None, "GZ01-20250905-0001", "CA"),
    ("2025年09月27日", "10:00:00", "BOC270002", "44050100000000000003", "广州市另一家代理有限公司", 70000, None, "代付GZ01-20250910-0002", ""),
    ("2025/9/28", "10:10:10", "BOC280003", "44050100000000000004", "中国银行广州分行", None, 1500, "手续费", ""),
    ("2025/9/29", "15:00:00", "", PERSON_CARD, "李四", 20000, None, "", "个人汇款"),
]
credits = []
debits = 0
for i, (day, time, ref, account, payer, cr, dr, remark, purpose) in enumerate(boc_txns):
    # the half-width yen sign and the full-width one
    sign = "¥" if i % 2 == 0 else "￥"
    rows.append([day, time, ref, f'="{account}"', payer, f"{sign}{shown(cr)}" if cr else "", f"{sign}{shown(dr)}" if dr else "", "¥9,999.00", remark, purpose])
    date = datetime.date(2025, 9, int(day.replace("年", "/").replace("月", "/").replace("日", "").split("/")[2]))
    if cr:
        credits.append(credit(len(rows), date, cr, payer, account, [remark, purpose], ref or None))
    else:
        debits += 1
rows.append(["本页合计", "", "", "", "", "¥1,300.00", "¥15.00", "", "", ""])
write_csv("boc.csv", rows, "utf-8-sig")
expected["boc.csv"] = {"credits": credits, "skipped_debits": debits}

# 4. 农业银行: XLSX with one signed 交易金额 and a 借贷标志, dates as Excel date cells, amounts as
#    numbers and as text with separators, 交易用途 and 摘要
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet1"
ws.append(["中国农业银行账户交易明细"])
ws.append(["账户：44-123456040001234", None, "币种：人民币"])
ws.append(["交易日期", "交易时间", "借贷标志", "交易金额", "账户余额", "对方账号", "对方户名", "对方开户行", "交易用途", "摘要"])
abc_txns = [
    (d(25), "08:30:00", "贷", 70000, UNIT_ACCOUNT, UNIT, "CA费", "网银转账"),
    (d(25), "09:30:00", "借", -30000, "44050100000000000005", "广州市某某文具店", "办公用品", "转账"),
    (d(26), "10:30:00", "贷", 110000, "44050100000000000002", OTHER_UNIT, "", "网银转账"),
    (d(26), "11:30:00", "借", 2000, "", "", "", "短信服务费"),
]
credits = []
debits = 0
for i, (day, time, flag, fen, account, payer, purpose, summary) in enumerate(abc_txns):
    amount = fen / 100 if i % 2 == 0 else ("+" if fen > 0 else "") + shown(fen)
    ws.append([datetime.datetime.combine(day, datetime.time(8, 30)), time, flag, amount, 123456.78, account, payer, "中国农业银行广州分行", purpose, summary])
    ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd"
    if flag == "贷":
        credits.append(credit(ws.max_row, day, fen, payer, account, [purpose, summary]))
    else:
        debits += 1
ws.append(["总计", None, None, 1480.0])
wb.save(path("abc.xlsx"))
expected["abc.xlsx"] = {"credits": credits, "skipped_debits": debits}

# 5. 招商银行: XLSX, 交易日 as 20250929 text with the time alone in 交易时间, 借方金额/贷方金额 as
#    text (one in full-width digits), 收（付）方名称 and 收(付)方帐号, 流水号, 本页合计
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "交易明细"
ws.append(["招商银行交易明细"])
ws.append(["账号：755912345610001", None, None, "币种：人民币"])
ws.append(["查询日期：2025-09-01至2025-09-30"])
ws.append([])
ws.append(["交易日", "交易时间", "起息日", "交易类型", "借方金额", "贷方金额", "余额", "摘要", "流水号", "业务名称", "用途", "业务参考号", "收（付）方名称", "收(付)方帐号"])
cmb_txns = [
    ("20250922", "09:15:00", None, "１，２００．００", "业务GZ01-20250912-0004", "K0001", UNIT, UNIT_ACCOUNT, 120000),
    ("20250922", "13:45:00", "350.00", None, "代发", "K0002", "广州市某某人力资源服务有限公司", "44050100000000000006", None),
    ("20250923", "16:00:00", None, "2,100.00", "", "K0003", OTHER_UNIT, "44050100000000000002", 210000),
]
credits = []
debits = 0
for day, time, dr, cr, remark, ref, payer, account, fen in cmb_txns:
    ws.append([day, time, day, "汇入汇款" if cr else "汇出汇款", dr, cr, "88,888.00", remark, ref, "企业银行", "", "CMB" + ref, payer, account])
    date = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    if cr:
        credits.append(credit(ws.max_row, date, fen, payer, account, [remark, ""], ref))
    else:
        debits += 1
ws.append(["本页合计", None, None, None, "350.00", "3,300.00"])
wb.save(path("cmb.xlsx"))
expected["cmb.xlsx"] = {"credits": credits, "skipped_debits": debits}

with open(path("expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1)

# Files to be refused, or read with a problem

# a workbook without a statement's header: an employee list
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["附页：机构员工证书申请资料"])
ws.append(["序号", "姓名", "身份证号码", "电子邮件"])
ws.append([1, "王芳", "440106200109094060", "wangfang@example.gov.cn"])
wb.save(path("no-header.xlsx"))

# a statement whose header has no column of money in: 交易金额 without 借贷标志
write_csv("no-credit.csv", [["交易日期", "交易金额", "对方户名", "摘要"], ["2025-09-29", "700.00", UNIT, "CA"]], "gbk")

# one amount with three decimals among good rows (GBK)
write_csv("bad-amount.csv", [
    ["某银行账户明细"],
    ["交易日期", "对方户名", "对方账号", "借方发生额", "贷方发生额", "摘要"],
    ["2025-09-29", UNIT, UNIT_ACCOUNT, "", "700.00", "CA"],
    ["2025-09-29", OTHER_UNIT, "44050100000000000002", "", "1,400.005", "CA"],
    ["2025-09-30", OTHER_UNIT, "44050100000000000002", "", "350.00", "CA"],
], "gbk")

# no table at all: a Word document (a ZIP archive without a workbook) and a PDF
with zipfile.ZipFile(path("letter.docx"), "w") as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", "<w:document/>")
with open(path("scan.pdf"), "wb") as f:
    f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00\x01\x02\x03trailer\n%%EOF\n")
