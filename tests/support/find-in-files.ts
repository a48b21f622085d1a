import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Every file under dir whose bytes contain needle (SQLite WAL and journal files included). */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    if (readFileSync(path).includes(Buffer.from(needle))) found.push(path)
  }
  return found
}
