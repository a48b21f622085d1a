// Merging a cluster's kubeconfig or talosconfig into the user's own config file, as text in and
// text out (reading and writing the file is cluster-access.ts's). The cluster goes in under a
// context named after it — in a kubeconfig its cluster and user entries get the same name — and
// every other entry, the current context, the order and the comments of the file stay as they
// were; a file without a current context gets this one. A name already holding something else is
// never overwritten silently: the caller chooses refuse (a `conflict` error naming the context),
// replace, or rename (the first free "<name>-N"). The same config already present under the name
// (or a renamed one) changes nothing.
import { isDeepStrictEqual } from 'node:util'
import { isMap, isScalar, isSeq, parse, parseDocument, type Document, type Node as YamlNode } from 'yaml'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ConfigKind, MergeOutcome } from '../../src-shared/contract/clusters.ts'

export type OnConflict = 'refuse' | 'replace' | 'rename'

export interface MergeInput {
  kind: ConfigKind
  /** The user's file as it is, or null when there is none yet. */
  existing: string | null
  /** The cluster's config, as sealed. */
  incoming: string
  /** The context name to use: the cluster's. */
  name: string
  onConflict: OnConflict
  /** The file, for messages. */
  path: string
}

export interface MergeResult {
  /** The file's new text; null when nothing changes. */
  text: string | null
  context: string
  outcome: MergeOutcome
}

/** What one name holds, by section of the file ("clusters", "users", "contexts"). */
type Entries = Record<string, unknown>

interface ConfigShape {
  /** The sections holding named entries, and whether each is a list of {name, …} or a map. */
  sections: Record<string, 'list' | 'map'>
  /** The cluster's entries under `name`: what the merge writes. */
  entries(name: string): Entries
  currentContextKey: string
  empty: Record<string, unknown>
  /** kubectl writes lists unindented, talosctl indented. */
  indentSeq: boolean
}

export function mergeConfig(input: MergeInput): MergeResult {
  const shape =
    input.kind === 'kubeconfig' ? kubeconfigShape(input.incoming) : talosconfigShape(input.incoming)
  const document: Document = parseDocument(input.existing ?? '')
  const error = document.errors[0]
  // Only the position: the parser's message quotes the line, and the line may hold a key.
  if (error) throw unusable(input, `is not valid YAML (line ${error.linePos?.[0].line ?? '?'})`)
  if (document.contents === null) document.contents = document.createNode(shape.empty)
  if (!isMap(document.contents)) throw unusable(input, `is not a ${input.kind}: it holds no mapping`)
  for (const [section, kind] of Object.entries(shape.sections)) {
    const node = document.get(section, true)
    if (node !== undefined && !isNull(node) && !(kind === 'list' ? isSeq(node) : isMap(node)))
      throw unusable(input, `has a "${section}" that is not a ${kind}`)
  }

  const present = (name: string): Entries => {
    const found: Entries = {}
    for (const [section, kind] of Object.entries(shape.sections)) {
      const node = find(document, section, kind, name)
      if (node) found[section] = node.toJS(document)
    }
    return found
  }
  // Replace means "under the cluster's own name": a renamed copy elsewhere does not count.
  const lastTried = input.onConflict === 'replace' ? 1 : Infinity
  let free: string | undefined
  for (let n = 1; free === undefined && n <= lastTried; n++) {
    const candidate = n === 1 ? input.name : `${input.name}-${n}`
    const held = present(candidate)
    if (Object.keys(held).length === 0) free = candidate
    else if (isDeepStrictEqual(held, shape.entries(candidate)))
      return { text: null, context: candidate, outcome: 'unchanged' }
  }

  let context = input.name
  let outcome: MergeOutcome = 'added'
  if (free !== input.name) {
    if (input.onConflict === 'refuse') throw conflict(input)
    if (input.onConflict === 'rename' && free) [context, outcome] = [free, 'renamed']
    else outcome = 'replaced'
  }
  const entries = shape.entries(context)
  for (const [section, kind] of Object.entries(shape.sections))
    write(document, section, kind, context, entries[section])
  const current = document.get(shape.currentContextKey)
  if (typeof current !== 'string' || current === '') document.set(shape.currentContextKey, context)
  return { text: document.toString({ lineWidth: 0, indentSeq: shape.indentSeq }), context, outcome }
}

/** The node holding `name` in a section, or undefined. */
function find(document: Document, section: string, kind: 'list' | 'map', name: string): YamlNode | undefined {
  const node = document.get(section, true)
  if (kind === 'map') return isMap(node) ? (node.get(name, true) as YamlNode | undefined) : undefined
  return isSeq(node)
    ? (node.items.find((item) => isMap(item) && item.get('name') === name) as YamlNode)
    : undefined
}

