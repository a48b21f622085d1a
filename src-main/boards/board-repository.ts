// Boards in SQLite. Holds no secrets: the password lives in the keychain under the board's id.
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import type { Db } from '../store/database.ts'

interface BoardRow {
  id: string
  name: string
  address: string
  bmc_user: string
  certificate_sha256: string | null
  created_at: string
  updated_at: string
}

export type StoredBoard = Omit<Board, 'hasPassword'>

function fromRow(row: BoardRow): StoredBoard {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    user: row.bmc_user,
    certificateSha256: row.certificate_sha256,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
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

  insert(board: StoredBoard): void {
    this.db
      .prepare(
        `INSERT INTO boards (id, name, address, bmc_user, certificate_sha256, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        board.id,
        board.name,
        board.address,
        board.user,
        board.certificateSha256,
        board.createdAt,
        board.updatedAt,
      )
  }

  update(board: StoredBoard): void {
    this.db
      .prepare(
        'UPDATE boards SET name = ?, address = ?, bmc_user = ?, certificate_sha256 = ?, updated_at = ? WHERE id = ?',
      )
      .run(board.name, board.address, board.user, board.certificateSha256, board.updatedAt, board.id)
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM boards WHERE id = ?').run(id)
  }
}
