// A case by post and its money by transfer (#73), in the real app: a posted order of seed 001
// (网证通 养老保险, two employees) arrived by courier and taken at the back desk waits on the
// applicant's money (the clerk sees it above the case list: 待申请人, 款项未到账); the
// supervisor cannot approve it yet (款项尚未到账); the administrator imports the counter
// account's statement — an XLSX in 建设银行's layout written by Python's openpyxl, not by this
// repository's reader or its tests — which matches the transfer to the case and refuses a
// private person's; the clerk confirms the match; the supervisor approves.
//
// Run: xvfb-run -a node --test tests/e2e/post.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, pythonWithOpenpyxl, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 7780 + (process.pid % 500)
const dir = workDir('certdesk-post-e2e-')
const env = {
  ...process.env,
  CERTDESK_DB: join(dir, 'cases.db'),
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
  CERTDESK_USER: 'admin',
  CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw'),
}
const ENTER = '\uE007'
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const as = (name) => ['--as', name, '--password-file', join(dir, `${name}.pw`)]
const d = webdriver(port)
let number = ''
let statement = ''

const STATEMENT = `
import sys, openpyxl
out, case_no = sys.argv[1], sys.argv[2]
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["中国建设银行单位客户账户明细"])
ws.append(["账号：44050149010900000888", "户名：广东省电子商务认证有限公司"])
ws.append(["交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "对方户名", "对方账号", "摘要", "备注"])
ws.append(["2025-10-09 10:21:33", "", "400.00", "12,400.00", "广东省示例事业单位", "44001234567890123456", "转账", "证书费 " + case_no])
ws.append(["2025-10-09 11:02:10", "", "300.00", "12,700.00", "王小明", "6217002870012345678", "转账", "证书费"])
ws.append(["2025-10-10 09:00:00", "25.00", "", "12,675.00", "", "", "手续费", ""])
ws.append(["合计", "25.00", "700.00", "", "", "", "", ""])
wb.save(out)
`

async function signIn(name) {
  await d.find('[data-testid=login-name]', 30000)
  await d.type('[data-testid=login-name]', name)
  await d.type('[data-testid=login-password]', `${name}-password-1` + ENTER)
  await d.find('[data-testid=who]', 30000)
}
const screenshot = d.screenshot
async function signOut() {
  await d.click('[data-testid=logout]')
  await d.find('[data-testid=login-name]', 30000)
}
async function altD() {
  await d.wd('POST', d.s('/actions'), { actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: '\uE00A' }, { type: 'keyDown', value: 'd' }, { type: 'keyUp', value: 'd' }, { type: 'keyUp', value: '\uE00A' }] }] })
  await d.wd('DELETE', d.s('/actions'))
}

