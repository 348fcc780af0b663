// End-to-end test of the desktop app on a counter hall: the installed app started with
// CERTDESK_DB=postgres://… (the password from a pgpass file, never the address) against a fresh
// database of the throwaway PostgreSQL cluster (scripts/pg-cluster.sh). The window names the
// server it works on; a clerk accepts and submits a case, a supervisor approves it; the CLI, the
// audit chain and the server's own table then show it was written to the hall, nowhere else.
//
// Run (scripts/test.sh does, with the cluster up): xvfb-run -a node --test tests/e2e/hall.e2e.mjs

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, existsSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

process.env.TZ ??= 'Asia/Shanghai'
const root = resolve(import.meta.dirname, '../..')
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target')
const app = process.env.CERTDESK_E2E_APP ?? join(target, 'debug', 'certdesk-app')
const cli = process.env.CERTDESK_E2E_CLI ?? join(target, 'debug', 'certdesk')
const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo', 'bin', 'tauri-driver')
const port = 5444 + (process.pid % 500)
const W3C_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'
const dir = mkdtempSync(join(tmpdir(), 'certdesk-hall-e2e-'))
const server = process.env.CERTDESK_TEST_PG
const passwordFile = process.env.CERTDESK_TEST_PG_PASSWORD_FILE
if (!server || !passwordFile) {
  // CI always has the cluster (scripts/test.sh starts it): a missing one there is a failure
  if (process.env.CI) throw new Error('CERTDESK_TEST_PG is not set: scripts/test.sh starts the cluster before this test')
  console.log('SKIPPED: no PostgreSQL cluster (eval "$(bash scripts/pg-cluster.sh start)" first)')
  process.exit(0)
}
const url = new URL(server)
const database = `certdesk_e2e_${process.pid}`
const hall = `postgres://${url.username}@${url.hostname}:${url.port}/${database}`
const pgpass = join(dir, 'pgpass')
const env = {
  ...process.env,
  CERTDESK_DB: hall,
  PGPASSFILE: pgpass,
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
}
delete env.CERTDESK_DB_PASSWORD_FILE
let driver
let session

const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const psql = (sql, db = url.pathname.slice(1)) =>
  execFileSync('psql', ['-h', url.hostname, '-p', url.port, '-U', url.username, '-d', db, '-XAtc', sql], { env, encoding: 'utf8' }).trim()

async function wd(method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`)
  return json.value
}
const s = (p) => `/session/${session}${p}`
async function find(css, timeout = 30000) {
  for (const start = Date.now(); ;) {
    try {
      return (await wd('POST', s('/element'), { using: 'css selector', value: css }))[W3C_ELEMENT]
    } catch (e) {
      if (Date.now() - start > timeout) throw e
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}
const click = async (css) => wd('POST', s(`/element/${await find(css)}/click`), {})
const type = async (css, text) => wd('POST', s(`/element/${await find(css)}/value`), { text })
async function waitText(css, want, timeout = 30000) {
  for (const start = Date.now(); ;) {
    const got = await wd('GET', s(`/element/${await find(css)}/text`)).catch(() => '')
    if (got.includes(want)) return got
    if (Date.now() - start > timeout) assert.fail(`${css}: expected "${want}", got "${got}"`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
async function login(name) {
  await type('[data-testid=login-name]', name)
  await type('[data-testid=login-password]', `${name}-password`)
  await click('[data-testid=login-submit]')
  await waitText('[data-testid=who]', name)
}

before(async () => {
  // the test role's password only in a pgpass file (mode 600), as a counter PC keeps it
  writeFileSync(pgpass, `*:*:*:${url.username}:${readFileSync(passwordFile, 'utf8').trim()}\n`)
  chmodSync(pgpass, 0o600)
  psql(`CREATE DATABASE ${database}`)
  for (const [name, role] of [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor']]) {
    writeFileSync(join(dir, `${name}.pw`), `${name}-password\n`)
    const by = name === 'admin' ? [] : ['--as', 'admin', '--as-password-file', join(dir, 'admin.pw')]
    certdesk('user', 'add', name, '--role', role, '--password-file', join(dir, `${name}.pw`), ...by)
  }
  certdesk('counter', 'set', '--code', 'GZ01', '--name', '广州受理大厅', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  driver = spawn(driverBin, ['--port', String(port)], { env, stdio: 'ignore' })
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`)
      break
    } catch {
      if (i > 100) throw new Error('tauri-driver did not start')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  session = (await wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: app } } } })).sessionId
})

after(async () => {
  if (session) await wd('DELETE', s('')).catch(() => {})
  driver?.kill()
  try { psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) } catch { /* the cluster is thrown away anyway */ }
})

test('the app works on the hall: it names the server, and a case is accepted and approved there', async () => {
  await waitText('[data-testid=server]', `${url.username}@${url.hostname}:${url.port}/${database}`)
  const number = certdesk('case', 'import', join(root, 'tests/fixtures/case-org-new.json'), '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))

  await login('zhang')
  await click('[data-testid=nav-cases]')
  await type('[data-testid=search]', number)
  await click(`[data-testid="case-${number}"]`)
  await waitText('[data-testid=case-status]', '草稿')
  await click('[data-testid=act-accept]')
  await waitText('[data-testid=case-status]', '已受理')
  await click('[data-testid=act-submit]')
  await waitText('[data-testid=case-status]', '待复核')
  await click('[data-testid=logout]')

  await login('li')
  await click(`[data-testid="review-${number}"]`)
  await click('[data-testid=act-approve]')
  await waitText('[data-testid=case-status]', '复核通过')
  await click('[data-testid=logout]')

  // on the server: the CLI on the same hall, the audit chain, the server's own table
  assert.equal(JSON.parse(certdesk('case', 'show', number, '--json')).status, 'approved')
  assert.equal(JSON.parse(certdesk('audit', 'verify', '--json')).ok, true)
  assert.equal(psql(`SELECT status FROM cases WHERE number = '${number}'`, database), 'approved')
  assert.equal(existsSync(join(dir, 'data', 'certdesk', 'certdesk.db')), false, 'no store file was made')
})
