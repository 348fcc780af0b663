// End-to-end test of the first run and of people's names (#35, item 10): on an empty store the
// app asks the first administrator's 姓名 with the account, and the header shows the person, not
// the login; the in-place 姓名 edit on the admin page says it saved, beside the field. The new
// store file is encrypted (#30): the set-up shows its recovery key once and goes on only when its
// last group is typed back.
//
// Run: xvfb-run -a node --test tests/e2e/setup.test.mjs   (scripts/test.sh runs tests/e2e/)

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { webdriver, app, cli, driverBin, waitWindow, workDir } from './webdriver.mjs'

process.env.TZ ??= 'Asia/Shanghai'
const port = 7844 + (process.pid % 500)
const dir = workDir('certdesk-setup-e2e-')
const env = { ...process.env, CERTDESK_DB: join(dir, 'cases.db'), HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'state') }
const d = webdriver(port)
const { click, type, waitText } = d
const sh = (program, args) => execFileSync(program, args, { encoding: 'utf8' })
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** Every file under `root` named `name`. */
function findFiles(root, name) {
  return readdirSync(root, { recursive: true }).map((f) => join(root, String(f))).filter((f) => f.endsWith('/' + name) && statSync(f).isFile())
}

before(async () => {
  await d.start(driverBin, env, app)
})

after(async () => {
  await d.stop()
})