before(async () => {
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor']])
  // the order by post as the back desk took it (the intake's own walk is intake.test.mjs)
  const kase = JSON.parse(readFileSync(join(root, 'tests/fixtures/case-employees-new.json'), 'utf8'))
  kase.channel = 'post'
  kase.arrival = { date: '2025-10-08', courier: '顺丰速运', waybill: 'SF1402334455' }
  kase.payment = { method: 'bank_transfer', payer_name: '广东省示例事业单位', payer_account: '44001234567890123456', amount: '400.00' }
  writeFileSync(join(dir, 'posted.json'), JSON.stringify(kase))
  number = certdesk('case', 'import', join(dir, 'posted.json'), ...as('zhang'))
  certdesk('case', 'materials', number, '--all-received', ...as('zhang'))
  for (const action of ['accept', 'submit']) certdesk('case', action, number, ...as('zhang'))
  statement = join(dir, '建设银行明细.xlsx')
  execFileSync(pythonWithOpenpyxl(), ['-c', STATEMENT, statement, number])
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('a posted order waits for its money, the statement is matched in the app, the clerk confirms, the supervisor approves', async () => {
  // the clerk sees the case waiting on the applicant's money above the case list
  await signIn('zhang')
  await d.click('[data-testid=nav-cases]')
  await d.waitText('[data-testid=due-toggle]', '待申请人 1 件')
  await altD()
  const waiting = await d.waitText('[data-testid=due-waiting]', number)
  assert.match(waiting, /款项未到账/)
  await screenshot('post-due')
  await signOut()

  // the supervisor cannot approve it yet
  await signIn('li')
  await d.click(`[data-testid="review-${number}"]`)
  await d.click('[data-testid=act-approve]')
  assert.match(await d.waitText('[data-testid=error]', '款项尚未到账'), /邮寄案件的款项尚未到账/)
  await signOut()

  // the administrator imports the bank's statement
  await signIn('admin')
  await d.click('[data-testid=nav-reports]')
  await d.click('[data-testid=reports-tab-payments]')
  await d.type('[data-testid=payments-file]', statement)
  const report = await d.waitText('[data-testid=payments-report]', '匹配1笔')
  assert.match(report, /到账2笔，新增2笔；匹配1笔，未匹配0笔，拒收1笔/)
  assert.match(await d.text('[data-testid=payments-credits]'), /私人汇款/)
  await d.wd('POST', d.s('/execute/sync'), { script: "document.querySelector('[data-testid=payments]').scrollIntoView({ block: 'start' })", args: [] })
  await screenshot('post-payments')
  await signOut()

  // the clerk confirms the match in the reports desk
  await signIn('zhang')
  await d.click('[data-testid=nav-reports]')
  await d.click('[data-testid=reports-tab-payments]')
  const credit = JSON.parse(certdesk('payments', 'list', '--json', ...as('zhang'))).find((c) => c.state === 'proposed')
  assert.deepEqual(credit.proposed, [number])
  await d.click(`[data-testid="credit-confirm-${credit.id}"]`)
  for (let i = 0; i < 100 && (await d.exists(`[data-testid="credit-${credit.id}"]`)); i++) await new Promise((r) => setTimeout(r, 100))
  assert.equal(await d.exists(`[data-testid="credit-${credit.id}"]`), false, 'the confirmed credit leaves the list')
  const shown = JSON.parse(certdesk('case', 'show', number, '--json', ...as('zhang')))
  assert.equal(shown.payment.date, '2025-10-09')
  await signOut()

  // the supervisor approves it now
  await signIn('li')
  await d.click(`[data-testid="review-${number}"]`)
  await d.click('[data-testid=act-approve]')
  await d.waitText('[data-testid=case-status]', '复核通过')
})

test('a case the supervisor returns reaches the clerk with its reason above the case list; mended, it goes back to review (#79)', async () => {
  const returned = certdesk('case', 'import', join(root, 'tests/fixtures/case-org-new.json'), ...as('zhang'))
  certdesk('case', 'materials', returned, '--all-received', ...as('zhang'))
  for (const action of ['accept', 'submit']) certdesk('case', action, returned, ...as('zhang'))
  await signOut()

  // the supervisor returns it from the review desk, by keyboard: the reason and Enter
  await signIn('li')
  await d.click(`[data-testid="review-${returned}"]`)
  await d.type('[data-testid=reason]', '营业执照复印件未加盖公章，请补盖后重新提交' + ENTER)
  await d.find('[data-testid=review-done], [data-testid=review-next]')
  assert.equal(JSON.parse(certdesk('case', 'show', returned, '--json', ...as('li'))).status, 'returned')
  await signOut()

  // the clerk sees it without searching: on the case list, with the reason and who returned it
  await signIn('zhang')
  await d.click('[data-testid=nav-cases]')
  const line = await d.waitText('[data-testid=due-returned]', returned)
  assert.match(line, /退回待修改 1 件/)
  assert.match(line, /营业执照复印件未加盖公章，请补盖后重新提交/)
  assert.match(line, /li \d{4}-\d{2}-\d{2} \d{2}:\d{2} 退回/)
  await screenshot('returned-list')
  await d.click(`[data-testid="due-returned-${returned}"]`)
  await d.waitText('[data-testid=return-reason]', '营业执照复印件未加盖公章')
  await d.waitText('[data-testid=case-status]', '已退回')
  await screenshot('returned-case')
  // mended (the copy stamped: the materials as before) and submitted again
  await d.click('[data-testid=act-submit]')
  await d.waitText('[data-testid=case-status]', '待复核')
  assert.equal(JSON.parse(certdesk('case', 'show', returned, '--json', ...as('zhang'))).status, 'submitted')
  await d.click('[data-testid=nav-cases]')
  await d.find('[data-testid=due-toggle]')
  assert.equal(await d.exists('[data-testid=due-returned]'), false, 'off the list once submitted again')
})
