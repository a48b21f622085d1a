// The Image Factory behind the contract: the catalogue cached in SQLite (so versions and extensions
// stay available offline, with a word on what could not be fetched), schematic IDs computed offline
// and confirmed by the factory, and saved schematics.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ResolvedSchematic, SavedSchematic } from '../../src-shared/contract/talos-factory.ts'
import {
  compareTalosVersions,
  imageUrl,
  installerImage,
  isPrerelease,
  normalizeTalosVersion,
  type TalosArch,
} from '../../src-shared/talos/factory-urls.ts'
import {
  canonicalSchematic,
  schematicSchema,
  sha256Hex,
  type Schematic,
} from '../../src-shared/talos/schematic.ts'
import type { Db } from '../store/database.ts'
import type { TalosFactoryClient } from './talos-factory-client.ts'

type CatalogueKind = 'versions' | 'extensions' | 'overlays'

/** How long a fetched catalogue is fresh enough not to ask again. */
const freshForMs = 6 * 60 * 60 * 1000

interface CatalogueAnswer<T> {
  value: T
  source: 'factory' | 'cache'
  fetchedAt: string | null
  unavailable: string | null
}

interface SchematicRow {
  name: string
  schematic: string
  schematic_id: string
  confirmed_id: string | null
  created_at: string
  updated_at: string
}

export interface ResolveRequest {
  schematic: Schematic
  talosVersion?: string | undefined
  arch?: TalosArch | undefined
  platform?: string | undefined
  confirm?: 'always' | 'if-uncertain' | 'never' | undefined
}

export class TalosFactoryService {
  private readonly db: Db
  private readonly client: TalosFactoryClient
  private readonly now: () => Date

  constructor(db: Db, client: TalosFactoryClient, now: () => Date = () => new Date()) {
    this.db = db
    this.client = client
    this.now = now
  }

  get factoryUrl(): string {
    return this.client.baseUrl
  }

  async versions(refresh = false) {
    const { value, ...source } = await this.catalogue('versions', '', refresh, () => this.client.versions())
    const versions = value
      .filter((v) => safeVersion(v) !== null)
      .sort((a, b) => compareTalosVersions(b, a))
      .map((version) => ({ version, prerelease: isPrerelease(version) }))
    return { versions, ...source }
  }

  async extensions(version: string, refresh = false) {
    const v = versionOrThrow(version)
    const { value, ...source } = await this.catalogue('extensions', v, refresh, () =>
      this.client.extensions(v),
    )
    return { version: v, extensions: value, ...source }
  }

  async overlays(version: string, refresh = false) {
    const v = versionOrThrow(version)
    const { value, ...source } = await this.catalogue('overlays', v, refresh, () => this.client.overlays(v))
    return { version: v, overlays: value, ...source }
  }

  async resolve(request: ResolveRequest): Promise<ResolvedSchematic> {
    const canonical = canonicalSchematic(request.schematic)
    const id = await sha256Hex(canonical.yaml)
    const mode = request.confirm ?? 'always'
    let confirmedId: string | null = null
    let factoryYaml: string | null = null
    let factoryProblem: string | null = null
    if (mode === 'always' || (mode === 'if-uncertain' && canonical.uncertain.length > 0)) {
      const remembered = this.rememberedConfirmation(id)
      if (remembered) {
        confirmedId = remembered.confirmed_id
        factoryYaml = remembered.canonical
      } else {
        try {
          const answer = await this.client.postSchematic(canonical.yaml)
          confirmedId = answer.id
          factoryYaml = answer.schematic
          this.rememberConfirmation(id, answer.id, answer.schematic)
        } catch (error) {
          // A schematic the factory refuses is the caller's problem; an unreachable factory is not.
          if (!(error instanceof AppError) || error.code === 'invalid_input') throw error
          factoryProblem = error.message
        }
      }
    }
    const effectiveId = confirmedId ?? id
    const urls = this.urls(request, effectiveId)
    return {
      id,
      yaml: canonical.yaml,
      uncertain: canonical.uncertain,
      confirmedId,
      factoryYaml,
      mismatch: confirmedId !== null && confirmedId !== id,
      offline: factoryProblem !== null,
      factoryProblem,
      effectiveId,
      ...urls,
    }
  }

  listSchematics(): SavedSchematic[] {
    const rows = this.db
      .prepare('SELECT * FROM talos_schematics ORDER BY name COLLATE NOCASE')
      .all() as SchematicRow[]
    return rows.map(toSaved)
  }

