// End-to-end test of the desktop app through a hall's failover, on a primary and a synchronous
// standby of their own (scripts/pg-failover.sh). The app is started on both servers' address; a
// clerk types an intake; the primary is killed: the header says 服务器切换中 and saving the
// intake is refused with nothing written, the form kept as typed and the save tried again by
// itself; the standby is promoted: the header names the new server, the intake is saved once,
// on it; the audit chain verifies there.
//
// Run (scripts/test.sh does): xvfb-run -a node --test tests/e2e/failover.e2e.mjs

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, existsSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
if (!existsSync('/usr/lib/postgresql/15/bin/pg_rewind')) {
  if (process.env.CI) throw new Error('PostgreSQL 15 server programs are missing: scripts/test.sh installs them before this test')
  console.log('SKIPPED: no PostgreSQL 15 server programs for the failover rig')
  process.exit(0)
}
const port = 6044 + (process.pid % 500)
const dir = workDir('certdesk-failover-e2e-')
// the rig's own folder beside ours: its servers run as another user (as root: certdesk-pg), who
// cannot enter a private temporary folder
const rigEnv = { ...process.env, CERTDESK_HALL_DIR: join(tmpdir(), `certdesk-rig-e2e-${process.pid}`) }
/** a command of the rig; its `KEY=VALUE` lines */
function rig(...args) {
  const out = execFileSync('bash', [join(root, 'scripts/pg-failover.sh'), ...args], { env: rigEnv, encoding: 'utf8' })
  return Object.fromEntries(out.split('\n').map((l) => l.replace(/^export /, '')).filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}
const hostPort = (u) => { const p = new URL(u); return `${p.hostname}:${p.port}` }

let said = {}
let env = {}
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const d = webdriver(port)
const { click, type, waitText, login } = d
/** what an input holds now */
const valueOf = async (css) => d.wd('GET', d.s(`/element/${await d.find(css)}/property/value`))

before(async () => {
  said = rig('start')
  env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_STATE_HOME: join(dir, 'state'),
    CERTDESK_DB: said.CERTDESK_HALL_URL,
    CERTDESK_DB_PASSWORD_FILE: said.CERTDESK_HALL_PASSWORD_FILE,
    CERTDESK_USER: 'admin',
    CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw'),
  }
  delete env.PGPASSFILE
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--default-project', 'netca-gd-pension', '--name', '广州受理大厅', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
  try { rig('stop') } catch { /* the folder goes with the machine's temp */ }
})

test('the header shows the switch and an intake typed during it is saved once on the promoted server', async () => {
  const first = hostPort(said.CERTDESK_HALL_PRIMARY_URL)
  const second = hostPort(said.CERTDESK_HALL_STANDBY_URL)
  await login('zhang')
  await waitText('[data-testid=hall-on]', first)
  await waitText('[data-testid=hall-standby]', '备用服务器')
  await type('[data-testid=intake-org]', '广州市切换测试有限公司')
  await type('[data-testid=intake-uscc]', '9144 0101 ma59 abcd1d')
  await type('[data-testid=intake-handler]', '张伟')
  await type('[data-testid=intake-handler-id]', '440106198503142038')
  await type('[data-testid=intake-mobile]', '13800138000')
  await click('[data-testid=mat-all]')

  rig('kill-primary')
  await waitText('[data-testid=hall-switching]', '服务器切换中', 20000)
  await click('[data-testid=intake-submit]')
  await waitText('[data-testid=intake-switching]', '服务器切换中')
  assert.equal(await valueOf('[data-testid=intake-org]'), '广州市切换测试有限公司', 'the form is kept as typed')
  assert.equal(await valueOf('[data-testid=intake-handler-id]'), '440106198503142038')

  rig('promote')
  await waitText('[data-testid=hall-on]', second, 30000)
  const heading = await waitText('[data-testid=case-view] h2', 'GZ01-', 60000)
  const number = heading.match(/GZ01-\d{8}-\d{4}/)[0]

  // on the promoted server, once
  const shown = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.equal(shown.organization.name, '广州市切换测试有限公司')
  const found = JSON.parse(certdesk('case', 'search', '切换测试', '--json'))
  assert.equal(found.length, 1, `saved once: ${JSON.stringify(found)}`)
  assert.equal(JSON.parse(certdesk('audit', 'verify', '--json')).ok, true)
  const status = JSON.parse(execFileSync(cli, ['store', 'status', '--json'], { env, encoding: 'utf8' }))
  assert.equal(`${status.writable.host}:${status.writable.port}`, second)
})
