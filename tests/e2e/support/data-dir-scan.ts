// Looks for a secret in every byte the app wrote: SQLite's main file, its -wal and -shm files,
// logs, anything else. Searches UTF-8 and UTF-16 (SQLite can store text as either).
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}

/** The files under dir whose bytes contain text. */
export async function filesContaining(dir: string, text: string): Promise<string[]> {
  const needles = [
    Buffer.from(text, 'utf8'),
    Buffer.from(text, 'utf16le'),
    Buffer.from(text, 'utf16le').swap16(),
  ]
  const hits: string[] = []
  for (const file of await listFiles(dir)) {
    const bytes = await readFile(file)
    if (needles.some((needle) => bytes.includes(needle))) hits.push(file)
  }
  return hits
}
