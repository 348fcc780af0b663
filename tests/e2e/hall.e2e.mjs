// End-to-end test of the desktop app on a counter hall, against a fresh database of the
// throwaway PostgreSQL cluster (scripts/pg-cluster.sh). The installed app starts on its store
// file; the administrator chooses the hall in 管理 → 案件库位置 (the server checked with its
// password, which goes into the app's own private file); started again, the app works on the
// hall and names it. A clerk accepts and submits a case, a supervisor approves it; the CLI, the
// audit chain and the server's own table then show it was written to the hall, not to the file.
//
// Run (scripts/test.sh does, with the cluster up): xvfb-run -a node --test tests/e2e/hall.e2e.mjs

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync, readFileSync, existsSync, chmodSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 5444 + (process.pid % 500)
const dir = workDir('certdesk-hall-e2e-')
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
const storeFile = join(dir, 'data', 'certdesk', 'certdesk.db')
const stateDir = join(dir, 'state', 'certdesk')
// the app: no CERTDESK_DB, no password file of the environment: what it works on is the admin
// desk's choice; the CLI: on the hall (or the store file) by its environment
const appEnv = {
  ...process.env,
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
}
for (const k of ['CERTDESK_DB', 'CERTDESK_DB_PASSWORD_FILE', 'PGPASSFILE']) delete appEnv[k]
// the CLI's reads sign in as the administrator through the environment's account
const account = { CERTDESK_USER: 'admin', CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw') }
const env = { ...appEnv, ...account, CERTDESK_DB: hall, PGPASSFILE: pgpass }
const fileEnv = { ...appEnv, ...account, CERTDESK_DB: storeFile }

const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const psql = (sql, db = url.pathname.slice(1)) =>
  execFileSync('psql', ['-h', url.hostname, '-p', url.port, '-U', url.username, '-d', db, '-XAtc', sql], { env, encoding: 'utf8' }).trim()
const pause = (ms) => new Promise((r) => setTimeout(r, ms))

// the first start (on the file) and the second (on the hall) each have a driver of their own
const firstStart = webdriver(port)
const driverClient = webdriver(port + 1)
const { click, type, waitText, login } = driverClient

before(async () => {
  // the test role's password only in a pgpass file (mode 600), for the CLI and psql
  writeFileSync(pgpass, `*:*:*:${url.username}:${readFileSync(passwordFile, 'utf8').trim()}\n`)
  chmodSync(pgpass, 0o600)
  psql(`CREATE DATABASE ${database}`)
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor']])
  certdesk('counter', 'set', '--code', 'GZ01', '--default-project', 'netca-gd-pension', '--name', '广州受理大厅', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  // the PC's own store file, with its administrator, as a single desk had it before the hall
  execFileSync(cli, ['user', 'add', 'admin', '--role', 'admin', '--password-file', join(dir, 'admin.pw')], { env: fileEnv })
})

after(async () => {
  await firstStart.stop()
  await driverClient.stop()
  try { psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) } catch { /* the cluster is thrown away anyway */ }
})

test('the administrator chooses the hall in the admin desk; the next start works on it', async () => {
  await firstStart.start(driverBin, appEnv, app)
  await firstStart.login('admin')
  await firstStart.click('[data-testid=nav-admin]')
  await firstStart.click('[data-testid=admin-tab-data]')
  await firstStart.waitText('[data-testid=store-place-current]', storeFile)
  assert.equal(await firstStart.exists('[data-testid=server]'), false, 'on the file, no server is named')
  await firstStart.click('[data-testid=store-kind-hall]')
  await firstStart.type('[data-testid=store-hall-url]', hall)
  // a wrong password: refused, nothing saved
  await firstStart.type('[data-testid=store-hall-password]', 'not-the-password')
  await firstStart.click('[data-testid=store-place-save]')
  await firstStart.waitText('[data-testid=store-place-error]', '案件库服务器出错')
  assert.equal(existsSync(join(stateDir, 'store.json')), false, 'a refused hall is not saved')
  await firstStart.type('[data-testid=store-hall-password]', readFileSync(passwordFile, 'utf8').trim())
  await firstStart.click('[data-testid=store-place-save]')
  await firstStart.waitText('[data-testid=store-place-checked]', '3个账号')
  await firstStart.waitText('[data-testid=store-place-restart]', '重新启动')
  // the password in the app's own file, this account's only; never in the setting
  assert.equal(JSON.parse(readFileSync(join(stateDir, 'store.json'), 'utf8')).url, hall)
  assert.equal(readFileSync(join(stateDir, 'store.json'), 'utf8').includes(readFileSync(passwordFile, 'utf8').trim()), false)
  assert.equal(statSync(join(stateDir, 'hall.password')).mode & 0o777, 0o600)
  await firstStart.stop()
  // the app on the file has ended before the next start (else the next launch hands over to it)
  for (let i = 0; spawnSync('pgrep', ['-x', 'certdesk-app']).status === 0; i++) {
    if (i > 100) throw new Error('the first app did not end')
    await pause(100)
  }

  await driverClient.start(driverBin, appEnv, app)
  await waitText('[data-testid=server]', `${url.username}@${url.hostname}:${url.port}/${database}`)
})

test('the app works on the hall: it names the server, and a case is accepted and approved there', async () => {
  await waitText('[data-testid=server]', `${url.username}@${url.hostname}:${url.port}/${database}`)
  const number = certdesk('case', 'import', join(root, 'tests/fixtures/case-org-new.json'), '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))
  // the checklist recorded as the intake's 全部收齐 does: nothing goes to the second check without it (#79)
  certdesk('case', 'materials', number, '--all-received', '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))

  await login('zhang')
  await click('[data-testid=nav-cases]')
  await type('[data-testid=search]', number)
  await click(`[data-testid="case-${number}"]`)
  await waitText('[data-testid=case-status]', '草稿')
  await driverClient.acceptAndSubmit()
  await click('[data-testid=logout]')
  await driverClient.approveAs('li', number)

  // on the server: the CLI on the same hall, the audit chain, the server's own table
  assert.equal(JSON.parse(certdesk('case', 'show', number, '--json')).status, 'approved')
  assert.equal(JSON.parse(certdesk('audit', 'verify', '--json')).ok, true)
  assert.equal(psql(`SELECT status FROM cases WHERE number = '${number}'`, database), 'approved')
  // and not in the PC's store file
  assert.throws(() => execFileSync(cli, ['case', 'show', number, '--json'], { env: fileEnv, stdio: 'pipe' }), /not found/, 'the case is not in the store file')
})
