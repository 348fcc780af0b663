// End-to-end test of CFCA's 签章采集表 in the real app (#74): one printed row of three boxes for
// three things (企业公章 | 法人方章 | 法人签字). The clerk opens a CFCA case made by the CLI and
// imports the scan of its printed form on the case page; each box comes back on its own, named
// by what it is for, each kept with the case under its own name (read back with the CLI). The
// same row asked for three times (#76) is read down its columns: 第1列, 第2列, 第3列. A sheet
// under a scanner's or camera's colour cast asks the clerk once, above its rows, to look at the
// paper (#76); the supervisor reviewing that case is asked once too, above its seal samples.
//
// Run: xvfb-run -a node --test tests/e2e/seal.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 9310 + (process.pid % 500)
const dir = workDir('certdesk-seal-e2e-')
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
const d = webdriver(port)
let number = ''

before(async () => {
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor']])
  const kase = JSON.parse(readFileSync(join(root, 'tests/fixtures/case-org-new.json'), 'utf8'))
  kase.project = 'cfca-xs'
  kase.years = 1
  delete kase.payment
  writeFileSync(join(dir, 'cfca.json'), JSON.stringify(kase))
  number = certdesk('case', 'import', join(dir, 'cfca.json'), '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

/** Signs zhang in unless a test before did, and opens the CFCA case's page unless it is open:
 * each test runs alone too (`node --test --test-name-pattern`). */
async function openCase() {
  if (!(await d.exists('[data-testid=seal-file]'))) {
    if (!(await d.exists('[data-testid=who]'))) {
      await d.find('[data-testid=login-name]', 30000)
      await d.type('[data-testid=login-name]', 'zhang')
      await d.type('[data-testid=login-password]', 'zhang-password-1' + ENTER)
      await d.find('[data-testid=who]', 30000)
    }
    await d.click('[data-testid=nav-cases]')
    await d.type('[data-testid=search]', number)
    await d.click(`[data-testid="case-${number}"]`)
  }
}

test('CFCA\'s one row of three different boxes is read box by box on the case page', async () => {
  await openCase()
  await d.type('[data-testid=seal-file]', join(root, 'tests/fixtures/seal/cfca-application-200dpi.jpg'))
  await d.find('[data-testid=seal-verdict]', 60000)
  await d.waitText('[data-testid=seal-row-0] h4', '公章 · 合格')
  await d.waitText('[data-testid=seal-row-1] h4', '法人章 · 合格')
  await d.waitText('[data-testid=seal-row-2] h4', '法人签字 · 合格')
  assert.equal(await d.exists('[data-testid^="seal-restamp-"]'), false, 'no box asked again')
  assert.doesNotMatch(await d.text('[data-testid=seal-verdict]'), /第\d行/, 'no row number for a box of a mixed row')
  await d.screenshot('seal-cfca', '[data-testid=seal-verdict]')
  const shown = JSON.parse(certdesk('case', 'show', number, '--json'))
  const seals = (shown.seals ?? []).map((s) => s.name).sort()
  assert.deepEqual(seals, ['seal:legal_rep_seal', 'seal:legal_rep_signature', 'seal:official_seal'], JSON.stringify(shown.seals))
})

test('the row asked for three times is read down its columns', async () => {
  await openCase()
  await d.type('[data-testid=seal-file]', join(root, 'tests/fixtures/seal/cfca-three-rows-200dpi.jpg'))
  await d.waitText('[data-testid=seal-row-0] h4', '第1列合格', 60000)
  await d.waitText('[data-testid=seal-row-1] h4', '第2列合格')
  await d.waitText('[data-testid=seal-row-2] h4', '第3列合格')
  const verdict = await d.text('[data-testid=seal-verdict]')
  assert.doesNotMatch(verdict, /第\d行/, 'no row number on a sheet read by its columns')
  assert.match(await d.text('[data-testid=seal-row-0] h4'), /^公章/)
  assert.match(await d.text('[data-testid=seal-row-1] h4'), /^法人章/)
  for (const column of [0, 1, 2]) {
    for (const sample of [0, 1, 2]) assert.ok(await d.exists(`[data-testid="seal-sample-${column}-${sample}"]`), `column ${column + 1}, sample ${sample + 1}`)
  }
  assert.equal(await d.exists('[data-testid^="seal-restamp-"]'), false, 'no column asked again')
  await d.screenshot('seal-cfca-columns', '[data-testid=seal-verdict]')
})

test('a sheet under a colour cast asks the clerk once to look at the paper, above its rows', async () => {
  await openCase()
  await d.type('[data-testid=seal-file]', join(root, 'tests/fixtures/seal/collection-150dpi-cool-cast.jpg'))
  await d.waitText('[data-testid=seal-paper-unchecked]', '未能检查是否背景不白：纸面偏色15（超过12）', 60000)
  assert.match(await d.text('[data-testid=seal-paper-unchecked]'), /请目视核对纸张是否为白色/)
  assert.equal((await d.text('[data-testid=seal-verdict]')).split('纸面偏色').length - 1, 1, 'said once, not under each sample')
  await d.screenshot('seal-paper-cast', '[data-testid=seal-verdict]')
  const shown = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.ok((shown.seals ?? []).length > 0 && shown.seals.every((s) => s.paper_unchecked?.quantity === 'paper_tint'), JSON.stringify(shown.seals))
})

test('the supervisor reviewing a case whose sheet was under a colour cast is asked once to look at the paper', async () => {
  const as = (name) => ['--as', name, '--password-file', join(dir, `${name}.pw`)]
  const cast = certdesk('case', 'import', join(root, 'tests/fixtures/case-org-new.json'), ...as('zhang'))
  certdesk('case', 'materials', cast, '--all-received', ...as('zhang'))
  certdesk('case', 'seal', cast, join(root, 'tests/fixtures/seal/collection-150dpi-cool-cast.jpg'), ...as('zhang'))
  for (const action of ['accept', 'submit']) certdesk('case', action, cast, ...as('zhang'))
  await d.login('li')
  await d.click(`[data-testid="review-${cast}"]`)
  const asked = await d.waitText('[data-testid=review-seal-paper-unchecked]', '未能检查是否背景不白：纸面偏色', 60000)
  assert.match(asked, /请目视核对纸张是否为白色/)
  await d.find('[data-testid=review-seals] img')
  assert.equal((await d.text('.side-by-side .right')).split('纸面偏色').length - 1, 1, 'asked once, not under each seal')
  await d.screenshot('review-seal-paper-cast', '.side-by-side')
})
