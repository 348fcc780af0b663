// The backend of the component tests. Owns the test side of the IPC contract: `mockBackend`
// answers the UI's invoke calls from one handler per command, each typed from `Commands`
// (../ipc.ts, whose results are the generated bindings), so a mock can take only the arguments
// the UI sends and answer only what the Rust commands return; it records every call for the
// assertions. A backend refusal is thrown as the backend sends it: `throw refusal(kind, detail)`.
// TypeScript does not flag extra fields in an object a handler returns inline (no excess
// property check on function results); the builders of ../fixtures.ts, with declared return
// types, do.
import { mockIPC } from '@tauri-apps/api/mocks'
import type { ErrorKind, IpcError } from '../bindings'
import type { Commands } from '../ipc'

/** The commands a test answers; a command without a handler is a test failure, not a silence. */
export type Handlers = {
  [K in keyof Commands]?: (args: Commands[K]['args']) => Commands[K]['result'] | Promise<Commands[K]['result']>
}

/** One call as the backend received it; narrowing on `cmd` types `args`. */
export type Call = { [K in keyof Commands]: { cmd: K; args: Commands[K]['args'] } }[keyof Commands]

/** Answers the IPC with `handlers` until `clearMocks()`; returns the calls, in order, as they
 *  come (a call without a handler is recorded too, then rejected). */
export function mockBackend(handlers: Handlers): Call[] {
  const calls: Call[] = []
  mockIPC((cmd, args) => {
    // The UI invokes only through `api`, whose names and arguments are checked against
    // `Commands`, so what arrives here is a Call.
    calls.push({ cmd, args } as Call)
    if (!Object.hasOwn(handlers, cmd)) {
      throw new Error(`mockBackend: unexpected command ${cmd} ${argsText(args)}: the test gives no handler for it`)
    }
    // one handler per command: the key it is found under is the type of its argument
    const handler = handlers[cmd as keyof Commands] as (args: unknown) => unknown
    return handler(args)
  })
  return calls
}

/** The error a command rejects with: `kind` is one the backend sends (ErrorKind). */
export function refusal(kind: ErrorKind, detail: string): IpcError {
  return { kind, detail }
}

function argsText(args: unknown): string {
  return args instanceof Uint8Array ? `(${args.length} bytes)` : JSON.stringify(args)
}
