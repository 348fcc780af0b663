// End-to-end test of staff keys (#31) in the real app: the supervisor li has a P-256 key made on
// a SoftHSM2 token by the key clerk, its certificate issued by an openssl test operator CA and
// enrolled by the administrator (all through the CLI). In the window li's password alone is
// answered with the request for the USB key; the password again with the key's PIN signs li in
// (the key found by its certificate signs the store's challenge). Approving asks the PIN with the
// button, before it is pressed, and the approval is signed on the key: the CLI's `case show --json` gives the signature, OpenSSL
// verifies it from the exported certificate and digest, and `audit verify` counts it. Locked after
// the idle minute, the window opens again only with the password and the same key's PIN. The
// supervisor signs the day off (日结) in 报表 with the key and prints the ledger; the CLI checks
// the close by the reference the page shows. Pulling the key out locks the window by itself.
//
// Run: xvfb-run -a node --test tests/e2e/staffkey.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, root, app, cli, driverBin, workDir, addAccounts } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 8244 + (process.pid % 500)
const dir = workDir('certdesk-staffkey-e2e-')
const softhsm = '/usr/lib/softhsm/libsofthsm2.so'
const env = {
  ...process.env,
  CERTDESK_DB: join(dir, 'cases.db'),
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_STATE_HOME: join(dir, 'state'),
  // the operator CA the first enrolment installs (#78) stays in this test's folder
  XDG_CONFIG_HOME: join(dir, 'config'),
  CERTDESK_OPERATOR_CA: '',
  CERTDESK_PKCS11_MODULE: softhsm,
  SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
  CERTDESK_USER: 'admin',
  CERTDESK_PASSWORD_FILE: join(dir, 'admin.pw'),
}
const PIN = '24681357'
const certdesk = (...args) => execFileSync(cli, args, { env, encoding: 'utf8' }).trim()
const sh = (program, args) => execFileSync(program, args, { env, cwd: dir, encoding: 'utf8' })
const d = webdriver(port)
const as = (who) => ['--as', who, '--password-file', join(dir, `${who}.pw`)]
let number = ''

