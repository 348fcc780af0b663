// The end-to-end tests' WebDriver client, written once (and where the binaries are): tauri-driver started on a port with the
// app's environment, one W3C session on the app, and what a test does with it (find, click as a
// person would, type, read, wait for a text, sign in, the clerk's and the supervisor's steps). Owns no assertion about the product.

import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** Where tauri-driver's output goes: the file's working folder (`workDir`), so that a driver
 *  that fails to start says why; nowhere when a script has no working folder. */
let driverLogs = null

/** Adds a walk's accounts through the CLI (`certdesk`, over the walk's store), as a counter
 *  gets them: `admin` first, on the empty store, with its own password; everyone else added by
 *  that administrator with an initial password, which its holder then changes, since an account
 *  an administrator adds must change its password at the first sign-in. Each ends with the
 *  password `<name>-password-1`, in `<dir>/<name>.pw`, which `login` types. */
export function addAccounts(certdesk, dir, accounts) {
  const file = (name, kind = '') => join(dir, `${name}${kind}.pw`)
  const asAdmin = ['--as', 'admin', '--as-password-file', file('admin')]
  for (const [name, role] of accounts) {
    writeFileSync(file(name), `${name}-password-1\n`)
    if (name === 'admin') {
      certdesk('user', 'add', name, '--role', role, '--password-file', file(name))
      continue
    }
    writeFileSync(file(name, '.initial'), `${name}-initial-1\n`)
    certdesk('user', 'add', name, '--role', role, '--password-file', file(name, '.initial'), ...asAdmin)
    certdesk('user', 'passwd', name, '--new-password-file', file(name), '--as', name, '--as-password-file', file(name, '.initial'))
  }
}

/** A test file's working folder (its databases, keys, password files, logs). Removed when the
 *  file's process ends with every test passed, after its own `after` hooks have stopped the app;
 *  kept when one failed, for what the failure left (node --test runs each file in a process of
 *  its own, whose exit code says so). */
export function workDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  driverLogs = dir
  process.on('exit', (code) => {
    if (code !== 0) return
    // a process of the app's that is still ending may write into it meanwhile (ENOTEMPTY, seen
    // once): tried again, and a folder left in the temp directory never fails a run that passed
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    } catch (e) {
      console.error(`# ${dir} left behind: ${e.message}`)
    }
  })
  return dir
}

/** The last lines of a driver's log, for an error message (empty without one). */
function tail(file, lines = 15) {
  if (!file || !existsSync(file)) return ''
  const text = readFileSync(file, 'utf8').trimEnd()
  return text ? `\n# ${file}, last lines:\n` + text.split('\n').slice(-lines).map((l) => `#   ${l}`).join('\n') : `\n# ${file} is empty`
}

/** The repository, its build tree, and the binaries the end-to-end tests drive: the build
 *  tree's, or the installed package's (scripts/test.sh: CERTDESK_E2E_APP=/usr/bin/certdesk-app). */
export const root = resolve(import.meta.dirname, '../..')
export const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target')
export const app = process.env.CERTDESK_E2E_APP ?? join(target, 'debug', 'certdesk-app')
export const cli = process.env.CERTDESK_E2E_CLI ?? join(target, 'debug', 'certdesk')
export const driverBin = process.env.TAURI_DRIVER ?? join(process.env.HOME, '.cargo', 'bin', 'tauri-driver')

