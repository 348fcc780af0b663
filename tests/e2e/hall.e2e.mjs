// End-to-end test of the desktop app on a counter hall: the installed app started with
// CERTDESK_DB=postgres://… (the password from a pgpass file, never the address) against a fresh
// database of the throwaway PostgreSQL cluster (scripts/pg-cluster.sh). The window names the
// server it works on; a clerk accepts and submits a case, a supervisor approves it; the CLI, the
// audit chain and the server's own table then show it was written to the hall, nowhere else.
//
// Run (scripts/test.sh does, with the cluster up): xvfb-run -a node --test tests/e2e/hall.e2e.mjs

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, existsSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { webdriver } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const root = resolve(import.meta.dirname, '../..')
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target')
const app = process.env.CERTDESK_E2E_APP ?? join(target, 'debug', 'certdesk-app')
const cli = process.env.CERTDESK_E2E_CLI ?? join(target, 'debug', 'certdesk')
const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo', 'bin', 'tauri-driver')
const port = 5444 + (process.pid % 500)
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

const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const psql = (sql, db = url.pathname.slice(1)) =>
  execFileSync('psql', ['-h', url.hostname, '-p', url.port, '-U', url.username, '-d', db, '-XAtc', sql], { env, encoding: 'utf8' }).trim()

const driverClient = webdriver(port)
const { click, type, waitText, login } = driverClient

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
  await driverClient.start(driverBin, env, app)
})

after(async () => {
  await driverClient.stop()
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
