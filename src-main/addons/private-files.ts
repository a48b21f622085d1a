// Files that hold a credential for as long as one command needs them: the cluster's kubeconfig and
// a values file with a generated password. They live in a fresh directory only the user can enter
// (0700, files 0600), which is removed afterwards whatever happened.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PrivateFiles {
  /** Writes a file readable by the user only, and returns its path. */
  write(name: string, content: string): Promise<string>
}

export async function withPrivateFiles<T>(use: (files: PrivateFiles) => Promise<T>): Promise<T> {
  // mkdtemp creates the directory with mode 0700.
  const dir = await mkdtemp(join(tmpdir(), 'clusterdeck-'))
  try {
    return await use({
      async write(name, content) {
        const path = join(dir, name)
        await writeFile(path, content, { mode: 0o600, flag: 'wx' })
        return path
      },
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
