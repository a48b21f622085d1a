// Versioned schema changes, applied in order; PRAGMA user_version records how far a database got.
// Never edit a migration that has shipped: add a new one.
import type Database from 'better-sqlite3'

export interface Migration {
  readonly version: number
  readonly name: string
  up(db: Database.Database): void
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'boards',
    up(db) {
      db.exec(`
        CREATE TABLE boards (
          id          TEXT PRIMARY KEY,
          name        TEXT NOT NULL,
          address     TEXT NOT NULL,
          bmc_user    TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX boards_name_unique ON boards (name COLLATE NOCASE);
      `)
    },
  },
  {
    version: 2,
    name: 'image cache, flash history, pinned BMC certificates',
    up(db) {
      db.exec(`
        ALTER TABLE boards ADD COLUMN certificate_sha256 TEXT;
        CREATE TABLE images (
          sha256          TEXT PRIMARY KEY,
          name            TEXT NOT NULL,
          size_bytes      INTEGER NOT NULL,
          packed_sha256   TEXT,
          packed_size     INTEGER,
          source_url      TEXT,
          added_at        TEXT NOT NULL,
          last_used_at    TEXT NOT NULL,
          pinned          INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE flash_history (
          id              TEXT PRIMARY KEY,
          board_id        TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
          node            INTEGER NOT NULL CHECK (node BETWEEN 1 AND 4),
          image_sha256    TEXT,
          image_name      TEXT NOT NULL,
          image_size      INTEGER NOT NULL,
          outcome         TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'cancelled')),
          verified        INTEGER NOT NULL,
          failed_phase    TEXT,
          message         TEXT,
          started_at      TEXT NOT NULL,
          finished_at     TEXT NOT NULL
        );
        CREATE INDEX flash_history_board_node ON flash_history (board_id, node, finished_at);
      `)
    },
  },
  {
    version: 3,
    name: 'image library: settings, image facts, resumable downloads, Armbian images seen',
    up(db) {
      // settings: small app-wide values (the image cache size limit first), JSON-encoded.
      // downloads: one row per download, so a partial file in downloads/ can be resumed after a
      // restart against the validators (ETag, Last-Modified, length) it was started with.
      // armbian_images: every Turing RK1 asset ever listed, because releases vanish within weeks.
      db.exec(`
        CREATE TABLE settings (
          key             TEXT PRIMARY KEY,
          value           TEXT NOT NULL
        );
        ALTER TABLE images ADD COLUMN os TEXT;
        ALTER TABLE images ADD COLUMN os_version TEXT;
        ALTER TABLE images ADD COLUMN arch TEXT;
        CREATE TABLE downloads (
          id              TEXT PRIMARY KEY,
          url             TEXT NOT NULL,
          name            TEXT NOT NULL,
          expected_sha256 TEXT,
          checksum_url    TEXT,
          image_os        TEXT,
          image_version   TEXT,
          image_arch      TEXT,
          state           TEXT NOT NULL,
          bytes_done      INTEGER NOT NULL DEFAULT 0,
          bytes_total     INTEGER,
          etag            TEXT,
          last_modified   TEXT,
          image_sha256    TEXT,
          error_code      TEXT,
          error_message   TEXT,
          error_hint      TEXT,
          created_at      TEXT NOT NULL,
          updated_at      TEXT NOT NULL
        );
        CREATE INDEX downloads_url ON downloads (url);
        CREATE TABLE armbian_images (
          name            TEXT PRIMARY KEY,
          release_tag     TEXT NOT NULL,
          prerelease      INTEGER NOT NULL,
          published_at    TEXT,
          distro          TEXT NOT NULL,
          variant         TEXT NOT NULL,
          desktop         TEXT,
          branch          TEXT NOT NULL,
          kernel_version  TEXT NOT NULL,
          armbian_version TEXT NOT NULL,
          build           INTEGER NOT NULL,
          url             TEXT NOT NULL,
          size_bytes      INTEGER NOT NULL,
          sha256          TEXT,
          checksum_url    TEXT,
          first_seen_at   TEXT NOT NULL,
          last_seen_at    TEXT NOT NULL,
          still_published INTEGER NOT NULL
        );
      `)
    },
  },
  {
    version: 4,
    name: 'Talos Image Factory: catalogue cache, confirmed schematic IDs, saved schematics',
    up(db) {
      // talos_factory_catalogue: the last answer of /versions and of each version's official
      // extensions and overlays, per factory, so the builder works offline. Confirmations remember
      // the factory's ID for an offline ID (a mismatch stays visible). Saved schematics are JSON.
      db.exec(`
        CREATE TABLE talos_factory_catalogue (
          kind            TEXT NOT NULL CHECK (kind IN ('versions', 'extensions', 'overlays')),
          factory_url     TEXT NOT NULL,
          talos_version   TEXT NOT NULL DEFAULT '',
          body            TEXT NOT NULL,
          fetched_at      TEXT NOT NULL,
          PRIMARY KEY (kind, factory_url, talos_version)
        );
        CREATE TABLE talos_schematic_confirmations (
          schematic_id    TEXT NOT NULL,
          factory_url     TEXT NOT NULL,
          confirmed_id    TEXT NOT NULL,
          canonical       TEXT,
          confirmed_at    TEXT NOT NULL,
          PRIMARY KEY (schematic_id, factory_url)
        );
        CREATE TABLE talos_schematics (
          name            TEXT PRIMARY KEY COLLATE NOCASE,
          schematic       TEXT NOT NULL,
          schematic_id    TEXT NOT NULL,
          confirmed_id    TEXT,
          created_at      TEXT NOT NULL,
          updated_at      TEXT NOT NULL
        );
      `)
    },
  },
  {
    version: 5,
    name: 'cluster profiles and lifecycle runs',
    up(db) {
      // profiles: one document per cluster (no secrets in it). lifecycle_runs keep the plan and the
      // profile as they were when the run started, so a resumed or reported run is the run that was
      // started. owner_host/owner_pid and heartbeat_at tell a live run from one whose process died.
      db.exec(`
        CREATE TABLE profiles (
          id              TEXT PRIMARY KEY,
          name            TEXT NOT NULL UNIQUE,
          distribution    TEXT NOT NULL,
          document        TEXT NOT NULL,
          created_at      TEXT NOT NULL,
          updated_at      TEXT NOT NULL
        );
        CREATE TABLE lifecycle_runs (
          id               TEXT PRIMARY KEY,
          profile_id       TEXT REFERENCES profiles (id) ON DELETE SET NULL,
          profile_name     TEXT NOT NULL,
          distribution     TEXT NOT NULL,
          plan             TEXT NOT NULL,
          profile_snapshot TEXT NOT NULL,
          through_phase    TEXT NOT NULL,
          state            TEXT NOT NULL,
          created_at       TEXT NOT NULL,
          finished_at      TEXT,
          heartbeat_at     TEXT,
          owner_host       TEXT,
          owner_pid        INTEGER,
          message          TEXT
        );
        CREATE INDEX lifecycle_runs_profile ON lifecycle_runs (profile_name, created_at);
        CREATE TABLE lifecycle_steps (
          run_id          TEXT NOT NULL REFERENCES lifecycle_runs (id) ON DELETE CASCADE,
          step_id         TEXT NOT NULL,
          state           TEXT NOT NULL,
          attempts        INTEGER NOT NULL,
          started_at      TEXT,
          finished_at     TEXT,
          message         TEXT,
          output          TEXT,
          log             TEXT NOT NULL,
          PRIMARY KEY (run_id, step_id)
        );
      `)
    },
  },
  {
    version: 6,
    name: 'interrupted flashes: flashes in progress, and their BMC transfer handles',
    up(db) {
      // flash_attempts: one row per flash between its start and its outcome, owned by a process;
      // a row whose process is gone is a flash that process never finished (killed, crashed), and
      // becomes an "interrupted" history row. bmc_handle lets a later flash recognise the transfer
      // such a flash left running on the BMC. SQLite cannot widen a CHECK, so the table is rebuilt.
      db.exec(`
        CREATE TABLE flash_history_next (
          id              TEXT PRIMARY KEY,
          board_id        TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
          node            INTEGER NOT NULL CHECK (node BETWEEN 1 AND 4),
          image_sha256    TEXT,
          image_name      TEXT NOT NULL,
          image_size      INTEGER NOT NULL,
          outcome         TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'cancelled', 'interrupted')),
          verified        INTEGER NOT NULL,
          failed_phase    TEXT,
          message         TEXT,
          started_at      TEXT NOT NULL,
          finished_at     TEXT NOT NULL,
          bmc_handle      INTEGER
        );
        INSERT INTO flash_history_next (id, board_id, node, image_sha256, image_name, image_size, outcome,
            verified, failed_phase, message, started_at, finished_at)
          SELECT id, board_id, node, image_sha256, image_name, image_size, outcome, verified, failed_phase,
            message, started_at, finished_at FROM flash_history;
        DROP TABLE flash_history;
        ALTER TABLE flash_history_next RENAME TO flash_history;
        CREATE INDEX flash_history_board_node ON flash_history (board_id, node, finished_at);
        CREATE TABLE flash_attempts (
          id              TEXT PRIMARY KEY,
          board_id        TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
          node            INTEGER NOT NULL CHECK (node BETWEEN 1 AND 4),
          image_sha256    TEXT,
          image_name      TEXT NOT NULL,
          image_size      INTEGER NOT NULL,
          phase           TEXT NOT NULL,
          bmc_handle      INTEGER,
          owner_host      TEXT NOT NULL,
          owner_pid       INTEGER NOT NULL,
          started_at      TEXT NOT NULL
        );
      `)
    },
  },
  {
    version: 7,
    name: 'image holds',
    up(db) {
      // A queued or running flash holds its cached image so that no process sharing the data
      // directory (the app, a CLI) deletes or evicts it before the flash is done. owner_pid lets a
      // hold of a process that is gone be ignored (docs/image-library.md).
      db.exec(`
        CREATE TABLE image_holds (
          holder     TEXT PRIMARY KEY,
          sha256     TEXT NOT NULL,
          purpose    TEXT NOT NULL,
          owner_pid  INTEGER NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX image_holds_sha256 ON image_holds (sha256);
      `)
    },
  },
  {
    version: 8,
    name: 'lifecycle step attempts and operations',
    up(db) {
      // Runs were all deploys; plans now name their operation and a step may hold several resources.
      db.exec("ALTER TABLE lifecycle_runs ADD COLUMN operation TEXT NOT NULL DEFAULT 'deploy'")
      const plans = db.prepare('SELECT id, plan FROM lifecycle_runs').all() as Array<{
        id: string
        plan: string
      }>
      const update = db.prepare('UPDATE lifecycle_runs SET plan = ? WHERE id = ?')
      for (const { id, plan } of plans) {
        const parsed = JSON.parse(plan) as { steps: Array<{ resource?: string; resources?: string[] }> }
        for (const step of parsed.steps) {
          step.resources = step.resource ? [step.resource] : []
          delete step.resource
        }
        update.run(JSON.stringify({ operation: 'deploy', ...parsed }), id)
      }
      // A retried or resumed step keeps its earlier attempts here; lifecycle_steps holds the latest.
      db.exec(`
        CREATE TABLE lifecycle_step_attempts (
          run_id          TEXT NOT NULL,
          step_id         TEXT NOT NULL,
          attempt         INTEGER NOT NULL,
          state           TEXT NOT NULL,
          started_at      TEXT NOT NULL,
          finished_at     TEXT NOT NULL,
          message         TEXT,
          PRIMARY KEY (run_id, step_id, attempt),
          FOREIGN KEY (run_id, step_id) REFERENCES lifecycle_steps (run_id, step_id) ON DELETE CASCADE
        );
      `)
    },
  },
  {
    version: 9,
    name: 'cluster records',
    up(db) {
      // What was deployed from a profile. No secrets: artifacts are paths of sealed files
      // (src-main/secrets/sealed-secrets.ts); versions, nodes and artifacts are JSON documents.
      db.exec(`
        CREATE TABLE clusters (
          id              TEXT PRIMARY KEY,
          profile_id      TEXT UNIQUE REFERENCES profiles (id) ON DELETE SET NULL,
          profile_name    TEXT NOT NULL,
          distribution    TEXT NOT NULL,
          versions        TEXT NOT NULL,
          api_endpoint    TEXT,
          nodes           TEXT NOT NULL,
          artifacts       TEXT NOT NULL,
          last_run_id     TEXT,
          created_at      TEXT NOT NULL,
          updated_at      TEXT NOT NULL,
          destroyed_at    TEXT
        );
      `)
    },
  },
  {
    version: 10,
    name: 'board kinds, remembered keychain state, refused credentials',
    up(db) {
      // kind: a BMC on the network, or the virtual board Clusterdeck runs itself (its password is
      // the simulation's and never in the keychain). password_saved: whether the keychain holds the
      // board's password, as last seen (NULL: not asked yet), so listing boards asks the keychain
      // once rather than on every call. credentials_refused_*: the BMC refused the saved password;
      // nothing more is sent to it until the password changes (the BMC bans after five failures).
      // The virtual board the first run saved before kinds existed becomes the virtual board.
      db.exec(`
        ALTER TABLE boards ADD COLUMN kind TEXT NOT NULL DEFAULT 'bmc' CHECK (kind IN ('bmc', 'virtual'));
        ALTER TABLE boards ADD COLUMN password_saved INTEGER;
        ALTER TABLE boards ADD COLUMN credentials_refused_at TEXT;
        ALTER TABLE boards ADD COLUMN credentials_refused_message TEXT;
        UPDATE boards SET kind = 'virtual'
          WHERE name = 'Virtual board' AND address LIKE 'https://127.0.0.1:%';
      `)
    },
  },
  {
    version: 11,
    name: 'cluster readiness',
    up(db) {
      // ready_at: when a deploy's last step found every node and add-on ready; cleared when a later
      // deploy images nodes again or a destroy ends (docs/profiles-and-deploy.md).
      db.exec('ALTER TABLE clusters ADD COLUMN ready_at TEXT;')
    },
  },
  {
    version: 12,
    name: 'pinned SSH host keys',
    up(db) {
      // Trust on first use, as OpenSSH's known_hosts: one pinned key per host and port, replaced only
      // by an explicit trust (docs/ssh.md). Fingerprints are public; no secrets here.
      db.exec(`
        CREATE TABLE ssh_host_keys (
          host            TEXT NOT NULL,
          port            INTEGER NOT NULL,
          algorithm       TEXT NOT NULL,
          fingerprint     TEXT NOT NULL,
          pinned_at       TEXT NOT NULL,
          PRIMARY KEY (host, port)
        );
      `)
    },
  },
  {
    version: 13,
    name: 'step confirmation phrases',
    up(db) {
      // The phrase a failed destructive step waits for the user to type (never what was typed).
      db.exec('ALTER TABLE lifecycle_steps ADD COLUMN confirm_phrase TEXT')
    },
  },
]
