// Launch benchmark of the desktop app: time from asking for a window to an interactive sign-in
// form (WebDriver finds and types into it), and memory — PSS summed over the app and its WebKit
// processes — after a clerk signs in with a day's cases (120) listed. Prints figures; not a test.
//
// Run: xvfb-run -a node tests/e2e/bench-app.mjs [rounds]
// CERTDESK_PROFILE=release measures target/release/certdesk-app (cargo build --release -p
// certdesk-app first); the store is seeded with the debug CLI either way.

import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { addAccounts } from './webdriver.mjs'

const root = resolve(import.meta.dirname, '../..')
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target')
const profile = process.env.CERTDESK_PROFILE ?? 'debug'
const app = join(target, profile, 'certdesk-app')
const cli = join(target, 'debug', 'certdesk')
const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo', 'bin', 'tauri-driver')
const rounds = Number(process.argv[2] ?? 5)
const port = 5444
const E = 'element-6066-11e4-a52e-4f735466cecf'
const dir = mkdtempSync(join(tmpdir(), 'certdesk-bench-'))
const env = { ...process.env, CERTDESK_DB: join(dir, 'cases.db') }

const certdesk = (...a) => execFileSync(cli, a, { env, encoding: 'utf8' }).trim()
async function wd(method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
  const j = await res.json()
  if (!res.ok) throw new Error(JSON.stringify(j.value))
  return j.value
}
async function find(s, css) {
  for (;;) {
    try { return (await wd('POST', `/session/${s}/element`, { using: 'css selector', value: css }))[E] } catch { await new Promise((r) => setTimeout(r, 10)) }
  }
}
function pss(pid) {
  try { return Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m)[1]) } catch { return 0 }
}
function appTree() {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      return { pid: Number(p), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8') }
    } catch { return null }
  }).filter(Boolean)
  const appPid = procs.find((p) => p.cmd.startsWith(app))?.pid
  const tree = new Set([appPid])
  let grew = true
  while (grew) { grew = false; for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.add(p.pid); grew = true } }
  return [...tree].filter(Boolean)
}

// The store, the password files and the driver are this run's: gone when it ends, however.
let driver
const times = []
let memory = 0
try {
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk']])
  const example = join(root, 'tests/fixtures/case-org-new.json')
  for (let i = 0; i < 120; i++) certdesk('case', 'import', example, '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))

  driver = spawn(driverBin, ['--port', String(port)], { env, stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 500))
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    const { sessionId: s } = await wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: app } } } })
    const name = await find(s, '[data-testid=login-name]')
    await wd('POST', `/session/${s}/element/${name}/value`, { text: 'zhang' })
    times.push(performance.now() - t0)
    if (i === rounds - 1) {
      await wd('POST', `/session/${s}/element/${await find(s, '[data-testid=login-password]')}/value`, { text: 'zhang-password-1' })
      await wd('POST', `/session/${s}/element/${await find(s, '[data-testid=login-submit]')}/click`, {})
      await wd('POST', `/session/${s}/element/${await find(s, '[data-testid=nav-cases]')}/click`, {})
      await find(s, 'tbody tr:nth-child(120)')
      await new Promise((r) => setTimeout(r, 1000))
      const tree = appTree()
      memory = tree.reduce((sum, pid) => sum + pss(pid), 0)
      for (const pid of tree) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].split('/').pop()
        console.log(`  ${cmd}: ${(pss(pid) / 1024).toFixed(0)} MiB PSS`)
      }
    }
    await wd('DELETE', `/session/${s}`)
  }
} finally {
  driver?.kill()
  rmSync(dir, { recursive: true, force: true })
}
times.sort((a, b) => a - b)
console.log(`launch to an interactive sign-in form: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, best ${times[0].toFixed(0)} ms over ${rounds} launches (${profile} build, includes WebDriver session start)`)
console.log(`memory with 120 cases listed: ${(memory / 1024).toFixed(0)} MiB PSS summed over the app and its WebKit processes (${profile} build)`)
