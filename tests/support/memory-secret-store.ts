// An in-memory SecretStore for unit tests of services that keep secrets. The real keychain is
// tested through the Secret Service in tests/integration; this one can also be told to fail, to
// check that callers change nothing when the keychain refuses.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SecretsStatus } from '../../src-shared/contract/system.ts'
import type { SecretStore } from '../../src-main/secrets/secret-store.ts'

export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, string>()
  failNext: 'set' | 'get' | 'delete' | undefined
  /** How many reads callers made, to check that they ask the keychain once, not on every call. */
  reads = 0

  async status(): Promise<SecretsStatus> {
    return { backend: 'memory', available: true }
  }

  async get(account: string): Promise<string | null> {
    this.reads++
    this.maybeFail('get')
    return this.secrets.get(account) ?? null
  }

  async set(account: string, secret: string): Promise<void> {
    this.maybeFail('set')
    this.secrets.set(account, secret)
  }

  async delete(account: string): Promise<boolean> {
    this.maybeFail('delete')
    return this.secrets.delete(account)
  }

  private maybeFail(operation: 'set' | 'get' | 'delete'): void {
    if (this.failNext !== operation) return
    this.failNext = undefined
    throw new AppError('secrets_unavailable', `The test keychain refused to ${operation}.`)
  }
}
