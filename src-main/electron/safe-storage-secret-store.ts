// The fallback when no OS keychain answers: secrets encrypted with Electron safeStorage, whose key
// the OS still protects (Keychain, DPAPI, libsecret/kwallet). Ciphertext lives in its own file in
// the data directory, never in SQLite. Refused outright when Chromium would use its hard-coded
// "basic_text" key, which protects nothing. The UI always shows a notice while this is in use.
import { safeStorage } from 'electron'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SecretsStatus } from '../../src-shared/contract/system.ts'
import type { SecretStore } from '../secrets/secret-store.ts'

const vaultSchema = z.record(z.string(), z.string())

export async function safeStorageIsUsable(): Promise<boolean> {
  return (
    safeStorage.getSelectedStorageBackend() !== 'basic_text' &&
    (await safeStorage.isAsyncEncryptionAvailable())
  )
}

export class SafeStorageSecretStore implements SecretStore {
  private readonly file: string
  private readonly keychainProblem: string

  constructor(dataDir: string, keychainProblem: string) {
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 })
    this.file = join(dataDir, 'secrets', 'safe-storage.json')
    this.keychainProblem = keychainProblem
  }

  async status(): Promise<SecretsStatus> {
    return {
      backend: 'Electron safeStorage',
      available: true,
      notice: `The OS keychain is not available (${this.keychainProblem}). Passwords are encrypted with Electron safeStorage in the data directory instead; they are safe from other users but not from other programs you run.`,
    }
  }

  async get(account: string): Promise<string | null> {
    const sealed = this.read()[account]
    if (sealed === undefined) return null
    const { result } = await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))
    return result
  }

  async set(account: string, secret: string): Promise<void> {
    const sealed = (await safeStorage.encryptStringAsync(secret)).toString('base64')
    this.write({ ...this.read(), [account]: sealed })
  }

  async delete(account: string): Promise<boolean> {
    const vault = this.read()
    if (!(account in vault)) return false
    delete vault[account]
    this.write(vault)
    return true
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    const parsed = vaultSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')))
    if (!parsed.success) {
      throw new AppError('secrets_unavailable', `The encrypted secrets file ${this.file} is damaged.`)
    }
    return parsed.data
  }

  private write(vault: Record<string, string>): void {
    const temporary = `${this.file}.tmp`
    writeFileSync(temporary, JSON.stringify(vault), { mode: 0o600 })
    renameSync(temporary, this.file)
  }
}
