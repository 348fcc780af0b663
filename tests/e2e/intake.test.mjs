// End-to-end test of the intake derived from the catalog by the backend (#71), in the real app:
// a 辽宁 employee case gets its 业务单号 and 授权期限 in fields the backend's form model asks for
// (not written into the page), a 专票 whose title is not the unit is refused at save in seed 002's
// words next to its field, the corrected case is saved and its 机构员工申请表 printed with the
// 业务单号 as its barcode (read back with zbarimg); a mixed annex at 广东养老 is priced row by row;
// a second organisation certificate of a unit at 内蒙古CA is refused in seed 003's words.
// A posted 广东养老 order taken at the back desk (#73): its arrival and online application number
// asked by the backend once 邮寄 is chosen, a registered letter refused in seed 001's words. A
// returning unit's old key (SoftHSM2, a certificate that ran out 20 days ago) read at intake by
// Alt+K: seed 000's words, the renewal taken, the unit's code read off the certificate (#74).
// The first 辽宁 case's handler back with the same unit: the letter on file shown on its line (#74).
// A 广东养老 employee order whose unit proves itself on the case page with its own organisation
// key (the same SoftHSM2 token renewed: a valid certificate from the project's CA in the
// counter's forms folder beside the expired one): the PIN
// typed, the licence's original no longer asked (#74).
//
// Run: xvfb-run -a node --test tests/e2e/intake.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, cli, app, driverBin, workDir, root, pythonWithOpenpyxl, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 7144 + (process.pid % 500)
const dir = workDir('certdesk-intake-e2e-')
const env = {
  ...process.env,
  CERTDESK_DB: join(dir, 'cases.db'),
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
  CERTDESK_USER: 'admin',
  CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw'),
  CERTDESK_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
  SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
  // the counter's own forms: 广东养老 trusts the test CA (forms/<project>/ca/)
  CERTDESK_FORMS: join(dir, 'forms'),
}
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const d = webdriver(port)
const { click, type, waitText, login } = d
const pause = (ms) => new Promise((r) => setTimeout(r, ms))
const run = (script, ...args) => d.wd('POST', d.s('/execute/sync'), { script, args })
/** a select set as a clerk's choice would set it (the change event Vue listens to), once it
 *  offers the value: a new intake's select stands before the backend's list has filled it (a
 *  clean-clone rehearsal found `intake-project` without its projects 0.1 s after the intake) */
async function choose(testid, value, timeout = 15000) {
  const start = Date.now()
  for (;;) {
    const ok = await run(
      `const el = document.querySelector('[data-testid="${testid}"]'); if (!el || ![...el.options].some((o) => o.value === arguments[0])) return false;
       el.value = arguments[0]; el.dispatchEvent(new Event('change', { bubbles: true })); return true`,
      value,
    )
    if (ok) return
    assert.ok(Date.now() - start < timeout, `${testid} offers ${value}`)
    await pause(100)
  }
}
async function waitFor(script, what, timeout = 15000) {
  const start = Date.now()
  for (;;) {
    if (await run(script).catch(() => false)) return
    if (Date.now() - start > timeout) assert.fail(`waited for ${what}`)
    await pause(100)
  }
}
const screenshot = d.screenshot
/** a field emptied as a clerk's select-all and delete would (the input event Vue listens to) */
const clear = (testid) => run(`const el = document.querySelector('[data-testid="${testid}"]'); el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true }))`)
const exists = (testid) => `return !!document.querySelector('[data-testid="${testid}"]')`
async function save() {
  await click('[data-testid=intake-submit]')
}
async function savedNumber() {
  const heading = await waitText('[data-testid=case-view] h2', 'GZ01-')
  return heading.match(/GZ01-\d{8}-\d{4}/)[0]
}
/** the unit and its handler, typed */
async function typeUnit(name) {
  await type('[data-testid=intake-org]', name)
  await type('[data-testid=intake-uscc]', '91440101MA59ABCD1D')
  await type('[data-testid=intake-handler]', '张伟')
  await type('[data-testid=intake-handler-id]', '440106198503142038')
  await type('[data-testid=intake-mobile]', '13800138000')
}
async function newIntake() {
  await click('[data-testid=next-intake]')
  await waitFor(exists('intake-project'), 'the intake')
}