/** A resident ID number with a valid check digit (GB 11643): born 1990-01-01, `seq` its order code. */
export function residentId(seq) {
  const body = `44010619900101${String(seq).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** A TCP port free on loopback now (a throwaway server's, e.g. the RA's). */
export function freePort() {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address()
      srv.close(() => resolve(p))
    })
  })
}

/** pkcs11-tool's arguments that pick the token labelled exactly `label` (`--slot` and its id):
 *  its own `--token-label` takes the first token whose label starts with the text, so a key
 *  labelled `X` could open `X-2` or `X-10` instead, in whatever order the module lists them. */
export function tokenSlot(module, label, env = process.env) {
  const listing = execFileSync('pkcs11-tool', ['--module', module, '--list-token-slots'], { env, encoding: 'utf8' })
  const found = []
  let slot = null
  for (const line of listing.split('\n')) {
    const head = line.match(/^Slot \d+ \((0x[0-9a-f]+)\)/i)
    if (head) slot = head[1]
    const named = line.match(/^\s*token label\s*:\s*(.*?)\s*$/)
    if (named && slot !== null && named[1] === label) found.push(slot)
  }
  assert.equal(found.length, 1, `one token labelled ${label}, not ${found.length}:\n${listing}`)
  return ['--slot', found[0]]
}

/** Waits for a visible X window whose title matches `name` (xdotool: the app's GTK dialogs); its id. */
export async function waitWindow(name, timeout = 30000) {
  const start = Date.now()
  for (;;) {
    try {
      const id = execFileSync('xdotool', ['search', '--onlyvisible', '--name', name], { encoding: 'utf8' }).trim().split('\n')[0]
      if (id) return id
    } catch { /* not there yet */ }
    if (Date.now() - start > timeout) assert.fail(`no window named ${name}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A Python 3 with openpyxl, for the spreadsheets other programs write (Debian's, where a
 *  pyenv shim comes first on the PATH). */
export function pythonWithOpenpyxl() {
  for (const p of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(p, ['-c', 'import openpyxl'], { stdio: 'ignore' })
      return p
    } catch { /* the next one */ }
  }
  throw new Error('no python3 with openpyxl: run `bash scripts/deps.sh test`')
}

export const W3C_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'
const pause = (ms) => new Promise((r) => setTimeout(r, ms))

/** Waits for the driver on `port` to answer; a driver that has already exited never will. Up to
 *  30 s: on a machine busy with other work (a clean-clone rehearsal beside a 2-job seal-sheet
 *  generation) tauri-driver took longer than 10 s to answer three times running, and the batch
 *  walk failed without having started. */
