// Where secrets live. Everything outside this folder (and the Electron fallback) sees only this
// port, so no caller can write a secret anywhere else by accident.
import type { SecretsStatus } from '../../src-shared/contract/system.ts'

export interface SecretStore {
  status(): Promise<SecretsStatus>
  get(account: string): Promise<string | null>
  set(account: string, secret: string): Promise<void>
  /** Resolves false when there was nothing to delete. */
  delete(account: string): Promise<boolean>
  /** Lets go of what the store holds open (a worker process); a later call opens it again. */
  close?(): void
}

/** The keychain account that holds a board's BMC password. */
export function boardPasswordAccount(boardId: string): string {
  return `board:${boardId}:bmc-password`
}

/**
 * The keychain account that holds a profile's node password: the root password the first login
 * sets, and the sudo password of a non-root login user (docs/ssh.md).
 */
export function nodePasswordAccount(profileName: string): string {
  return `profile:${profileName}:node-password`
}