  async saveSchematic(name: string, schematic: Schematic): Promise<SavedSchematic> {
    const resolved = await this.resolve({ schematic, confirm: 'always' })
    const now = this.now().toISOString()
    this.db
      .prepare(
        `INSERT INTO talos_schematics (name, schematic, schematic_id, confirmed_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET schematic = excluded.schematic, schematic_id = excluded.schematic_id,
           confirmed_id = excluded.confirmed_id, updated_at = excluded.updated_at`,
      )
      .run(name.trim(), JSON.stringify(schematic), resolved.id, resolved.confirmedId, now, now)
    const row = this.db
      .prepare('SELECT * FROM talos_schematics WHERE name = ?')
      .get(name.trim()) as SchematicRow
    return toSaved(row)
  }

  removeSchematic(name: string): { removed: boolean } {
    return {
      removed: this.db.prepare('DELETE FROM talos_schematics WHERE name = ?').run(name.trim()).changes > 0,
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private urls(request: ResolveRequest, id: string): Pick<ResolvedSchematic, 'imageUrl' | 'installerImage'> {
    if (!request.talosVersion || !request.arch) return { imageUrl: null, installerImage: null }
    const talosVersion = versionOrThrow(request.talosVersion)
    const sbc = Boolean(request.schematic.overlay?.name)
    if (sbc && request.arch !== 'arm64') {
      throw new AppError(
        'invalid_input',
        `The schematic selects the board "${request.schematic.overlay!.name}", whose images exist only for arm64.`,
        'Choose --arch arm64, or remove the overlay for a generic amd64 image.',
      )
    }
    const platform = request.platform ?? 'metal'
    return {
      imageUrl: imageUrl({
        schematicId: id,
        talosVersion,
        arch: request.arch,
        platform,
        sbc,
        factoryUrl: this.client.baseUrl,
      }),
      installerImage: installerImage({
        schematicId: id,
        talosVersion,
        platform,
        factoryUrl: this.client.baseUrl,
      }),
    }
  }

  private async catalogue<T>(
    kind: CatalogueKind,
    version: string,
    refresh: boolean,
    fetch: () => Promise<T>,
  ): Promise<CatalogueAnswer<T>> {
    const cached = this.db
      .prepare(
        'SELECT body, fetched_at FROM talos_factory_catalogue WHERE kind = ? AND factory_url = ? AND talos_version = ?',
      )
      .get(kind, this.client.baseUrl, version) as { body: string; fetched_at: string } | undefined
    if (cached && !refresh && this.now().getTime() - Date.parse(cached.fetched_at) < freshForMs) {
      return {
        value: JSON.parse(cached.body) as T,
        source: 'cache',
        fetchedAt: cached.fetched_at,
        unavailable: null,
      }
    }
    try {
      const value = await fetch()
      const fetchedAt = this.now().toISOString()
      this.db
        .prepare(
          `INSERT INTO talos_factory_catalogue (kind, factory_url, talos_version, body, fetched_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, factory_url, talos_version) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at`,
        )
        .run(kind, this.client.baseUrl, version, JSON.stringify(value), fetchedAt)
      return { value, source: 'factory', fetchedAt, unavailable: null }
    } catch (error) {
      const offline =
        error instanceof AppError && ['network_unreachable', 'timeout', 'factory_error'].includes(error.code)
      if (!offline) throw error
      const what = kind === 'versions' ? 'the Talos versions' : `the ${kind} for Talos ${version}`
      if (!cached) {
        throw new AppError(
          error.code,
          `${error.message} Clusterdeck has never fetched ${what}, so it has no copy to show.`,
          error.hint,
        )
      }
      return {
        value: JSON.parse(cached.body) as T,
        source: 'cache',
        fetchedAt: cached.fetched_at,
        unavailable: `Could not fetch ${what} (${error.message}); showing the copy from ${cached.fetched_at}.`,
      }
    }
  }

  private rememberedConfirmation(id: string): { confirmed_id: string; canonical: string | null } | undefined {
    return this.db
      .prepare(
        'SELECT confirmed_id, canonical FROM talos_schematic_confirmations WHERE schematic_id = ? AND factory_url = ?',
      )
      .get(id, this.client.baseUrl) as { confirmed_id: string; canonical: string | null } | undefined
  }

  private rememberConfirmation(id: string, confirmedId: string, canonical: string | null): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO talos_schematic_confirmations (schematic_id, factory_url, confirmed_id, canonical, confirmed_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(id, this.client.baseUrl, confirmedId, canonical, this.now().toISOString())
  }
}

function toSaved(row: SchematicRow): SavedSchematic {
  return {
    name: row.name,
    schematic: schematicSchema.parse(JSON.parse(row.schematic)),
    id: row.schematic_id,
    confirmedId: row.confirmed_id,
    mismatch: row.confirmed_id !== null && row.confirmed_id !== row.schematic_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function safeVersion(version: string): string | null {
  try {
    return normalizeTalosVersion(version)
  } catch {
    return null
  }
}

function versionOrThrow(version: string): string {
  const v = safeVersion(version)
  if (!v) throw new AppError('invalid_input', `"${version}" is not a Talos version such as v1.9.2.`)
  return v
}
