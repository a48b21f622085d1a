// The Talos Image Factory's HTTP API (talos.md §1.1, §1.5): versions, official extensions and
// overlays, and POST /schematics. Every call has a timeout; every answer is checked; every failure
// is a typed AppError carrying the factory's own plain-text message. Downloading images is the
// image library's job (images.pull); this client only names them.
import { errors as undiciErrors, request, type Dispatcher } from 'undici'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { factoryExtensionSchema, factoryOverlaySchema } from '../../src-shared/contract/talos-factory.ts'
import {
  defaultFactoryUrl,
  factoryBase,
  imageUrl,
  normalizeTalosVersion,
  type ImageRequest,
} from '../../src-shared/talos/factory-urls.ts'

// The factory's JSON, with the contract's shapes; fields it leaves out read as empty.
const wireExtension = factoryExtensionSchema.extend({
  ref: z.string().default(''),
  digest: z.string().default(''),
  author: z.string().default(''),
  description: z.string().default(''),
})
const wireOverlay = factoryOverlaySchema.extend({
  image: z.string().default(''),
  ref: z.string().default(''),
  digest: z.string().default(''),
})
export type FactoryExtension = z.infer<typeof factoryExtensionSchema>
export type FactoryOverlay = z.infer<typeof factoryOverlaySchema>

const schematicAnswerSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  schematic: z.string().optional(),
})

export interface TalosFactoryClientOptions {
  baseUrl?: string
  timeoutMs?: number
  /** Tests pass their own undici dispatcher; production uses the global one. */
  dispatcher?: Dispatcher
}

export class TalosFactoryClient {
  readonly baseUrl: string
  private readonly timeoutMs: number
  private readonly dispatcher: Dispatcher | undefined

  constructor(options: TalosFactoryClientOptions = {}) {
    this.baseUrl = factoryBase(options.baseUrl ?? defaultFactoryUrl)
    this.timeoutMs = options.timeoutMs ?? 20_000
    this.dispatcher = options.dispatcher
  }

  /** The Talos versions the factory builds, as it lists them (v-prefixed). */
  async versions(): Promise<string[]> {
    return this.getJson('list the Talos versions', '/versions', z.array(z.string()))
  }

  async extensions(version: string): Promise<FactoryExtension[]> {
    const v = normalizeTalosVersion(version)
    return this.getJson(
      `list the official extensions for Talos ${v}`,
      `/version/${v}/extensions/official`,
      z.array(wireExtension),
    )
  }

  async overlays(version: string): Promise<FactoryOverlay[]> {
    const v = normalizeTalosVersion(version)
    return this.getJson(
      `list the overlays for Talos ${v}`,
      `/version/${v}/overlays/official`,
      z.array(wireOverlay),
    )
  }

  /** POST /schematics: the factory's ID and the canonical YAML it hashed. */
  async postSchematic(yaml: string): Promise<{ id: string; schematic: string | null }> {
    const { status, text } = await this.send('register the schematic', 'POST', '/schematics', {
      body: yaml,
      headers: { 'content-type': 'application/yaml' },
    })
    if (status !== 201 && status !== 200) throw this.statusError('register the schematic', status, text)
    const answer = schematicAnswerSchema.safeParse(parseJson(text))
    if (!answer.success) throw unexpected('register the schematic', this.baseUrl)
    return { id: answer.data.id, schematic: answer.data.schematic ?? null }
  }

  imageUrl(request: Omit<ImageRequest, 'factoryUrl'>): string {
    return imageUrl({ ...request, factoryUrl: this.baseUrl })
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private async getJson<T>(what: string, path: string, schema: z.ZodType<T>): Promise<T> {
    const { status, text } = await this.send(what, 'GET', path, {})
    if (status !== 200) throw this.statusError(what, status, text)
    const parsed = schema.safeParse(parseJson(text))
    if (!parsed.success) throw unexpected(what, this.baseUrl)
    return parsed.data
  }

  private async send(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    options: { body?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; text: string }> {
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs * 2),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        ...(options.body === undefined ? {} : { body: options.body }),
        headers: { accept: 'application/json', ...options.headers },
      })
      return { status: response.statusCode, text: await response.body.text() }
    } catch (error) {
      throw this.transportError(what, error)
    }
  }

  /** The factory answers errors as plain text (http.Error); the status says whose fault it is. */
  private statusError(what: string, status: number, text: string): AppError {
    const said = text.trim().split('\n')[0]?.slice(0, 500) || '(no message)'
    const details = { status: String(status), factory: this.baseUrl }
    if (status === 400) {
      return new AppError(
        'invalid_input',
        `The Image Factory could not ${what}: ${said}`,
        'The factory refused the request itself: check the schematic fields and names (talos.md §2.5).',
        details,
      )
    }
    if (status === 404) {
      return new AppError(
        'not_found',
        `The Image Factory could not ${what}: ${said} (HTTP 404).`,
        'Check the Talos version: the factory only knows the versions it lists.',
        details,
      )
    }
    if (status === 401 || status === 402 || status === 403) {
      return new AppError(
        'factory_error',
        `The Image Factory at ${this.baseUrl} refused to ${what}: ${said} (HTTP ${status}).`,
        'This looks like an Enterprise factory that needs authentication; use the public factory or sign in there.',
        details,
      )
    }
    return new AppError(
      'factory_error',
      `The Image Factory at ${this.baseUrl} failed to ${what}: ${said} (HTTP ${status}).`,
      status >= 500 ? 'The factory had a problem of its own; try again in a few minutes.' : undefined,
      details,
    )
  }

  private transportError(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error
    const seconds = `${this.timeoutMs / 1000} s`
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      (error as Error).name === 'TimeoutError'
    ) {
      return new AppError(
        'timeout',
        `The Image Factory at ${this.baseUrl} did not answer within ${seconds} when asked to ${what}.`,
        'The factory may be busy; try again. Cached versions and extensions keep working meanwhile.',
      )
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const code = (error as { code?: string }).code ?? cause?.code ?? ''
    const reason = code || cause?.message || (error as Error).message || String(error)
    return new AppError(
      'network_unreachable',
      `Could not reach the Image Factory at ${this.baseUrl} to ${what} (${reason}).`,
      'Check the internet connection. Schematic IDs are still computed offline, and cached versions and extensions stay available.',
    )
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function unexpected(what: string, baseUrl: string): AppError {
  return new AppError(
    'factory_error',
    `The Image Factory at ${baseUrl} gave an answer Clusterdeck does not understand when asked to ${what}.`,
    'Check the factory URL: it should be an Image Factory such as https://factory.talos.dev.',
  )
}