async function waitStatus(port, child) {
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(5000) })
      return
    } catch (e) {
      // fetch's own refusal is no slow start: said at once, not after 30 s
      if (e.cause?.message === 'bad port') throw new Error(`fetch refuses port ${port} (a "bad port" of the Fetch standard)`)
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tauri-driver exited (${child.exitCode ?? child.signalCode}) before it answered`)
      if (i > 300) throw new Error(`tauri-driver did not answer on port ${port} within 30 s`)
      await pause(100)
    }
  }
}

async function waitPortFree(port) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1000) })
    } catch {
      return
    }
    await pause(100)
  }
}

/** Kills a detached child and everything in its process group. */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

/** The ports Node's fetch will not connect to, the Fetch standard's "bad ports": a driver on one
 *  of them answers, but its client never reaches it. idcard's 6644 + pid % 500 drew 6667 (IRC)
 *  once, and its three starts failed as "tauri-driver did not start within 30 s" with the
 *  driver's log empty. */
export const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
])

/** `port`, or the next one above it that fetch reaches. */
export function reachablePort(port) {
  while (FETCH_BAD_PORTS.has(port)) port++
  return port
}

/** A WebDriver client of tauri-driver on `port` (the next reachable one: `reachablePort`);
 *  `start` opens the session on the app. */
export function webdriver(requestedPort) {
  const port = reachablePort(requestedPort)
  const d = { session: null, driver: null, windowId: null, port }
  d.wd = async (method, path, body, timeout = 120_000) => {
    // no command waits for ever: a driver that died under its proxy answers nothing, and the
    // whole suite would sit until CI's limit instead of failing this test
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeout),
    })
    const json = await res.json()
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`)
    return json.value
  }
  d.s = (p) => `/session/${d.session}${p}`
  /** The window as the user sees it, at 1366×768, saved as `<name>.png` in the folder
   *  CERTDESK_SCREENSHOTS names (nothing without one): `css` scrolled to the top first, every
   *  image drawn (seal samples are data: URLs decoded after the page shows). */
  d.screenshot = async (name, css) => {
    const shots = process.env.CERTDESK_SCREENSHOTS
    if (!shots) return
    mkdirSync(shots, { recursive: true })
    if (css) await d.wd('POST', d.s('/execute/sync'), { script: 'document.querySelector(arguments[0]).scrollIntoView({ block: "start" })', args: [css] })
    for (let i = 0; i < 50 && !(await d.wd('POST', d.s('/execute/sync'), { script: 'return [...document.images].every((i) => i.complete)', args: [] })); i++) await new Promise((r) => setTimeout(r, 100))
    // above a tooltip the last click left (a window of its own), and drawn again where it was
    execFileSync('xdotool', ['windowraise', d.windowId])
    await new Promise((r) => setTimeout(r, 400))
    // taken from the X server, as the screen shows the window: WebKitWebDriver's own screenshot
    // never returns for some views with compositing off, and with compositing on (which it
    // needs) some clicks and scripts hang for its 30 s timeout, failing the tests at random
    execFileSync('import', ['-window', d.windowId, join(shots, `${name}.png`)])
  }
  /** The driver's whole process group gone (the native driver and the app with it), its port free. */
  const endDriver = async () => {
    if (!d.driver) return
    killGroup(d.driver)
    d.driver = null
    await waitPortFree(port)
  }
  /** tauri-driver (its environment is the app's) and a session on `app`. WebKitWebDriver now and
   *  then dies as it starts (seen in CI: defunct under tauri-driver, the session request never
   *  answered); that start is thrown away whole (the driver's process group: the native driver
   *  and the app with it) and made again, three times at most. */
  d.start = async (driverBin, env, app) => {
    for (let attempt = 1; ; attempt++) {
      // the native driver on a port of this file's own, not tauri-driver's default 4445 that
      // every file shared (one left behind by the file before may keep the next from starting)
      const log = driverLogs && join(driverLogs, `tauri-driver-${port}-${attempt}.log`)
      const out = log ? openSync(log, 'w') : 'ignore'
      d.driver = spawn(driverBin, ['--port', String(port), '--native-port', String(port + 1)], { env, stdio: ['ignore', out, out], detached: true })
      if (log) closeSync(out)
      try {
        await waitStatus(port, d.driver)
        d.session = (await d.wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: app } } } }, 90_000)).sessionId
        // screenshots of the whole 1366×768 screen's worth, the counter PC's most common screen
        if (process.env.CERTDESK_SCREENSHOTS) {
          d.windowId = await waitWindow('^证书受理台 certdesk$')
          execFileSync('xdotool', ['windowsize', '--sync', d.windowId, '1366', '768'])
          execFileSync('xdotool', ['windowmove', '--sync', d.windowId, '0', '0'])
        }
        return
      } catch (e) {
        await endDriver()
        if (attempt >= 3) throw new Error(`no WebDriver session on ${app} after ${attempt} starts: ${e.message}${tail(log)}`)
        console.error(`# WebDriver start ${attempt} failed (${e.message}); starting again${tail(log)}`)
      }
    }
  }
  /** Ends the session and the driver's whole process group: the app is a single instance on
   *  the session bus, so one left running (its session's DELETE unanswered, seen in CI) took
   *  the next file's app start over and every later start timed out. */
  d.stop = async () => {
    if (d.session) await d.wd('DELETE', d.s(''), undefined, 30_000).catch(() => {})
    d.session = null
    await endDriver()
  }
  d.find = async (css, timeout = 30000) => {
    const start = Date.now()
    for (;;) {
      try {
        const el = await d.wd('POST', d.s('/element'), { using: 'css selector', value: css })
        return el[W3C_ELEMENT]
      } catch (e) {
        if (Date.now() - start > timeout) throw e
        await pause(100)
      }
    }
  }
  /** Clicks an element in the middle of the view (as a person scrolls to it: the intake's sticky
   *  action bar covers the bottom of the page) */
  d.click = async (css) => {
    const el = await d.find(css)
    await d.wd('POST', d.s('/execute/sync'), { script: 'arguments[0].scrollIntoView({ block: "center" })', args: [{ [W3C_ELEMENT]: el }] })
    // a button disabled while the page is busy takes the click and does nothing (seen in CI: a
    // case never submitted): wait until it is enabled, as a person waits for it
    for (const start = Date.now(); Date.now() - start < 15000;) {
      if (await d.wd('GET', d.s(`/element/${el}/enabled`)).catch(() => true)) break
      await pause(100)
    }
    // a toast may lie over it for its few seconds: wait, as a person would
    for (const start = Date.now(); Date.now() - start < 8000;) {
      try {
        return await d.wd('POST', d.s(`/element/${el}/click`), {})
      } catch (e) {
        if (!String(e.message).includes('intercepted')) throw e
        await pause(300)
      }
    }
    try {
      return await d.wd('POST', d.s(`/element/${el}/click`), {})
    } catch (e) {
      // say what covers it: the element at the target's centre
      const over = await d.wd('POST', d.s('/execute/sync'), {
        script: 'const r = arguments[0].getBoundingClientRect(); const o = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return [JSON.stringify(r), o ? o.outerHTML.slice(0, 300) : null]',
        args: [{ [W3C_ELEMENT]: el }],
      }).catch(() => null)
      throw new Error(`${css}: ${e.message}; covered by ${JSON.stringify(over)}`)
    }
  }
  /** Whether an element is on the page now (no waiting). */
  d.exists = async (css) => d.wd('POST', d.s('/element'), { using: 'css selector', value: css }).then(() => true, () => false)
  d.type = async (css, text) => d.wd('POST', d.s(`/element/${await d.find(css)}/value`), { text })
  d.valueOf = async (css) => d.wd('GET', d.s(`/element/${await d.find(css)}/property/value`))
  /** waits for an input's value to become `want` (a card read, a lookup) */
  d.waitValue = async (css, want, timeout = 15000) => {
    const start = Date.now()
    for (;;) {
      const got = await d.valueOf(css).catch(() => '')
      if (got === want) return
      if (Date.now() - start > timeout) throw new Error(`${css}: expected "${want}", got "${got}"`)
      await pause(100)
    }
  }
  d.text = async (css) => d.wd('GET', d.s(`/element/${await d.find(css)}/text`))
  /** How many elements match now (no waiting). */
  d.count = async (css) => (await d.wd('POST', d.s('/elements'), { using: 'css selector', value: css })).length
  d.waitText = async (css, want, timeout = 30000) => {
    const start = Date.now()
    for (;;) {
      const got = await d.text(css).catch(() => '')
      if (got.includes(want)) return got
      if (Date.now() - start > timeout) assert.fail(`${css}: expected "${want}", got "${got}"${await d.pageSays()}`)
      await pause(100)
    }
  }
  /** What the page says in its error lines and alerts, for a failure's message: a wait that
   *  timed out then tells why the app did not move on. */
  d.pageSays = async () => {
    const said = await d.wd('POST', d.s('/execute/sync'), {
      script: "return [...document.querySelectorAll('[role=alert], .error, [data-testid=error]')].map((e) => e.innerText.trim()).filter(Boolean).join(' | ')",
      args: [],
    }).catch(() => '')
    return said ? `; the page says: ${said}` : ''
  }
  /** Signs in as `name` with the password `<name>-password-1`, as the tests' accounts have. An
   *  account still signed in (a test before that failed half-way) is signed out first, so one
   *  failure does not fail every test after it. */
  d.login = async (name) => {
    if (!(await d.exists('[data-testid=login-name]')) && (await d.exists('[data-testid=logout]'))) {
      // a sign-out just clicked may be under way (its button then goes stale): either way the
      // sign-in page comes
      await d.click('[data-testid=logout]').catch(() => {})
      await d.find('[data-testid=login-name]')
    }
    await d.type('[data-testid=login-name]', name)
    await d.type('[data-testid=login-password]', `${name}-password-1`)
    await d.click('[data-testid=login-submit]')
    await d.waitText('[data-testid=who]', name)
  }
  /** The clerk's two steps on the case page open now: 受理, then 提交复核. */
  d.acceptAndSubmit = async () => {
    await d.click('[data-testid=act-accept]')
    await d.waitText('[data-testid=case-status]', '已受理')
    await d.click('[data-testid=act-submit]')
    await d.waitText('[data-testid=case-status]', '待复核')
  }
  /** The second check: `name` signs in, approves `number` from the review queue, signs out. */
  d.approveAs = async (name, number) => {
    await d.login(name)
    await d.click(`[data-testid="review-${number}"]`)
    await d.click('[data-testid=act-approve]')
    await d.waitText('[data-testid=case-status]', '复核通过')
    await d.click('[data-testid=logout]')
  }
  return d
}
