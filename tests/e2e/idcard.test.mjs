// End-to-end test of the ID card reader at the intake, in the real app: a GA/T 467 reader
// simulated on a pseudo-terminal (certdesk-idcard-sim, built with the workspace), set as the
// counter's reader by the administrator (CLI). A clerk in the handler's fields lays a card: the
// handler is filled without a click; in the employee table the next card fills the row; an
// expired card is refused in seed 003's words and fills nothing. The case saved carries the
// chip's values (checked with the CLI).
//
// Run: xvfb-run -a node --test tests/e2e/idcard.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { writeFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { webdriver, root, target, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 6644 + (process.pid % 500)
const dir = workDir('certdesk-idcard-e2e-')
const cards = join(root, 'src-tauri/crates/certdesk-idcard/tests/cards')
const lying = join(dir, 'card.json')
const env = {
  ...process.env,
  CERTDESK_DB: join(dir, 'cases.db'),
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
  CERTDESK_USER: 'admin',
  CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw'),
}
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const d = webdriver(port)
const { click, type, waitText, login } = d
const pause = (ms) => new Promise((r) => setTimeout(r, ms))
const { valueOf, waitValue } = d
/** lays a card on the simulated reader (the simulator reads the file at each "find card") */
const lay = (name, edit = (t) => t) => writeFileSync(lying, edit(readFileSync(join(cards, `${name}.json`), 'utf8')))
const takeOff = () => rmSync(lying, { force: true })
let reader

before(async () => {
  reader = spawn(join(target, 'debug', 'certdesk-idcard-sim'), ['--card', lying], { stdio: ['ignore', 'pipe', 'inherit'] })
  const device = await new Promise((resolve, reject) => {
    createInterface({ input: reader.stdout }).once('line', resolve)
    reader.once('error', reject)
    reader.once('exit', (code) => reject(new Error(`certdesk-idcard-sim ended (${code})`)))
  })
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--default-project', 'netca-gd-pension', '--name', '广州受理点', '--idcard-port', device, '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
  reader?.kill()
})

test('cards laid on the reader fill the handler and an employee row; an expired one is refused', async () => {
  await login('zhang')
  // the intake starts on the administrator's project (the account has no case yet)
  await waitValue('[data-testid=intake-project]', 'netca-gd-pension')
  await d.wd('POST', d.s('/execute/sync'), {
    script: "const s = document.querySelector('[data-testid=intake-kind]'); s.value = 'employee'; s.dispatchEvent(new Event('change'))",
    args: [],
  })
  await type('[data-testid=intake-org]', '广州市读卡示例有限公司')
  await type('[data-testid=intake-uscc]', '91440101MA59ABCD1D')
  // the clerk is in the handler's fields: the card fills the handler, no click
  await click('[data-testid=intake-mobile]')
  await type('[data-testid=intake-mobile]', '13800138000')
  lay('resident')
  await waitValue('[data-testid=intake-handler]', '张三丰')
  await waitValue('[data-testid=intake-handler-id]', '440306199003071232')
  await waitText('[data-testid=idcard-info]', '已从身份证读入经办人：张三丰')
  takeOff()
  await pause(800)

  // in the employee table: the next card fills the row the clerk is in
  await d.find('[data-testid=emp-name-0]')
  await click('[data-testid=emp-name-0]')
  lay('resident_long_term')
  await waitValue('[data-testid=emp-name-0]', '乌云其木格')
  await waitValue('[data-testid=emp-id-0]', '150102197511030467')
  takeOff()
  await pause(800)

  // an expired card: refused in the seed's words, nothing filled
  lay('resident', (t) => t.replace('"valid_to": "2035-01-01"', '"valid_to": "2025-01-01"').replace('张三丰', '过期卡'))
  await waitText('[data-testid=idcard-error]', '个人身份证件无法进行扫描验证')
  assert.equal(await d.count('[data-testid=emp-name-1]') ? await valueOf('[data-testid=emp-name-1]') : '', '')
  assert.equal(await valueOf('[data-testid=intake-handler]'), '张三丰', 'the handler is untouched')
  takeOff()

  // saved: the chip's values in the case
  await click('[data-testid=mat-all]')
  await click('[data-testid=intake-submit]')
  const heading = await waitText('[data-testid=case-view] h2', 'GZ01-')
  const number = heading.match(/GZ01-\d{8}-\d{4}/)[0]
  const stored = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.equal(stored.handler.name, '张三丰')
  assert.equal(stored.handler.id_number, '440306199003071232')
  assert.equal(stored.employees[0].name, '乌云其木格')
  assert.equal(stored.employees[0].id_number, '150102197511030467')
  // #72: both were read off the chip at this desk, and the case says so (the supervisor sees it)
  assert.equal(stored.handler.source, 'chip')
  assert.equal(stored.employees[0].source, 'chip')
  assert.equal(await d.text('[data-testid=handler-chip]'), '读卡')
  assert.equal(await d.text('[data-testid=case-emp-chip-0]'), '读卡')
  assert.equal(JSON.parse(certdesk('audit', 'verify', '--json')).ok, true)
})
