// The OS keychain through @napi-rs/keyring: Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows. On Linux the store is pinned to the Secret Service, because the
// library otherwise falls back silently to the kernel keyring, which forgets everything on reboot.
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SecretsStatus } from '../../src-shared/contract/system.ts'
import type { SecretStore } from './secret-store.ts'

const backendNames: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Secret Service',
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
}

const unavailableHints: Partial<Record<NodeJS.Platform, string>> = {
  linux:
    'Start and unlock a Secret Service provider (GNOME Keyring, KWallet or KeePassXC with Secret Service enabled). On a machine without a desktop session, run Clusterdeck under dbus-run-session with gnome-keyring-daemon --unlock.',
  darwin: 'Unlock the login keychain in Keychain Access and allow Clusterdeck to use it.',
  win32: 'Check that the Credential Manager service is running for your user.',
}

export class KeyringSecretStore implements SecretStore {
  private readonly service: string
  private readonly platform: NodeJS.Platform
  private readonly backend: string
  private readonly options: EntryOptions
  private probe: Promise<SecretsStatus> | undefined

  constructor(service = 'clusterdeck', platform: NodeJS.Platform = process.platform) {
    this.service = service
    this.platform = platform
    this.backend = backendNames[platform] ?? 'OS keychain'
    this.options = platform === 'linux' ? { linux: { store: 'secret-service' } } : {}
  }

  status(): Promise<SecretsStatus> {
    this.probe ??= this.entry('status-probe')
      .getPassword()
      .then(
        (): SecretsStatus => ({ backend: this.backend, available: true }),
        (error: unknown): SecretsStatus => ({
          backend: this.backend,
          available: false,
          notice:
            `No usable keychain: the ${this.backend} could not be reached (${reason(error)}). Board passwords cannot be saved until it is. ${unavailableHints[this.platform] ?? ''}`.trim(),
        }),
      )
    return this.probe
  }

  async get(account: string): Promise<string | null> {
    return this.call('read a password from', () => this.entry(account).getPassword())
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call('save a password to', () => this.entry(account).setPassword(secret))
  }

  async delete(account: string): Promise<boolean> {
    return this.call('delete a password from', () => this.entry(account).deleteCredential())
  }

  private entry(account: string): AsyncEntry {
    return new AsyncEntry(this.service, account, this.options)
  }

  private async call<T>(action: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      this.probe = undefined
      throw new AppError(
        'secrets_unavailable',
        `Could not ${action} the ${this.backend}: ${reason(error)}`,
        unavailableHints[this.platform],
      )
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