before(async () => {
  writeFileSync(env.SOFTHSM2_CONF, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  sh('mkdir', ['-p', join(dir, 'tokens')])
  addAccounts(certdesk, dir, [['admin', 'admin'], ['zhang', 'clerk'], ['li', 'supervisor'], ['wang', 'key_clerk']])
  certdesk('counter', 'set', '--code', 'GZ01', '--idle-minutes', '1', '--as', 'admin', '--as-password-file', join(dir, 'admin.pw'))
  for (const [file, pin] of [['so', '87654321'], ['pin', PIN]]) writeFileSync(join(dir, file), `${pin}\n`)
  // li's key: made on the token, its certificate from the operator CA, enrolled
  const key = (...args) => certdesk('key', '--module', softhsm, ...args, ...as('wang'))
  key('init', '--slot-index', '0', '--label', 'LI-KEY', '--so-pin-file', join(dir, 'so'), '--user-pin-file', join(dir, 'pin'))
  key('gen', '--token', 'LI-KEY', '--pin-file', join(dir, 'pin'), '--algo', 'ec-p256', '--cn', '李复核', '--csr-out', join(dir, 'li.csr'))
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/C=CN/O=Test/CN=Operator CA', '-days', '30'])
  writeFileSync(join(dir, 'li.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n')
  sh('openssl', ['x509', '-req', '-in', 'li.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'li.ext', '-out', 'li.pem'])
  key('write-cert', '--token', 'LI-KEY', '--pin-file', join(dir, 'pin'), '--cert', join(dir, 'li.pem'))
  certdesk('user', 'enrol-key', 'li', '--cert', join(dir, 'li.pem'), '--chain', join(dir, 'ca.pem'), '--as', 'admin', '--password-file', join(dir, 'admin.pw'))
  // a case waiting for the second check
  number = certdesk('case', 'import', join(root, 'tests/fixtures/case-org-new.json'), ...as('zhang')).match(/GZ01-\d{8}-\d{4}/)[0]
  certdesk('case', 'materials', number, '--all-received', ...as('zhang'))
  for (const action of ['accept', 'submit']) certdesk('case', action, number, ...as('zhang'))
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('a supervisor signs in with the USB key and approves with a signature OpenSSL verifies', { timeout: 240_000 }, async () => {
  // the password alone: the key is asked for
  await d.type('[data-testid=login-name]', 'li')
  await d.type('[data-testid=login-password]', 'li-password-1')
  await d.click('[data-testid=login-submit]')
  await d.waitText('[data-testid=error]', 'USB Key')
  await d.find('[data-testid=login-pin]')
  await d.type('[data-testid=login-password]', 'li-password-1')
  await d.screenshot('signin-key')
  await d.type('[data-testid=login-pin]', PIN)
  await d.click('[data-testid=login-submit]')
  await d.waitText('[data-testid=who]', 'li')

  // approving asks the key's PIN with the button (the backend marks the approval as signed),
  // then signs on the key
  await d.click(`[data-testid="review-${number}"]`)
  await d.find('[data-testid=approve-pin]')
  assert.equal(await d.exists('[data-testid=error]'), false, 'asked before any refusal')
  await d.screenshot('approve-pin')
  await d.type('[data-testid=approve-pin]', PIN)
  await d.click('[data-testid=act-approve]')
  await d.waitText('[data-testid=case-status]', '复核通过')

  const shown = JSON.parse(certdesk('--json', 'case', 'show', number, ...as('li'), '--token', 'LI-KEY', '--pin-file', join(dir, 'pin')))
  const sig = shown.approval_signature
  assert.equal(sig.algorithm, 'ecdsa-p256-sha256')
  assert.equal(sig.signer, 'li')
  writeFileSync(join(dir, 'exported.pem'), sig.certificate_pem)
  writeFileSync(join(dir, 'digest.bin'), Buffer.from(sig.digest_hex, 'hex'))
  writeFileSync(join(dir, 'sig.der'), Buffer.from(sig.signature_b64, 'base64'))
  sh('openssl', ['x509', '-in', 'exported.pem', '-pubkey', '-noout', '-out', 'li.pub'])
  assert.match(sh('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'li.pub', '-in', 'digest.bin', '-sigfile', 'sig.der']), /Signature Verified Successfully/)
  const report = JSON.parse(certdesk('--json', 'audit', 'verify'))
  assert.equal(report.ok, true)
  assert.equal(report.signatures.checked, 1)

  // locked after the idle minute: the password alone does not open it, the key's PIN with it does
  await d.waitText('[data-testid=lock-screen]', '1分钟未操作', 90_000)
  await d.type('[data-testid=lock-password]', 'li-password-1')
  await d.click('[data-testid=lock-unlock]')
  await d.waitText('[data-testid=lock-error]', 'USB Key')
  await d.type('[data-testid=lock-password]', 'li-password-1')
  await d.screenshot('lock-key')
  await d.type('[data-testid=lock-pin]', PIN)
  await d.click('[data-testid=lock-unlock]')
  for (let i = 0; await d.exists('[data-testid=lock-screen]'); i++) {
    if (i > 100) assert.fail('the lock screen stayed')
    await new Promise((r) => setTimeout(r, 100))
  }
  await d.find('[data-testid=case-status]')

  // 日结 in the 报表 desk: the key's PIN signs the day off; the CLI checks it by the reference
  // the page (and the printed ledger's QR code) shows
  await d.click('[data-testid=nav-reports]')
  await d.click('[data-testid=reports-tab-daily]')
  await d.waitText('[data-testid=day-open]', '未日结')
  await d.click('[data-testid=day-close-start]')
  await d.type('[data-testid=day-close-pin]', PIN)
  await d.click('[data-testid=day-close-confirm]')
  await d.waitText('[data-testid=day-closed]', '已日结')
  const reference = (await d.text('[data-testid=day-reference]')).trim()
  assert.match(reference, /^certdesk-day:1:GZ01:/)
  const day = reference.split(':')[3]
  const verdict = JSON.parse(certdesk('--json', 'day', 'verify', '--day', day, '--reference', reference))
  assert.equal(verdict.ok, true)
  await d.click('[data-testid=day-print]')
  await d.waitText('[data-testid=report-result]', `受理日报-${day}.pdf`)

  // the key pulled out (its token gone from SoftHSM's folder): the window locks by itself and
  // says why; the password and PIN do not open it while the key is out
  const tokens = join(dir, 'tokens')
  const [token] = readdirSync(tokens)
  renameSync(join(tokens, token), join(dir, 'pulled-out'))
  await d.waitText('[data-testid=lock-key-out]', 'USB Key已拔出', 20_000)
  await d.screenshot('lock-key-out')
  await d.type('[data-testid=lock-password]', 'li-password-1')
  await d.type('[data-testid=lock-pin]', PIN)
  await d.click('[data-testid=lock-unlock]')
  await d.find('[data-testid=lock-error]')
  assert.equal(await d.exists('[data-testid=lock-screen]'), true)
})
