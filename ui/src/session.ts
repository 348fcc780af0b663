// Work a screen must finish before the account signs out (the intake draft's last save):
// screens register a hook while mounted; the shell awaits them all before `logout`.
const hooks = new Set<() => Promise<unknown> | void>()

export function onSignOut(fn: () => Promise<unknown> | void): () => void {
  hooks.add(fn)
  return () => hooks.delete(fn)
}

export async function runSignOut(): Promise<void> {
  await Promise.allSettled([...hooks].map(async (fn) => fn()))
}