test('the first administrator is asked for a 姓名 and shown by it; a 姓名 edit visibly saves', async () => {
  await d.find('[data-testid=setup-display-name]')
  // before the set-up: no bare 「受理点」 in the header; each required field's asterisk on its
  // label's line (#79 item 10)
  assert.equal(await d.exists('[data-testid=header-counter]'), false, 'no counter named before it is set up')
  const offsets = await d.wd('POST', d.s('/execute/sync'), {
    // the asterisk on the line of its label's last character (a long label may wrap)
    script: "return [...document.querySelectorAll('[data-testid=setup] .req')].map((r) => { const text = r.previousSibling; const range = document.createRange(); range.setStart(text, text.length - 1); range.setEnd(text, text.length); return Math.abs(range.getBoundingClientRect().top - r.getBoundingClientRect().top) })",
    args: [],
  })
  assert.ok(offsets.length >= 4 && offsets.every((o) => o < 4), `each * beside its label: ${offsets}`)
  // 帮助 (#77): F1 on the set-up screen opens the manual at the administrator's first start, in a
  // window of its own, offline (the manual is inside the app); the app's window stays as it was
  const main = await d.wd('GET', d.s('/window'))
  await type('[data-testid=setup-name]', '\uE031')
  await waitWindow('^证书受理台 操作手册$')
  let help
  for (let i = 0; !(help = (await d.wd('GET', d.s('/window/handles'))).find((h) => h !== main)); i++) {
    if (i > 100) assert.fail('no second window among the WebDriver handles')
    await sleep(100)
  }
  await d.wd('POST', d.s('/window'), { handle: help })
  let page = ''
  for (let i = 0; i < 100 && !page.includes('保管案件库恢复密钥'); i++) {
    page = await d.wd('POST', d.s('/execute/sync'), { script: 'return document.body ? document.body.innerText : ""', args: [] }).catch(() => '')
    if (!page.includes('保管案件库恢复密钥')) await sleep(100)
  }
  assert.match(page, /管理员：首次使用与日常管理/, 'the manual at the first start page')
  assert.match(page, /保管案件库恢复密钥/)
  // the picture of the recovery screen is there and drawn
  assert.equal(await d.wd('POST', d.s('/execute/sync'), { script: 'const i = [...document.images].find((i) => i.src.includes("setup-recovery-key")); return !!i && i.complete && i.naturalWidth > 0', args: [] }), true, 'the screenshot shown')
  await d.wd('DELETE', d.s('/window'))
  await d.wd('POST', d.s('/window'), { handle: main })
  assert.equal(await d.exists('[data-testid=setup]'), true, 'the set-up screen as it was')
  await type('[data-testid=setup-password]', 'admin-password-1')
  await type('[data-testid=setup-password2]', 'admin-password-1')
  await type('[data-testid=setup-code]', 'GZ01')
  await click('[data-testid=setup-submit]')
  await waitText('[data-testid=error]', '请填写管理员姓名')
  await type('[data-testid=setup-display-name]', '王管理')
  await click('[data-testid=setup-submit]')
  // the recovery key, once: written down, its last group typed back
  await waitText('[data-testid=recovery]', '只显示这一次')
  const recovery = (await d.text('[data-testid=recovery-key]')).trim()
  assert.match(recovery, /^RK1-[0-9A-Z-]+$/)
  assert.equal(await d.exists('[data-testid=setup]'), false, 'the set-up form gone while its key is shown')
  assert.notEqual(readFileSync(env.CERTDESK_DB).subarray(0, 15).toString('latin1'), 'SQLite format 3', 'the new store file is encrypted')
  // #79 item 5: each group on one line (never 「VA41」/「S-DMEFQ」), whatever the width
  const split = await d.wd('POST', d.s('/execute/sync'), { script: "return [...document.querySelectorAll('[data-testid=recovery-key] .group')].filter((g) => g.getClientRects().length !== 1).map((g) => g.textContent)", args: [] })
  assert.deepEqual(split, [], 'no group broken across lines')
  // saved to a USB stick: the system's save dialog, the file named there
  const usb = join(dir, 'usb')
  mkdirSync(usb)
  await click('[data-testid=recovery-save]')
  const saveDialog = await waitWindow('^把恢复密钥保存到')
  await sleep(800)
  sh('xdotool', ['windowfocus', '--sync', saveDialog])
  sh('xdotool', ['key', '--clearmodifiers', 'ctrl+a'])
  sh('xdotool', ['type', '--delay', '20', join(usb, 'recovery-key.txt')])
  await sleep(300)
  sh('xdotool', ['key', '--clearmodifiers', 'Return'])
  await waitText('[data-testid=recovery-saved]', join(usb, 'recovery-key.txt'), 60000)
  const saved = readFileSync(join(usb, 'recovery-key.txt'), 'utf8')
  assert.ok(saved.includes(`恢复密钥：${recovery}`) && saved.includes('受理点：GZ01') && saved.includes('生成日期：'), saved)
  assert.equal(statSync(join(usb, 'recovery-key.txt')).mode & 0o777, 0o600)
  // printed: the system's print dialog (no printer here: to a file), the sheet with the key
  await click('[data-testid=recovery-print]')
  const printDialog = await waitWindow('^(Print|打印)$', 60000)
  for (let attempt = 0; ; attempt++) {
    await sleep(attempt === 0 ? 1500 : 1000)
    let open = ''
    try { open = sh('xdotool', ['search', '--onlyvisible', '--name', '^(Print|打印)$']).trim() } catch { /* closed */ }
    if (!open) break
    if (attempt > 40) assert.fail('the print dialog did not print')
    sh('xdotool', ['windowfocus', '--sync', printDialog])
    sh('xdotool', ['key', '--clearmodifiers', 'Down'])
    await sleep(300)
    sh('xdotool', ['key', '--clearmodifiers', 'Return'])
  }
  await waitText('[data-testid=recovery-printed]', '已打印', 60000)
  await d.screenshot('setup-recovery-key')
  let pdf
  for (let i = 0; !(pdf = findFiles(dir, '案件库恢复密钥.pdf')[0]) || statSync(pdf).size === 0; i++) {
    if (i > 150) assert.fail('the printed sheet was not written')
    await sleep(200)
  }
  await sleep(500)
  const printed = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
  assert.ok(printed.includes(recovery) && printed.includes('受理点：GZ01'), printed)
  await click('[data-testid=recovery-copied]')
  await type('[data-testid=recovery-last]', 'XXXX')
  await click('[data-testid=recovery-continue]')
  await waitText('[data-testid=error]', '不符')
  await d.wd('POST', d.s(`/element/${await d.find('[data-testid=recovery-last]')}/clear`), {})
  await type('[data-testid=recovery-last]', recovery.split('-').at(-1))
  await click('[data-testid=recovery-continue]')
  await waitText('[data-testid=who]', '王管理')

  // the account list knows the person; the in-place edit says it saved, beside the field
  writeFileSync(join(dir, 'admin.pw'), 'admin-password-1\n')
  const accounts = JSON.parse(execFileSync(cli, ['user', 'list', '--json', '--as', 'admin', '--password-file', join(dir, 'admin.pw')], { env, encoding: 'utf8' }))
  assert.equal(accounts.find((a) => a.name === 'admin').display_name, '王管理')
  await click('[data-testid=nav-admin]')
  await click('[data-testid=admin-tab-accounts]')
  await d.find('[data-testid=display-name-admin]')
  await d.wd('POST', d.s(`/element/${await d.find('[data-testid=display-name-admin]')}/clear`), {})
  await type('[data-testid=display-name-admin]', '王大管\uE007')
  await waitText('[data-testid=display-name-saved-admin]', '已保存')
  await waitText('[data-testid=who]', '王大管')
})
