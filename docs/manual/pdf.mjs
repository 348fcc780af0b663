// The manual as one PDF to print (#77): the built site's pages (scripts/manual.sh) in the
// sidebar's order, each from a new page, with a cover and a table of contents with page numbers,
// the screenshots and the app's own messages as the site shows them; typeset by WeasyPrint
// (Debian's weasyprint, scripts/deps.sh build) with the CJK fonts embedded. Offline.
//   node pdf.mjs <built site folder> <out.pdf>
// scripts/package.sh ships the result in the package; check.mjs --pdf checks it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const here = import.meta.dirname
const [site, out] = process.argv.slice(2)
if (!site || !out) {
  console.error('usage: node pdf.mjs <built site folder> <out.pdf>')
  process.exit(2)
}

/** the pages' links in the sidebar's order (the configuration is the one list of pages) */
function pageLinks() {
  const config = readFileSync(join(here, '.vitepress', 'config.mts'), 'utf8')
  return [...new Set([...config.slice(config.indexOf('sidebar:')).matchAll(/link: '([^']+)'/g)].map((m) => m[1]))]
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
const links = pageLinks()
const pages = links.map((link, i) => {
  const file = link === '/' ? 'index.html' : `${link.slice(1)}.html`
  const html = readFileSync(join(site, file), 'utf8')
  const start = html.indexOf('<main class="main"')
  const end = html.indexOf('</main>', start)
  if (start < 0 || end < 0) throw new Error(`${file}: no <main> in the built page`)
  const body = html
    .slice(html.indexOf('>', start) + 1, end)
    .replace(/<a class="header-anchor"[^>]*>.*?<\/a>/g, '')
    .replace(/ data-v-[0-9a-f]+/g, '')
    // headings repeat from page to page (步骤, 软件可能提示): ids made unique per page
    .replace(/ id="([^"]+)"/g, ` id="p${i}-$1"`)
    .replace(/src="\/manual\//g, 'src="')
  const title = /<h1[^>]*>(.*?)<\/h1>/s.exec(body)?.[1].replace(/<[^>]+>/g, '').replace(/&ZeroWidthSpace;|\u200b/g, '').trim() ?? link
  return { id: `page-${i}`, title, body }
})

const css = `
@page { size: A4; margin: 16mm 15mm 18mm; @bottom-center { content: counter(page); font-size: 9pt; color: #666 } }
@page :first { @bottom-center { content: none } }
body { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 10.5pt; line-height: 1.6; color: #222 }
h1 { font-size: 17pt; color: #8b1c1c; break-before: page; margin-top: 0 }
h2 { font-size: 13pt; border-bottom: 1px solid #ddd; break-after: avoid }
h3 { font-size: 11.5pt; break-after: avoid }
img { max-width: 100%; border: 1px solid #ccc; margin: 4pt 0; break-inside: avoid }
code { font-family: 'Noto Sans Mono CJK SC', monospace; font-size: 9.5pt }
table { border-collapse: collapse } td, th { border: 1px solid #ccc; padding: 2pt 5pt }
.cover { text-align: center; padding-top: 90mm } .cover h1 { break-before: auto; font-size: 28pt }
.toc li { list-style: none; margin: 3pt 0 } .toc a { color: #222; text-decoration: none }
.toc a::after { content: leader('.') target-counter(attr(href), page) }`
const doc = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>证书受理台 操作手册</title><style>${css}</style></head><body>
<div class="cover"><h1>证书受理台 操作手册</h1><p>受理员 · 复核员 · 制证员 · 管理员</p></div>
<h1>目录</h1><ul class="toc">${pages.map((p) => `<li><a href="#${p.id}">${escape(p.title)}</a></li>`).join('')}</ul>
${pages.map((p) => `<section id="${p.id}">${p.body}</section>`).join('\n')}
</body></html>`

const work = mkdtempSync(join(tmpdir(), 'certdesk-manual-pdf-'))
try {
  const printable = join(work, 'manual.html')
  writeFileSync(printable, doc)
  execFileSync('weasyprint', ['--quiet', '--base-url', site, printable, out], { stdio: 'inherit' })
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(`manual: ${pages.length} pages → ${out}`)
