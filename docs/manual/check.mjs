// The manual's pictures held to the end-to-end run (#77). Every picture a page shows is one of
// the run's screenshots, by name (/shots/<name>.png, the name the test gave it):
//   node check.mjs                 every picture a page names is in public/shots, and every
//                                  picture there is named by a page (none left over)
//   node check.mjs --pdf <file>    the printed manual (pdf.mjs): every page's title in it, every
//                                  font embedded, at least as many pictures as the pages name
//   node check.mjs --run <folder>  the same, and each picture a page names was made by that run
//                                  (CERTDESK_SCREENSHOTS): one the run no longer makes fails;
//                                  with --take, the run's pictures replace public/shots' (the
//                                  manual is then built from that run's screenshots, and a
//                                  screen that changed shows in git's diff)
// Exits 1 naming each problem.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join, relative } from 'node:path'

const here = import.meta.dirname
const shots = join(here, 'public', 'shots')
const args = process.argv.slice(2)
const run = args.includes('--run') ? args[args.indexOf('--run') + 1] : null
const take = args.includes('--take')
const pdf = args.includes('--pdf') ? args[args.indexOf('--pdf') + 1] : null

/** the manual's pages (every .md below here but node_modules and the build) */
function pages(dir = here) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'public') return []
    const path = join(dir, e.name)
    if (e.isDirectory()) return pages(path)
    return e.name.endsWith('.md') && e.name !== 'README.md' ? [path] : []
  })
}

const problems = []
const named = new Map()
for (const page of pages()) {
  const text = readFileSync(page, 'utf8')
  for (const m of text.matchAll(/\]\(([^)\s]*\.png)\)/g)) {
    const shot = /^\/shots\/([a-z0-9-]+)\.png$/.exec(m[1])
    if (!shot) {
      problems.push(`${relative(here, page)}: ${m[1]} is not a screenshot of the run (/shots/<name>.png)`)
      continue
    }
    if (!named.has(shot[1])) named.set(shot[1], relative(here, page))
  }
}
if (!named.size) problems.push('no page shows a screenshot')

if (run) {
  for (const [name, page] of named) {
    if (!existsSync(join(run, `${name}.png`))) problems.push(`${page}: the end-to-end run made no screenshot ${name}.png (in ${run})`)
  }
  if (take && !problems.length) for (const name of named.keys()) copyFileSync(join(run, `${name}.png`), join(shots, `${name}.png`))
}
for (const [name, page] of named) {
  if (!existsSync(join(shots, `${name}.png`))) problems.push(`${page}: ${name}.png is not in public/shots`)
}
for (const file of existsSync(shots) ? readdirSync(shots) : []) {
  if (!named.has(file.replace(/\.png$/, ''))) problems.push(`public/shots/${file} is shown by no page`)
}

if (pdf) {
  const run = (program, args) => execFileSync(program, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
  // (whitespace aside: a long title may break across lines)
  const text = run('pdftotext', ['-enc', 'UTF-8', pdf, '-']).replace(/\s+/g, '')
  for (const page of pages()) {
    const title = /^# (.+)$/m.exec(readFileSync(page, 'utf8'))?.[1].replace(/\s+/g, '')
    if (title && !text.includes(title)) problems.push(`${pdf}: the page ${relative(here, page)} (${title}) is not in the PDF`)
  }
  const fonts = run('pdffonts', [pdf]).split('\n').slice(2).filter((l) => l.trim())
  if (!fonts.length) problems.push(`${pdf}: no fonts`)
  for (const font of fonts.filter((l) => !/\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.test(l))) problems.push(`${pdf}: a font is not embedded: ${font.trim()}`)
  const images = run('pdfimages', ['-list', pdf]).split('\n').slice(2).filter((l) => l.trim()).length
  if (images < named.size) problems.push(`${pdf}: ${images} pictures, the pages name ${named.size}`)
}

if (problems.length) {
  console.error(`manual: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p}`).join('\n'))
  process.exit(1)
}
console.log(`manual: ${named.size} screenshots, each shown by a page${run ? ` and made by the run in ${run}` : ''}`)
