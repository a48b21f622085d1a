// FW 2.1 decompresses `.xz` uploads on the fly. @napi-rs/lzma is not a dependency of the project,
// so the virtual board runs the `xz` tool as a child process and streams through it, keeping
// back-pressure from the simulated writer all the way to the upload.
import { spawn } from 'node:child_process'
import { once } from 'node:events'

export async function* decompressXz(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  const child = spawn('xz', ['--decompress', '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr: Buffer[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  // Exit status tells what went wrong; EPIPE on stdin after xz gave up adds nothing.
  child.stdin.on('error', () => {})
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run xz to decompress the image: ${error.message}`)))
    child.once('close', (code) => resolve(code))
  })
  exited.catch(() => {})

  const pumped = (async () => {
    for await (const chunk of source) {
      if (child.stdin.destroyed) return
      if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, 'drain'), exited])
    }
    child.stdin.end()
  })()
  pumped.catch(() => child.kill())

  try {
    for await (const chunk of child.stdout) yield chunk as Buffer
    const code = await exited
    // Killed (null) only when reading the source failed: that error is the one to report.
    if (code === null) await pumped
    if (code !== 0) {
      const reason = Buffer.concat(stderr).toString().trim() || `xz exited with status ${code}`
      throw new Error(`xz decompression failed: ${reason}`)
    }
    await pumped
  } finally {
    if (child.exitCode === null) child.kill()
  }
}
