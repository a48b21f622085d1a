// Runs `npm run serve` (src-main/transport/serve.ts) as a child process, as a user's terminal would,
// and reads what it prints. Needs the built renderer (`npm test` builds it first).
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const serveScript = fileURLToPath(new URL('../../src-main/transport/serve.ts', import.meta.url))

export interface ServeRun {
  child: ChildProcess
  output(): string
  /** Resolves once the output matches, rejects when the process ends first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** SIGTERM, then resolves the exit code and how long the exit took. */
  stop(): Promise<{ code: number | null; ms: number }>
}

/** `wrapper` runs the host inside another command, e.g. ['dbus-run-session', '--', ...]. */
export function runServe(env: NodeJS.ProcessEnv, wrapper: string[] = []): ServeRun {
  const command = [...wrapper, process.execPath, serveScript]
  const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  const listeners = new Set<() => void>()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      for (const listener of listeners) listener()
    })
  }
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern)
          if (!match) return
          done()
          resolve(match)
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        void exited.then(() => {
          if (listeners.has(check)) {
            done()
            reject(new Error(`the host exited before ${pattern}; output:\n${text}`))
          }
        })
        check()
      })
    },
    async stop() {
      const started = Date.now()
      if (child.exitCode === null) child.kill('SIGTERM')
      const code = await exited
      return { code, ms: Date.now() - started }
    },
  }
}