/** Puts the entry in place of the one named `name`, or at the end of the section. */
function write(
  document: Document,
  section: string,
  kind: 'list' | 'map',
  name: string,
  entry: unknown,
): void {
  let node = document.get(section, true)
  if (node === undefined || isNull(node)) {
    node = document.createNode(kind === 'list' ? [] : {})
    document.set(section, node)
  }
  const created = document.createNode(entry)
  if (isMap(node)) return node.set(name, created)
  if (!isSeq(node)) return
  const at = node.items.findIndex((item) => isMap(item) && item.get('name') === name)
  if (at >= 0) node.items[at] = created
  else node.items.push(created)
}

function isNull(node: unknown): boolean {
  return isScalar(node) && node.value === null
}

function conflict({ kind, name, path }: MergeInput): AppError {
  const what = kind === 'kubeconfig' ? 'context, cluster and user entries' : 'context'
  const holder = kind === 'kubeconfig' ? 'a context, cluster or user' : 'a context'
  return new AppError(
    'conflict',
    `${path} already has ${holder} "${name}" that is not this cluster's ${kind}: the file was left as it was.`,
    `Replace it (the ${what} named "${name}" are overwritten), or keep both (this cluster goes in as "${name}-2" or the next free name).`,
    { context: name, path },
  )
}

function unusable({ path }: MergeInput, problem: string): AppError {
  return new AppError(
    'invalid_input',
    `${path} ${problem}: the file was left as it was.`,
    `Fix or move ${path}, or merge into another file.`,
  )
}

// --- the cluster's configs, as talosctl writes them ---

const kubeconfigSchema = z.looseObject({
  'current-context': z.string().optional(),
  clusters: z.array(z.object({ name: z.string(), cluster: z.record(z.string(), z.unknown()) })),
  users: z.array(z.object({ name: z.string(), user: z.record(z.string(), z.unknown()) })),
  contexts: z.array(
    z.object({ name: z.string(), context: z.looseObject({ cluster: z.string(), user: z.string() }) }),
  ),
})

const talosconfigSchema = z.looseObject({
  context: z.string().optional(),
  contexts: z.record(
    z.string(),
    z.looseObject({
      endpoints: z.array(z.string()),
      nodes: z.array(z.string()).optional(),
      ca: z.string(),
      crt: z.string(),
      key: z.string(),
    }),
  ),
})

function kubeconfigShape(incoming: string): ConfigShape {
  const config = parseIncoming('kubeconfig', incoming, kubeconfigSchema)
  const contextName =
    config['current-context'] || (config.contexts.length === 1 ? config.contexts[0]!.name : undefined)
  const context = config.contexts.find((entry) => entry.name === contextName)?.context
  const cluster = config.clusters.find((entry) => entry.name === context?.cluster)?.cluster
  const user = config.users.find((entry) => entry.name === context?.user)?.user
  if (!context || !cluster || !user)
    throw badIncoming('kubeconfig', `its current context "${contextName ?? ''}" is incomplete`)
  return {
    sections: { clusters: 'list', users: 'list', contexts: 'list' },
    entries: (name) => ({
      clusters: { name, cluster },
      users: { name, user },
      contexts: { name, context: { ...context, cluster: name, user: name } },
    }),
    currentContextKey: 'current-context',
    empty: { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], preferences: {} },
    indentSeq: false,
  }
}

function talosconfigShape(incoming: string): ConfigShape {
  const config = parseIncoming('talosconfig', incoming, talosconfigSchema)
  const names = Object.keys(config.contexts)
  const contextName = config.context || (names.length === 1 ? names[0]! : '')
  const context = config.contexts[contextName]
  if (!context) throw badIncoming('talosconfig', `it has no context "${contextName}"`)
  return {
    sections: { contexts: 'map' },
    entries: () => ({ contexts: context }),
    currentContextKey: 'context',
    empty: { context: '', contexts: {} },
    indentSeq: true,
  }
}

function parseIncoming<T>(kind: ConfigKind, text: string, schema: z.ZodType<T>): T {
  let value: unknown
  try {
    value = parse(text)
  } catch {
    throw badIncoming(kind, 'it is not valid YAML')
  }
  const parsed = schema.safeParse(value)
  // The issues' paths only, never the values: they hold the client key.
  if (!parsed.success)
    throw badIncoming(kind, `it lacks ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`)
  return parsed.data
}

/** The config the cluster handed out is not what talosctl writes: said plainly, nothing quoted. */
function badIncoming(kind: ConfigKind, problem: string): AppError {
  return new AppError(
    'invalid_input',
    `The cluster's sealed ${kind} cannot be merged: ${problem}.`,
    'Download it instead and look at it, or run the deploy again to seal a new one.',
  )
}
