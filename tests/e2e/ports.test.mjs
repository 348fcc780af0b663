// The drivers' ports: a walk's port (its base + pid % 500) moved off the ports Node's fetch refuses,
// checked against fetch itself on loopback.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import test from 'node:test'

import { FETCH_BAD_PORTS, reachablePort } from './webdriver.mjs'

/** What fetch makes of http://127.0.0.1:`port`/ with a server listening there: 'ok' or the refusal. */
async function fetchOn(port) {
  const server = createServer((_, res) => res.end('ok'))
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  try {
    return await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) })).text()
  } catch (e) {
    return e.cause?.message ?? e.message
  } finally {
    server.close()
  }
}

test("fetch refuses each of our list's bad ports a driver could draw, and reaches the port it is moved to", async () => {
  // the ports above the privileged ones: a walk's base + pid % 500 lies between 4444 and 10 000
  const drawn = [...FETCH_BAD_PORTS].filter((p) => p >= 1024)
  assert.ok(drawn.includes(6667))
  for (const port of drawn) {
    const moved = reachablePort(port)
    assert.ok(moved > port && !FETCH_BAD_PORTS.has(moved), `${port} → ${moved}`)
    for (const [p, want] of [[port, 'bad port'], [moved, 'ok']]) {
      const got = await fetchOn(p).catch((e) => (e.code === 'EADDRINUSE' ? want : e.message))
      assert.equal(got, want, `port ${p}`)
    }
  }
  assert.equal(reachablePort(7144), 7144)
})