/** The key a returning unit brings (#74): a SoftHSM2 token holding the unit's certificate from
 *  a throw-away CA, issued on a faked clock 385 days ago for a year (ran out 20 days ago). */
const sh = (cmd, args) => execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const p = (name) => join(dir, name)
function oldKey() {
  sh('softhsm2-util', ['--init-token', '--free', '--label', 'OLDKEY', '--so-pin', '87654321', '--pin', '24681357'])
  sh('openssl', ['req', '-new', '-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('unit.key'), '-subj', '/C=CN/O=广州市示例科技有限公司/OU=91440101MA59ABCD1D/CN=广州市示例科技有限公司', '-out', p('unit.csr')])
  const issued = new Date(Date.now() - 385 * 86400000).toISOString().slice(0, 19).replace('T', ' ')
  sh('faketime', [issued, 'openssl', 'x509', '-req', '-in', p('unit.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-set_serial', '0x5A01', '-days', '365', '-outform', 'DER', '-out', p('unit.der')])
  sh('pkcs11-tool', ['--module', env.CERTDESK_PKCS11_MODULE, '--token-label', 'OLDKEY', '--login', '--pin', '24681357', '--write-object', p('unit.der'), '--type', 'cert', '--id', '01', '--label', 'unit'])
}

/** The unit's organisation key renewed on the same key (`OLDKEY`): a new P-256 key pair and its
 *  certificate from the project's CA, valid for a year from today, beside the expired one. */
function renewedOnOldKey() {
  sh('openssl', ['req', '-new', '-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('org.key'), '-subj', '/C=CN/O=广州市示例科技有限公司/OU=91440101MA59ABCD1D/CN=广州市示例科技有限公司', '-out', p('org.csr')])
  sh('openssl', ['x509', '-req', '-in', p('org.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-set_serial', '0x6B02', '-days', '365', '-outform', 'DER', '-out', p('org.der')])
  sh('openssl', ['pkey', '-in', p('org.key'), '-outform', 'DER', '-out', p('org.key.der')])
  sh('openssl', ['pkey', '-in', p('org.key'), '-pubout', '-outform', 'DER', '-out', p('org.pub.der')])
  for (const [file, kind] of [['org.key.der', 'privkey'], ['org.pub.der', 'pubkey'], ['org.der', 'cert']]) {
    sh('pkcs11-tool', ['--module', env.CERTDESK_PKCS11_MODULE, '--token-label', 'OLDKEY', '--login', '--pin', '24681357', '--write-object', p(file), '--type', kind, '--id', '02', '--label', 'org'])
  }
}

before(async () => {
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/C=CN/O=Test CA/CN=Test Root', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '3650'])
  cpSync(join(root, 'forms'), env.CERTDESK_FORMS, { recursive: true })
  mkdirSync(join(env.CERTDESK_FORMS, 'netca-gd-pension', 'ca'))
  cpSync(p('ca.pem'), join(env.CERTDESK_FORMS, 'netca-gd-pension', 'ca', 'root.pem'))
  mkdirSync(join(dir, 'tokens'))
  writeFileSync(env.SOFTHSM2_CONF, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--default-project', 'netca-ln-procurement', '--name', '沈阳受理点', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('a 辽宁 employee case: 业务单号, 授权期限 and the invoice asked by the backend, the seed\'s refusal, the barcode printed', async () => {
  await login('zhang')
  await waitFor(`return document.querySelector('[data-testid=intake-project]')?.value === 'netca-ln-procurement'`, 'the administrator\'s project')
  await choose('intake-kind', 'employee')
  // the fields the backend's model asks for this request, rendered from it
  await waitFor(exists('more-ca_reference'), '业务单号 from the form model')
  await waitFor(exists('more-handler-authorization_until'), '授权期限 from the form model')
  const why = await run(`return document.querySelector('[data-testid=more-ca_reference]').closest('label').textContent`)
  assert.match(why, /条形码号须与本页面上方的“业务单号”一致/)
  await type('[data-testid=more-ca_reference]', '20261128000123456')
  await typeUnit('沈阳市示例科技有限公司')
  await type('[data-testid=more-handler-authorization_until]', '2099年12月31日')
  await type('[data-testid=emp-name-0]', '王芳')
  await type('[data-testid=emp-id-0]', '440106200109094066')
  await click('[data-testid=mat-all]')
  // a 专票 in another unit's name: refused at save, in the seed's words, at the title
  await choose('more-invoice-type', 'special')
  await type('[data-testid=more-invoice-title]', '别的单位有限公司')
  await type('[data-testid=more-invoice-taxpayer_id]', '91440101MA59ABCD1D')
  await save()
  await waitText('[data-testid=more-invoice-title] ~ small.error', '办理单位必须与申请发票单位一致')
  assert.equal(JSON.parse(certdesk('--json', 'case', 'list')).length, 0, 'nothing stored')
  await clear('more-invoice-title')
  await type('[data-testid=more-invoice-title]', '沈阳市示例科技有限公司')
  await save()
  const number = await savedNumber()
  const stored = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.equal(stored.ca_reference, '20261128000123456')
  assert.equal(stored.handler.authorization_until, '2099-12-31')
  assert.equal(stored.invoice.type, 'special')
  assert.equal(stored.invoice.title, '沈阳市示例科技有限公司')
  // its 机构员工申请表 prints, the 业务单号 as its barcode
  const pdf = join(dir, 'employee-application.pdf')
  certdesk('form', 'render', '--case', number, '--form', 'employee-application', '--out', pdf, '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))
  execFileSync('pdftoppm', ['-r', '200', '-f', '1', '-l', '1', '-png', pdf, join(dir, 'page')])
  const page = execFileSync('sh', ['-c', `ls ${dir}/page*.png | head -1`], { encoding: 'utf8' }).trim()
  const codes = execFileSync('zbarimg', ['-q', '--raw', page], { encoding: 'utf8' })
  assert.ok(codes.split('\n').includes('20261128000123456'), `the barcode carries the 业务单号: ${codes}`)
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
  assert.ok(text.includes('王芳'), 'the annex is printed')
})

test('a mixed annex at 广东养老 is priced row by row', async () => {
  await newIntake()
  await choose('intake-project', 'netca-gd-pension')
  await choose('intake-kind', 'employee')
  await choose('intake-years', '3')
  await waitFor(exists('emp-business-0'), 'the annex\'s own business column')
  await typeUnit('广州市示例科技有限公司')
  await run(`document.querySelector('[data-testid=emp-paste]').value = arguments[0]; document.querySelector('[data-testid=emp-paste]').dispatchEvent(new Event('input', { bubbles: true }))`,
    '王芳\t440106200109094066\t\n陈刚\t210102198801020030\t\n李明\t440304199207271516\t')
  await click('[data-testid=emp-paste-add]')
  await waitFor(exists('emp-business-2'), 'three rows')
    .catch(async (e) => assert.fail(`${e.message}; the rows: ${await run(`return [...document.querySelectorAll('[data-testid^=emp-name-], [data-testid^=emp-business-]')].map((el) => el.dataset.testid + '=' + el.value).join(' ')`)}; the paste box: ${JSON.stringify(await run(`return document.querySelector('[data-testid=emp-paste]')?.value`))}; said: ${await run(`return document.querySelector('[data-testid=emp-paste-info]')?.textContent`)}`))
  // the row's years select is drawn again for its business type: its choice is made once the
  // page has settled on 更新续期 (a choice made before the redraw would be lost)
  await choose('emp-business-2', 'renew')
  await waitFor(`return document.querySelector('[data-testid=emp-business-2]').value === 'renew'`, 'the third row renewed')
  const quoted = JSON.parse(certdesk('--json', 'fee', '--project', 'netca-gd-pension', '--business', 'new', '--cert-kind', 'employee', '--medium', 'usb_key', '--years', '3', '--quantity', '3'))
  // the uniform price of three 3-year certificates is not what the page asks any more
  const rowByRow = `return /¥\\d/.test(document.querySelector('[data-testid=fee-bar]')?.textContent ?? '') && !document.querySelector('[data-testid=fee-bar]').textContent.includes('¥${quoted.total}')`
  // a choice the redraw swallowed is made again until the page quotes the rows
  for (let i = 0; i < 40; i++) {
    await choose('emp-years-2', '1')
    await pause(250)
    if (await run(rowByRow)) break
  }
  await waitFor(rowByRow, 'a row-by-row fee')
    .catch(async (e) => assert.fail(`${e.message}; the fee bar: ${await run(`return document.querySelector('[data-testid=fee-bar]')?.textContent`)}; the fee line: ${await run(`return document.querySelector('[data-testid=fee]')?.textContent`)} (${await run(`return document.querySelector('[data-testid=fee-error]')?.title`)}); rows: ${await run(`return [...document.querySelectorAll('[data-testid^=emp-business-], [data-testid^=emp-years-]')].map((el) => el.dataset.testid + '=' + el.value).join(' ')`)}`))
  const items = await run(`return document.querySelector('[data-testid=fee-items]').textContent`)
  assert.match(items, /新申请 3年/)
  assert.match(items, /更新续期 1年/)
  await click('[data-testid=mat-all]')
  await save()
  const number = await savedNumber()
  const stored = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.deepEqual(stored.employees.map((e) => [e.business, e.years]), [['new', 3], ['new', 3], ['renew', 1]])
  assert.equal(stored.payment.amount, stored.fee.total, 'charged as quoted row by row')
  assert.ok(stored.fee.groups.length === 2, 'two groups of rows')
})

test('a posted 广东养老 order taken at the back desk: its arrival and online application asked by the backend, a registered letter refused in the seed\'s words (#73)', async () => {
  await newIntake()
  await choose('intake-project', 'netca-gd-pension')
  await choose('intake-kind', 'employee')
  await waitFor(exists('more-channel'), '受理方式 from the form model')
  assert.equal(await run(`return !!document.querySelector('[data-testid="more-arrival-waybill"]')`), false, 'a counter case asks no arrival')
  await choose('more-channel', 'post')
  await waitFor(exists('more-arrival-online_application'), 'the posted case\'s fields')
  const why = await run(`return document.querySelector('[data-testid=more-arrival-online_application]').closest('label').textContent`)
  assert.match(why, /新申请证书请经办人互联网线上申请后，邮寄上述资料/)
  await type('[data-testid=more-arrival-date]', '2025-10-10')
  await type('[data-testid=more-arrival-courier]', '中国邮政挂号信')
  await type('[data-testid=more-arrival-waybill]', 'XA123456789CN')
  await type('[data-testid=more-arrival-online_application]', 'YL2025100800123')
  await typeUnit('广州市示例邮寄单位')
  await type('[data-testid=emp-name-0]', '王芳')
  await type('[data-testid=emp-id-0]', '440106200109094066')
  await click('[data-testid=mat-all]')
  await save()
  await waitText('[data-testid=more-arrival-courier] ~ small.error', '不接受挂号信')
  await clear('more-arrival-courier')
  await type('[data-testid=more-arrival-courier]', '顺丰速运')
  await save()
  const number = await savedNumber()
  const stored = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.equal(stored.channel, 'post')
  assert.deepEqual([stored.arrival.date, stored.arrival.courier, stored.arrival.waybill, stored.arrival.online_application], ['2025-10-10', '顺丰速运', 'XA123456789CN', 'YL2025100800123'])
  assert.match(await waitText('[data-testid=case-arrival]', 'YL2025100800123'), /网上申请编号/)
})

test('a second organisation certificate of a unit at 内蒙古CA is refused in the seed\'s words', async () => {
  const fill = async () => {
    await choose('intake-project', 'nmgca-procurement')
    await choose('intake-kind', 'organization')
    await waitFor(exists('more-extra-banner_district'), '所属旗区 from the catalog')
    await typeUnit('呼和浩特市示例科技有限公司')
    await type('[data-testid=more-extra-banner_district]', '赛罕区')
    await click('[data-testid=mat-all]')
    await save()
  }
  await newIntake()
  await fill()
  const first = await savedNumber()
  assert.equal(JSON.parse(certdesk('case', 'show', first, '--json')).extra.banner_district, '赛罕区')
  await newIntake()
  await fill()
  await waitText('[data-testid=intake-uscc] ~ small.error', '单位证书只允许申请1条')
  const all = JSON.parse(certdesk('--json', 'case', 'list'))
  assert.equal(all.filter((c) => c.project === 'nmgca-procurement').length, 1, 'the second was not stored')
})

test('the same unit and handler back at 辽宁: the letter on file shown on its line before the case is saved (#74)', async () => {
  // the intake the refused case above left open: the unit and handler of the first 辽宁 case
  await choose('intake-project', 'netca-ln-procurement')
  await choose('intake-kind', 'employee')
  const line = await waitText('[data-testid=mat-onfile-authorization]', '授权期限至2099-12-31')
  assert.match(line, /在案：张伟的授权书随案件GZ01-\d{8}-\d{4}提交.*本次无须再交/)
  assert.match(await d.text('[data-testid=intake-unit-on-file]'), /本单位在本受理点已有\d+件案件/)
  await run(`document.querySelector('[data-testid=mat-onfile-authorization]').scrollIntoView({ block: 'center' })`)
  await screenshot('intake-letter-on-file')
  // another handler's letter is not theirs
  await clear('intake-handler-id')
  await type('[data-testid=intake-handler-id]', '440106200109094066')
  await waitFor(`return !document.querySelector('[data-testid=mat-onfile-authorization]')`, 'the letter asked of another handler')
})

test('a returning unit\'s old key read at intake: seed 000\'s words for an expired certificate, its checklist, taken by keyboard (#74)', async () => {
  oldKey()
  // the intake the refused case above left open, its unit cleared: a new applicant at the desk
  for (const id of ['intake-org', 'intake-uscc']) {
    await clear(id)
  }
  await choose('intake-project', 'netca-gd-procurement')
  await choose('intake-kind', 'organization')
  await waitFor(exists('read-old-key'), 'the old key\'s button')
  await click('[data-testid=intake-org]')
  // Alt+K from the form
  await d.wd('POST', d.s('/actions'), { actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: '\uE00A' }, { type: 'keyDown', value: 'k' }, { type: 'keyUp', value: 'k' }, { type: 'keyUp', value: '\uE00A' }] }] })
  await d.wd('DELETE', d.s('/actions'))
  const verdict = await waitText('[data-testid=triage-verdict]', '已过期')
  assert.match(verdict, /应办理：更新续期（现场或邮寄办理）/)
  assert.match(await d.text('[data-testid=triage-reason]'), /数字证书过期后只能选择现场或者邮寄办理方式，并提交以下材料/)
  await click('[data-testid=triage-apply]')
  await waitFor(`return document.querySelector('[data-testid=intake-business]').value === 'renew'`, 'the business type taken from the verdict')
  assert.equal(await run(`return document.querySelector('[data-testid=intake-uscc]').value`), '91440101MA59ABCD1D', 'the unit\'s code read off its certificate')
  assert.equal(await run(`return document.querySelector('[data-testid=intake-org]').value`), '广州市示例科技有限公司')
  // the renewal's checklist follows, the old key among it
  await waitFor(`return (document.querySelector('[data-testid=materials]') ?? document.body).textContent.includes('原CA usbkey')`, 'the renewal\'s checklist with the old key')
})

test('a unit proves itself with its own organisation key on the case page: the licence\'s original is no longer asked (#74)', async () => {
  // the unit's key, renewed since: its valid certificate signs
  renewedOnOldKey()
  const order = JSON.parse(readFileSync(join(root, 'tests/fixtures/case-employees-new.json'), 'utf8'))
  order.organization.name = '广州市示例科技有限公司'
  order.organization.uscc = '91440101MA59ABCD1D'
  order.payment.payer_name = '广州市示例科技有限公司'
  writeFileSync(p('order.json'), JSON.stringify(order))
  const number = certdesk('case', 'import', p('order.json'), '--as', 'zhang', '--password-file', join(dir, 'zhang.pw'))
  await click('[data-testid=nav-cases]')
  await click(`[data-testid="case-${number}"]`)
  await waitFor(exists('unit-proof'), 'the offer to prove the unit by its certificate')
  assert.match(await d.text('[data-testid=case-mat-license]'), /✘/, 'the licence\'s original is asked before the proof')
  await screenshot('unit-proof-offered')
  await type('[data-testid=unit-proof-pin]', '24681357')
  await d.wd('POST', d.s('/actions'), { actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: '\uE007' }, { type: 'keyUp', value: '\uE007' }] }] })
  await d.wd('DELETE', d.s('/actions'))
  const line = await waitText('[data-testid=case-unit-proof]', '6B02').catch(async (e) => {
    assert.fail(`${e.message}; the panel says: ${await d.text('[data-testid=unit-proof]').catch(() => '(gone)')}`)
  })
  assert.match(line, /单位证书核验：证书序列号 6B02/)
  await waitText('[data-testid=case-unitcert-license]', '凭单位证书免原件')
  await waitFor(`return !document.querySelector('[data-testid=unit-proof]')`, 'the offer gone once proved')
  await screenshot('unit-proved')
  const stored = JSON.parse(certdesk('case', 'show', number, '--json'))
  assert.equal(stored.unit_proof.uscc, '91440101MA59ABCD1D')
  assert.equal(stored.materials.find((m) => m.id === 'license').by_unit_certificate, '6B02')
  assert.ok(!JSON.stringify(stored).includes('24681357'), 'the PIN is not recorded')
})

test('a unit\'s 明细表 at the intake: a bad row named by its row and column and nothing taken; the mended list fills the annex', async () => {
  /** the unit's list as its office makes it: an XLSX written by openpyxl, another program's */
  const list = (file, rows) => {
    const script = 'import json, sys, openpyxl\nwb = openpyxl.Workbook()\nws = wb.active\nws.append(["序号", "姓名", "身份证号码", "电子邮箱"])\nfor i, r in enumerate(json.loads(sys.argv[2]), 1): ws.append([i] + r)\nwb.save(sys.argv[1])'
    execFileSync(pythonWithOpenpyxl(), ['-c', script, p(file), JSON.stringify(rows)])
    return p(file)
  }
  await click('[data-testid=nav-intake]')
  // the intake opens on the draft the last walk left (its project set once it is restored): cleared
  await waitFor(`return !!document.querySelector('[data-testid=intake-project]')?.value`, 'the intake, its draft restored')
  if (await run(exists('draft-restored'))) {
    await click('[data-testid=intake-clear]')
    await click('[data-testid=intake-clear-confirm]')
    await waitFor(`return !document.querySelector('[data-testid=draft-restored]')`, 'the draft cleared')
  }
  await choose('intake-project', 'netca-gd-pension')
  await waitFor(`return [...document.querySelector('[data-testid=intake-kind]').options].some((o) => o.value === 'employee')`, '广东养老\'s certificate kinds').catch(async (e) => assert.fail(`${e.message}: ${await run(`return [...document.querySelectorAll('select[data-testid^=intake-]')].map((el) => el.dataset.testid + '=' + el.value + ' [' + [...el.options].map((o) => o.value).join() + ']').join('; ')`)}`))
  await choose('intake-kind', 'employee')
  await waitFor(exists('emp-list-file'), 'the annex\'s 明细表 import')
  // 陈刚's number has a wrong check character: the third row of the sheet, its 身份证号码 column
  const bad = list('roster-bad.xlsx', [['王芳', '440106200109094066', ''], ['陈刚', '210102198801020039', 'chengang@example.gov.cn'], ['李明', '440304199207271516', '']])
  await type('[data-testid=emp-list-file]', bad)
  const problems = await waitText('[data-testid=emp-list-problems]', '第3行')
  assert.match(problems, /第3行“身份证号码”列：.*校验位/)
  assert.equal(await run(`return document.querySelectorAll('[data-testid^=emp-name-]').length`), 1, 'nothing of the list taken')
  assert.equal(await run(`return document.querySelector('[data-testid=emp-name-0]').value`), '')
  await screenshot('intake-employee-list', '[data-testid=employees]')
  const mended = list('roster.xlsx', [['王芳', '440106200109094066', ''], ['陈刚', '210102198801020030', 'chengang@example.gov.cn'], ['李明', '440304199207271516', '']])
  await type('[data-testid=emp-list-file]', mended)
  await waitText('[data-testid=emp-list-info]', '已从 roster.xlsx 导入 3 人')
  assert.equal(await run(`return document.querySelector('[data-testid=emp-list-problems]')`), null, 'the problems gone')
  assert.deepEqual(await run(`return [0, 1, 2].map((i) => [document.querySelector('[data-testid=emp-name-' + i + ']').value, document.querySelector('[data-testid=emp-id-' + i + ']').value])`),
    [['王芳', '440106200109094066'], ['陈刚', '210102198801020030'], ['李明', '440304199207271516']])
  // the fee follows the list: three 3-year certificates quoted by the backend
  const quoted = JSON.parse(certdesk('--json', 'fee', '--project', 'netca-gd-pension', '--business', 'new', '--cert-kind', 'employee', '--medium', 'usb_key', '--years', String(await run(`return document.querySelector('[data-testid=intake-years]').value`)), '--quantity', '3'))
  await waitText('[data-testid=fee-bar]', `¥${quoted.total}`)
})

test('F1 opens the manual at the step the clerk is on: the handler\'s section of the intake (#77)', async () => {
  // the intake as the test before left it; the focus in the handler's name
  await click('[data-testid=intake-handler]')
  const main = await d.wd('GET', d.s('/window'))
  await type('[data-testid=intake-handler]', '\uE031')
  let help
  for (let i = 0; !(help = (await d.wd('GET', d.s('/window/handles'))).find((h) => h !== main)); i++) {
    if (i > 100) assert.fail('no help window among the WebDriver handles')
    await pause(100)
  }
  await d.wd('POST', d.s('/window'), { handle: help })
  await waitFor(`return location.hash === '#handler' && !!document.getElementById('handler')`, 'the manual at 经办人')
  assert.match(await run(`return document.getElementById('handler').textContent`), /经办人/)
  assert.match(await run('return location.pathname'), /\/manual\/clerk\/unit-order\.html$/)
  await d.wd('DELETE', d.s('/window'))
  await d.wd('POST', d.s('/window'), { handle: main })
  assert.equal(await run(exists('intake-handler')), true, 'the intake as it was')
})
