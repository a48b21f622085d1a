import { describe, expect, it } from 'vitest'
import { runProcess } from './process-runner.ts'
import { rejection } from '../../tests/support/app-error.ts'

// Real child processes: the Node binary running small scripts.
const node = process.execPath

function script(source: string, extra: Partial<Parameters<typeof runProcess>[0]> = {}) {
  return runProcess({ command: node, args: ['-e', source], ...extra })
}

describe('runProcess', () => {
  it('streams lines from both streams as they come, with secrets redacted', async () => {
    const lines: string[] = []
    const result = await script(
      'console.log("one"); console.error("token hunter2 used"); process.stdout.write("no newline")',
      { onLine: (line, stream) => lines.push(`${stream}:${line}`), secrets: ['hunter2'] },
    )
    expect(result.exitCode).toBe(0)
    expect(lines).toEqual(['stdout:one', 'stderr:token [redacted] used', 'stdout:no newline'])
    expect(result.stderrTail).toBe('token [redacted] used')
  })

  it('captures stdout only when asked, up to the limit, and feeds stdin', async () => {
    const result = await script('process.stdin.pipe(process.stdout)', {
      stdin: 'kubeconfig-bytes',
      captureStdoutBytes: 1024,
    })
    expect(result.stdout).toBe('kubeconfig-bytes')
    expect((await script('console.log("x")')).stdout).toBe('')
  })

  it('passes a minimal environment: nothing of the parent but PATH, HOME, LANG, TMPDIR', async () => {
    process.env.CLUSTERDECK_RUNNER_LEAK = 'leaked'
    try {
      const result = await script('process.stdout.write(JSON.stringify(process.env))', {
        env: { EXTRA: 'given' },
        captureStdoutBytes: 65536,
      })
      const env = JSON.parse(result.stdout) as Record<string, string>
      expect(env.CLUSTERDECK_RUNNER_LEAK).toBeUndefined()
      expect(env.EXTRA).toBe('given')
      expect(env.PATH).toBe(process.env.PATH)
    } finally {
      delete process.env.CLUSTERDECK_RUNNER_LEAK
    }
  })

  it('turns a non-zero exit into tool_failed naming the command and the tail of stderr', async () => {
    const error = await rejection(
      script('console.error("error: secret s3cr3tvalue is wrong"); process.exit(3)', {
        secrets: ['s3cr3tvalue'],
      }),
    )
    expect(error.code).toBe('tool_failed')
    expect(error.message).toContain('exit code 3')
    expect(error.message).toContain('secret [redacted] is wrong')
    expect(error.message).not.toContain('s3cr3tvalue')
    expect(error.details?.exitCode).toBe('3')
  })

  it('accepts the exit codes the caller declares as success', async () => {
    expect((await script('process.exit(2)', { okExitCodes: [0, 2] })).exitCode).toBe(2)
  })

  it('cancels with SIGTERM, and SIGKILLs a process that ignores it after the grace period', async () => {
    const controller = new AbortController()
    const lines: string[] = []
    const started = Date.now()
    const run = script(
      'process.on("SIGTERM", () => console.log("ignoring")); console.log("ready"); setInterval(() => {}, 1000)',
      {
        signal: controller.signal,
        graceMs: 300,
        onLine: (line) => {
          lines.push(line)
          if (line === 'ready') controller.abort()
        },
      },
    )
    const error = await rejection(run)
    expect(error.code).toBe('cancelled')
    expect(lines).toContain('ignoring')
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('stops a process that runs past its timeout and says so', async () => {
    const error = await rejection(
      script('console.error("still waiting"); setInterval(() => {}, 1000)', { timeoutMs: 300 }),
    )
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(/did not finish within/)
    expect(error.hint).toContain('still waiting')
  })

  it('refuses to start when already cancelled, and names a missing binary as tool_missing', async () => {
    const controller = new AbortController()
    controller.abort()
    expect((await rejection(script('1', { signal: controller.signal }))).code).toBe('cancelled')
    const missing = await rejection(runProcess({ command: '/nonexistent/talosctl', args: ['version'] }))
    expect(missing.code).toBe('tool_missing')
    expect(missing.message).toContain('talosctl')
  })
})
