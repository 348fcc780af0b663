// End-to-end tests of a counter PC's defaults (#35): the key desk where the administrator named
// no key driver (item 3: no test library is loaded by default — SoftHSM is installed on this
// machine and once passed for a key — and with no key the desk says 未检测到Key，请插入); the
// intake of a 呼和浩特 counter starting on the administrator's project, not a Guangdong one
// (item 9).
//
// Run: xvfb-run -a node --test tests/e2e/nokey.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { webdriver, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 7244 + (process.pid % 500)
const dir = workDir('certdesk-nokey-e2e-')
const env = { ...process.env, CERTDESK_DB: join(dir, 'cases.db'), HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'state') }
// nothing names a key driver: no environment, no setting
delete env.CERTDESK_PKCS11_MODULE
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const d = webdriver(port)

before(async () => {
  addAccounts(certdesk, dir, [['admin', 'admin'], ['wang', 'key_clerk'], ['zhang', 'clerk']])
  certdesk('counter', 'set', '--code', 'HH01', '--name', '呼和浩特受理点', '--default-project', 'nmgca-procurement', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('with no key driver named and no key, the key desk shows no key and says to plug one in', async () => {
  await d.login('wang')
  // no driver at all, or a real middleware installed (OpenSC) with no key in it: the same words
  await d.waitText('.slots-panel', '未检测到Key，请插入')
  assert.equal(await d.count('[data-testid^=key-slot-pick-]'), 0, 'no slot of a test library is offered')
  assert.equal((await d.text('.slots-panel')).includes('SoftHSM'), false, 'SoftHSM is not loaded by default')
})

test('the intake of a clerk with no case yet starts on the administrator\'s project', async () => {
  await d.click('[data-testid=logout]')
  await d.login('zhang')
  const valueOf = async (css) => d.wd('GET', d.s(`/element/${await d.find(css)}/property/value`))
  for (let i = 0; (await valueOf('[data-testid=intake-project]')) !== 'nmgca-procurement'; i++) {
    if (i > 50) assert.fail(`the intake starts on ${await valueOf('[data-testid=intake-project]')}, not the counter's nmgca-procurement`)
    await new Promise((r) => setTimeout(r, 100))
  }
})
