// End-to-end test of the administrator's desk as the manual (#77) shows it, in the real app on a
// fresh data folder: an account locked by wrong passwords unlocked, a supervisor's account added
// with its 姓名 and role, a leaver's account disabled; a supervisor's USB key enrolled from its
// operator certificate and the CA's certificate, then revoked with a reason; the key driver
// refused when its file is missing and checked when it is there, the ID card reader's port
// saved; a project's online enrolment server (SCEP, a throwaway scepserver on loopback) set and
// tried; a hall's address without TLS refused in 案件库位置, nothing saved. Then a clerk takes
// a 补办 (replacement of a lost or damaged key): no years, the project's fee, no old key asked.
// Each step is read back through the CLI (`--json`), and photographed for the manual.
//
// Run: xvfb-run -a node --test tests/e2e/manual-admin.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, W3C_ELEMENT, freePort, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
// a base of its own: 8750–9250 (and the native driver one above) is no other file's
const port = 8750 + (process.pid % 500)
const dir = workDir('certdesk-manual-admin-e2e-')
const softhsm = '/usr/lib/softhsm/libsofthsm2.so'
// the app on the PC's own store file (no CERTDESK_DB: 案件库位置 then shows the app's choice),
// the CLI on the same file, signed in as the administrator by the environment
const storeFile = join(dir, 'data', 'certdesk', 'certdesk.db')
const appEnv = {
  ...process.env,
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
  // the operator CA the first enrolment installs (#78) stays in this test's folder
  XDG_CONFIG_HOME: join(dir, 'config'),
  CERTDESK_OPERATOR_CA: '',
  SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
}
// nothing names a key driver or a store but the administrator's settings
for (const k of ['CERTDESK_DB', 'CERTDESK_DB_PASSWORD_FILE', 'CERTDESK_PKCS11_MODULE', 'PGPASSFILE']) delete appEnv[k]
const env = { ...appEnv, CERTDESK_DB: storeFile, CERTDESK_USER: 'admin', CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw') }
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const json = (...args) => JSON.parse(certdesk('--json', ...args))
const sh = (program, args) => execFileSync(program, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const d = webdriver(port)
const { click, type, waitText } = d
const CHALLENGE = 'scep-challenge-1'
const account = (name) => json('user', 'list').find((a) => a.name === name)
/** an input emptied as a person selects and deletes its text (the page hears it) */
const clear = async (css) => d.wd('POST', d.s('/execute/sync'), { script: 'const e = arguments[0]; e.value = ""; e.dispatchEvent(new Event("input"))', args: [{ [W3C_ELEMENT]: await d.find(css) }] })
/** 管理 opened afresh (the last section's result line gone), at `tab` */
async function admin(tab) {
  await click('[data-testid=nav-cases]')
  await click('[data-testid=nav-admin]')
  await click(`[data-testid=admin-tab-${tab}]`)
}
let ra
let raUrl = ''

before(async () => {
  writeFileSync(appEnv.SOFTHSM2_CONF, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  mkdirSync(join(dir, 'tokens'))
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor'], ['sun', 'clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--name', '广州受理点', '--default-project', 'netca-gd-pension', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  // sun mistypes the password five times: the account locks
  writeFileSync(join(dir, 'wrong.pw'), 'wrong-password-1\n')
  for (let i = 0; i < 5; i++) {
    try { execFileSync(cli, ['case', 'list', '--as', 'sun', '--password-file', join(dir, 'wrong.pw')], { env, stdio: 'ignore' }) } catch { /* refused, as meant */ }
  }
  assert.equal(account('sun').locked, true, 'five wrong passwords lock the account')
  // li's operator certificate (the key pair's private half would be on li's USB key) from the
  // counter's operator CA
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'operator-ca.pem', '-subj', '/C=CN/O=Test/CN=Operator CA', '-days', '30'])
  sh('openssl', ['req', '-utf8', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'li.key', '-out', 'li.csr', '-subj', '/C=CN/O=广州受理点/CN=李复核'])
  writeFileSync(join(dir, 'li.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n')
  sh('openssl', ['x509', '-req', '-in', 'li.csr', '-CA', 'operator-ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'li.ext', '-out', 'li.pem'])
  // the CA's enrolment server: a throwaway SCEP CA on loopback
  const depot = join(dir, 'depot')
  execFileSync('scepserver', ['ca', '-init', '-keySize', '2048', '-country', 'CN', '-organization', 'certdesk manual test CA', '-depot', depot], { stdio: 'ignore' })
  const raPort = await freePort()
  ra = spawn('scepserver', ['-depot', depot, '-port', String(raPort), '-challenge', CHALLENGE, '-allowrenew', '0'], { stdio: 'ignore' })
  raUrl = `http://127.0.0.1:${raPort}/scep`
  await d.start(driverBin, appEnv, app)
})

after(async () => {
  await d.stop()
  ra?.kill()
})

test('accounts: a locked account unlocked, a supervisor added with 姓名 and role, a leaver disabled', async () => {
  await d.login('admin')
  await click('[data-testid=nav-admin]')
  await click('[data-testid=admin-tab-accounts]')
  await waitText('[data-testid=account-state-sun]', '已锁定')
  await d.find('[data-testid=unlock-sun]')
  await d.screenshot('admin-account-locked')
  await click('[data-testid=unlock-sun]')
  await waitText('[data-testid=account-state-sun]', '正常')
  assert.equal(await d.exists('[data-testid=unlock-sun]'), false, 'no 解锁 for an account not locked')
  assert.equal(account('sun').locked, false)

  // a new supervisor: 账号, 姓名, the initial password twice, 复核员 only
  await type('[data-testid=new-name]', 'zhao')
  await type('[data-testid=new-display-name]', '赵复核')
  await type('[data-testid=new-password]', 'Zhao-initial-1')
  await type('[data-testid=new-password-again]', 'Zhao-initial-1')
  await click('[data-testid=new-role-clerk]')
  await click('[data-testid=new-role-supervisor]')
  await click('[data-testid=add-account]')
  await waitText('[data-testid=admin-result]', '已添加账号 zhao')
  await d.find('[data-testid=account-zhao]')
  assert.equal(await d.valueOf('[data-testid=display-name-zhao]'), '赵复核')
  assert.equal(await d.wd('GET', d.s(`/element/${await d.find('[data-testid=role-zhao-supervisor]')}/selected`)), true)
  assert.equal(await d.wd('GET', d.s(`/element/${await d.find('[data-testid=role-zhao-clerk]')}/selected`)), false)
  await d.screenshot('admin-account-added')
  const zhao = account('zhao')
  assert.deepEqual(zhao.roles, ['supervisor'])
  assert.equal(zhao.display_name, '赵复核')
  assert.equal(zhao.must_change, true, 'an account the administrator adds changes its initial password at its first sign-in')

  // a leaver: 停用, asked first
  await click('[data-testid=disable-sun]')
  await waitText('[data-testid=confirm-dialog]', '停用此账号？')
  await d.screenshot('admin-disable-confirm')
  await click('[data-testid=confirm-ok]')
  await waitText('[data-testid=account-state-sun]', '已停用')
  assert.equal(account('sun').disabled, true)
})

test('USB Key登记: the supervisor\'s operator certificate enrolled, then revoked with a reason', async () => {
  await admin('keys')
  await waitText('[data-testid=enrolments]', '尚无登记的USB Key')
  await click('[data-testid=enrol-account] option[value=li]')
  await type('[data-testid=enrol-cert]', join(dir, 'li.pem'))
  await type('[data-testid=enrol-chain]', join(dir, 'operator-ca.pem'))
  await click('[data-testid=enrol-do]')
  await waitText('[data-testid=admin-result]', '已为 li 登记USB Key')
  await waitText('[data-testid=enrolment-state-li]', '在用')
  assert.match(await d.text('[data-testid=enrolment-li]'), /李复核/)
  await d.screenshot('admin-key-enrolled')
  const [enrolled] = [JSON.parse(certdesk('--json', 'user', 'keys', 'li'))].flat()
  assert.match(enrolled.subject, /CN=李复核/)
  assert.equal(enrolled.ended_at, null)

  // li lost the key: 吊销 with the reason
  await click('[data-testid=revoke-li]')
  await type('[data-testid=revoke-reason-li]', 'Key遗失')
  await d.screenshot('admin-key-revoke')
  await click('[data-testid=revoke-do-li]')
  await waitText('[data-testid=enrolment-state-li]', '已吊销')
  await waitText('[data-testid=admin-result]', '已吊销 li 的USB Key')
  const [revoked] = [JSON.parse(certdesk('--json', 'user', 'keys', 'li'))].flat()
  assert.equal(revoked.end_reason, 'revoked')
  assert.equal(revoked.ended_by, 'admin')
})

test('受理点设置: a missing key driver refused, the installed one checked; the ID card reader\'s port saved', async () => {
  await admin('settings')
  await type('[data-testid=setting-pkcs11_module]', '/usr/lib/vendor/libgm3000.so\uE007')
  await waitText('[data-testid=setting-error-pkcs11_module]', 'Key驱动库文件不存在，未保存')
  await d.screenshot('admin-library-missing')
  await clear('[data-testid=setting-pkcs11_module]')
  await type('[data-testid=setting-idcard_port]', '/dev/ttyUSB0\uE007')
  await waitText('[data-testid=setting-saved-idcard_port]', '已保存')
  await type('[data-testid=setting-pkcs11_module]', `${softhsm}\uE007`)
  await waitText('[data-testid=setting-saved-pkcs11_module]', '已保存')
  await waitText('[data-testid=library-check]', '驱动库可用：PKCS#11驱动', 60000)
  await d.screenshot('admin-drivers')
  // on the chain: the two settings saved, the missing file never
  const events = json('audit', 'log', '--action', 'setting').events
  const saved = JSON.stringify(events.map((e) => e.detail))
  assert.ok(saved.includes(softhsm) && saved.includes('/dev/ttyUSB0'), saved)
  assert.equal(saved.includes('libgm3000'), false, 'the missing driver was not saved')
})

test('在线签发: the project\'s SCEP server set with its CA certificate and challenge, and tried', async () => {
  await admin('online')
  await click('[data-testid=ra-project] option[value=netca-gd-pension]')
  await waitText('[data-testid=ra-none]', '本项目未配置在线签发')
  await type('[data-testid=ra-url]', raUrl)
  await type('[data-testid=ra-ca]', join(dir, 'depot', 'ca.pem'))
  await type('[data-testid=ra-challenge]', CHALLENGE)
  await click('[data-testid=ra-save]')
  await waitText('[data-testid=ra-note]', '已保存在线签发设置')
  await waitText('[data-testid=ra-current]', `已配置：${raUrl}`)
  await click('[data-testid=ra-try]')
  await waitText('[data-testid=ra-note]', '连接正常')
  assert.equal(await d.valueOf('[data-testid=ra-challenge]'), '', 'the challenge is not kept in the form')
  await d.screenshot('admin-ra')
  const shown = json('ra', 'show', '--project', 'netca-gd-pension')
  assert.equal(shown.url, raUrl)
  assert.equal(shown.challenge_set, true)
  assert.match(shown.ca_subject, /certdesk manual test CA/)
})

test('案件库位置: a hall server not on this PC without TLS is refused, nothing saved', async () => {
  await admin('data')
  await waitText('[data-testid=store-place-current]', storeFile)
  await click('[data-testid=store-kind-hall]')
  await type('[data-testid=store-hall-url]', 'postgres://certdesk_desk@hall.example:5432/certdesk')
  await type('[data-testid=store-hall-password]', 'desk-password-1')
  await click('[data-testid=store-place-save]')
  await waitText('[data-testid=store-place-error]', 'sslmode=verify-full')
  assert.equal(await d.valueOf('[data-testid=store-hall-password]'), '', 'the password is cleared after the try')
  await d.screenshot('admin-store-hall', '[data-testid=store-place]')
  assert.equal(existsSync(join(dir, 'state', 'certdesk', 'store.json')), false, 'a refused hall is not saved')
})

test('补办: the clerk takes a replacement with no years, the project\'s fee and no old key asked', async () => {
  await click('[data-testid=logout]')
  await d.login('zhang')
  await d.waitValue('[data-testid=intake-project]', 'netca-gd-pension')
  await click('[data-testid=intake-business] option[value=replace]')
  await waitText('[data-testid=fee]', '¥100.00（壹佰元整）')
  assert.equal(await d.wd('GET', d.s(`/element/${await d.find('[data-testid=intake-years]')}/enabled`)), false, 'no years: the same validity as the original')
  const materials = await waitText('[data-testid=materials]', '单位法人数字证书申请表')
  assert.equal(materials.includes('电子密匙'), false, 'a lost key is not asked for')
  await d.screenshot('intake-replace')
  await d.screenshot('intake-replace-materials', '[data-testid=materials]')
  const fee = json('fee', '--project', 'netca-gd-pension', '--business', 'replace', '--cert-kind', 'organization', '--medium', 'usb_key')
  assert.equal(fee.total, '100.00')
  // the case goes the way of a new key: 制证 makes one, as for 新申请
  const kase = JSON.parse(readFileSync(join(root, 'tests/fixtures/case-org-new.json'), 'utf8'))
  Object.assign(kase, { business: 'replace', years: null })
  delete kase.payment
  writeFileSync(join(dir, 'replace.json'), JSON.stringify(kase))
  const number = certdesk('case', 'import', join(dir, 'replace.json'), '--as', 'zhang', '--password-file', join(dir, 'zhang.pw')).match(/GZ01-\d{8}-\d{4}/)[0]
  const steps = json('case', 'steps', number).steps.map((s) => s.id)
  assert.ok(['key_init', 'key_generate', 'cert_write', 'deliver'].every((s) => steps.includes(s)), steps.join(' '))
})
