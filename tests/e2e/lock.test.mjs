// End-to-end test of the idle lock (#30, 等保 2.0 level 3): a clerk signs in and types in the
// intake; past the counter's idle minutes (1, the shortest setting) the window locks over the
// desk; the account's password opens it again and what was typed is still in the form. The store
// is an encrypted file (#30, made so by the first `user add`): the sign-out closes it and the next
// sign-in opens it with the account's password; a wrong one opens nothing.
//
// Run: xvfb-run -a node --test tests/e2e/lock.test.mjs   (scripts/test.sh runs tests/e2e/; ≈ 75 s)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 7744 + (process.pid % 500)
const dir = workDir('certdesk-lock-e2e-')
const env = { ...process.env, CERTDESK_DB: join(dir, 'cases.db'), HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'state') }
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const d = webdriver(port)
const valueOf = async (css) => d.wd('GET', d.s(`/element/${await d.find(css)}/property/value`))

before(async () => {
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--default-project', 'netca-gd-pension', '--idle-minutes', '1', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('the window locks after the idle minutes and opens again with the password, the typed intake kept', { timeout: 180_000 }, async () => {
  await d.login('zhang')
  await d.type('[data-testid=intake-org]', '广州市锁屏示例科技有限公司')
  // a minute without input: the lock screen over the desk
  await d.waitText('[data-testid=lock-screen]', '1分钟未操作', 90_000)
  assert.match(await d.text('[data-testid=lock-who]'), /zhang/)
  // the backend refuses the locked session too (the CLI's own sign-in is another session)
  await d.type('[data-testid=lock-password]', 'li-password-1')
  await d.click('[data-testid=lock-unlock]')
  await d.waitText('[data-testid=lock-error]', '账号或密码错误')
  await d.type('[data-testid=lock-password]', 'zhang-password-1')
  await d.click('[data-testid=lock-unlock]')
  for (let i = 0; await d.exists('[data-testid=lock-screen]'); i++) {
    if (i > 100) assert.fail('the lock screen stayed')
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.equal(await valueOf('[data-testid=intake-org]'), '广州市锁屏示例科技有限公司')

  // stepping away: Ctrl+L (as Win+L locks the PC) and the header's 锁屏 lock at once (#79)
  const unlock = async () => {
    await d.type('[data-testid=lock-password]', 'zhang-password-1')
    await d.click('[data-testid=lock-unlock]')
    for (let i = 0; await d.exists('[data-testid=lock-screen]'); i++) {
      if (i > 100) assert.fail('the lock screen stayed')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await d.click('[data-testid=intake-org]')
  await d.wd('POST', d.s('/actions'), { actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE009' }, { type: 'keyDown', value: 'l' }, { type: 'keyUp', value: 'l' }, { type: 'keyUp', value: '\uE009' }] }] })
  await d.wd('DELETE', d.s('/actions')).catch(() => {})
  await d.find('[data-testid=lock-screen]', 5000)
  assert.match(await d.text('[data-testid=lock-who]'), /zhang/)
  await unlock()
  assert.equal(await valueOf('[data-testid=intake-org]'), '广州市锁屏示例科技有限公司', 'Ctrl+L typed nothing into the field')
  await d.click('[data-testid=lock]')
  await d.find('[data-testid=lock-screen]', 5000)
  await unlock()
  assert.equal(await valueOf('[data-testid=intake-org]'), '广州市锁屏示例科技有限公司')

  // the store is encrypted; signed out, the app holds it closed until the next sign-in opens it
  assert.notEqual(readFileSync(env.CERTDESK_DB).subarray(0, 15).toString('latin1'), 'SQLite format 3', 'the store file is encrypted')
  await d.click('[data-testid=logout]')
  await d.type('[data-testid=login-name]', 'zhang')
  await d.type('[data-testid=login-password]', 'wrong-password-1')
  await d.click('[data-testid=login-submit]')
  await d.waitText('[data-testid=error]', '账号或密码错误')
  await d.wd('POST', d.s(`/element/${await d.find('[data-testid=login-name]')}/clear`), {})
  await d.wd('POST', d.s(`/element/${await d.find('[data-testid=login-password]')}/clear`), {})
  await d.login('zhang')
  await d.find('[data-testid=intake-org]')
})
