// Rows pasted from a spreadsheet (Excel, WPS): one person per line, cells separated by tabs
// (or commas when typed by hand): 姓名, 证件号码, 邮箱. A header row is skipped.

export interface PastedPerson { name: string; id_number: string; email: string }

export function parsePeople(text: string): PastedPerson[] {
  const out: PastedPerson[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\u00a0/g, ' ')
    if (!line.trim()) continue
    const cells = (line.includes('\t') ? line.split('\t') : line.split(/[,，;；]|\s{2,}/)).map((c) => c.trim())
    const [name = '', id = '', email = ''] = cells
    if (/^(姓名|名字|name)$/i.test(name)) continue
    out.push({ name, id_number: id.replace(/\s+/g, '').toUpperCase(), email })
  }
  return out
}
