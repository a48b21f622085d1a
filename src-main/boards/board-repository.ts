// Boards in SQLite. Holds no secrets: the password lives in the keychain under the board's id.
import type { Board, BoardKind } from '../../src-shared/boards/board-schemas.ts'
import type { Db } from '../store/database.ts'

interface BoardRow {
  id: string
  kind: BoardKind
  name: string
  address: string
  bmc_user: string
  certificate_sha256: string | null
  created_at: string
  updated_at: string
  password_saved: 0 | 1 | null
  credentials_refused_at: string | null
  credentials_refused_message: string | null
}

export type StoredBoard = Omit<Board, 'hasPassword'> & {
  /** Whether the keychain held the password when last asked; null when not asked yet. */
  passwordSaved: boolean | null
}

function fromRow(row: BoardRow): StoredBoard {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    address: row.address,
    user: row.bmc_user,
    certificateSha256: row.certificate_sha256,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordSaved: row.password_saved === null ? null : row.password_saved === 1,
    credentialsRefused:
      row.credentials_refused_at === null
        ? null
        : { at: row.credentials_refused_at, message: row.credentials_refused_message ?? '' },
  }
}

function flag(value: boolean | null): 0 | 1 | null {
  return value === null ? null : value ? 1 : 0
}

export class BoardRepository {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  list(): StoredBoard[] {
    const rows = this.db.prepare('SELECT * FROM boards ORDER BY name COLLATE NOCASE').all() as BoardRow[]
    return rows.map(fromRow)
  }

  findById(id: string): StoredBoard | undefined {
    const row = this.db.prepare('SELECT * FROM boards WHERE id = ?').get(id) as BoardRow | undefined
    return row && fromRow(row)
  }

  findByName(name: string): StoredBoard | undefined {
    const row = this.db.prepare('SELECT * FROM boards WHERE name = ? COLLATE NOCASE').get(name) as
      BoardRow | undefined
    return row && fromRow(row)
  }

  findByKind(kind: BoardKind): StoredBoard | undefined {
    const row = this.db.prepare('SELECT * FROM boards WHERE kind = ? ORDER BY created_at').get(kind) as
      BoardRow | undefined
    return row && fromRow(row)
  }

  insert(board: StoredBoard): void {
    this.db
      .prepare(
        `INSERT INTO boards (id, kind, name, address, bmc_user, certificate_sha256, created_at, updated_at,
           password_saved, credentials_refused_at, credentials_refused_message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        board.id,
        board.kind,
        board.name,
        board.address,
        board.user,
        board.certificateSha256,
        board.createdAt,
        board.updatedAt,
        flag(board.passwordSaved),
        board.credentialsRefused?.at ?? null,
        board.credentialsRefused?.message ?? null,
      )
  }

  update(board: StoredBoard): void {
    this.db
      .prepare(
        `UPDATE boards SET name = ?, address = ?, bmc_user = ?, certificate_sha256 = ?, updated_at = ?,
           password_saved = ?, credentials_refused_at = ?, credentials_refused_message = ?
         WHERE id = ?`,
      )
      .run(
        board.name,
        board.address,
        board.user,
        board.certificateSha256,
        board.updatedAt,
        flag(board.passwordSaved),
        board.credentialsRefused?.at ?? null,
        board.credentialsRefused?.message ?? null,
        board.id,
      )
  }

  /** Records what the keychain said, without touching updated_at (nothing the user changed). */
  setPasswordSaved(id: string, saved: boolean): void {
    this.db.prepare('UPDATE boards SET password_saved = ? WHERE id = ?').run(flag(saved), id)
  }

  setCredentialsRefused(id: string, refused: { at: string; message: string } | null): void {
    this.db
      .prepare('UPDATE boards SET credentials_refused_at = ?, credentials_refused_message = ? WHERE id = ?')
      .run(refused?.at ?? null, refused?.message ?? null, id)
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM boards WHERE id = ?').run(id)
  }
}
