// A schematic file (YAML or JSON) → the schematic the factory would decode from it. The factory
// decodes with go-yaml into typed Go fields with KnownFields(true), so: unknown or repeated fields
// are errors; a string field takes any scalar's text ("value: 123" is the string "123"); null or
// an empty value is the zero value; META keys take 10 or 0xa but not "10"; overlay options keep
// go-yaml's own typing of plain scalars. The YAML syntax itself is parsed by the caller into
// DocNodes, so this module stays free of any parser.
import { parseGoIntegerText, resolvePlain } from './go-yaml.ts'
import { schematicSchema, type OptionValue, type Schematic } from './schematic.ts'

export type DocNode =
  | {
      kind: 'scalar'
      /** The scalar's content, exactly as go-yaml's Node.Value holds it. */
      value: string
      /** Quoted, a block scalar, or tagged !!str: never resolved to a bool, number or null. */
      quoted: boolean
      line?: number
    }
  | { kind: 'map'; entries: Array<[DocNode, DocNode]>; line?: number }
  | { kind: 'seq'; items: DocNode[]; line?: number }

export interface DecodedSchematic {
  schematic: Schematic
  /** Reasons the offline ID may differ from the factory's (e.g. a timestamp-like option value). */
  uncertain: string[]
}

export class SchematicDocumentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SchematicDocumentError'
  }
}

type Fields = Record<string, (node: DocNode, path: string) => unknown>

/** Decodes the first document of a schematic file; null is an empty document. */
export function decodeSchematicDocument(root: DocNode | null): DecodedSchematic {
  const uncertain: string[] = []
  const overlayFields: Fields = {
    image: stringField,
    name: stringField,
    options: (node, path) => (isNull(node) ? undefined : optionMap(node, path, uncertain)),
  }
  const customizationFields: Fields = {
    embeddedMachineConfiguration: stringField,
    extraKernelArgs: (node, path) => list(node, path, stringField),
    meta: (node, path) =>
      list(node, path, (item, itemPath) => {
        // A missing or null key or value is Go's zero value: key 0, value "".
        const fields = struct(item, itemPath, { key: uint8Field, value: stringField }, 'schematic.MetaValue')
        return { key: fields?.key ?? 0, value: fields?.value ?? '' }
      }),
    systemExtensions: (node, path) =>
      struct(
        node,
        path,
        { officialExtensions: (n, p) => list(n, p, stringField) },
        'schematic.SystemExtensions',
      ),
    bootloader: (node, path) => enumField(node, path, ['none', 'dual-boot', 'sd-boot', 'grub']),
    secureboot: (node, path) =>
      struct(
        node,
        path,
        {
          enrollKeys: (n, p) => enumField(n, p, ['if-safe', 'manual', 'force', 'off']),
          includeWellKnownCertificates: boolField,
        },
        'schematic.SecureBoot',
      ),
    diskImage: (node, path) => struct(node, path, { sectorSize: uintField }, 'schematic.DiskImage'),
  }
  const decoded =
    root === null || isNull(root)
      ? {}
      : struct(
          root,
          '',
          {
            owner: (_node, path) => {
              throw new SchematicDocumentError(
                `${path}: "owner" is only accepted by Enterprise factories; the public factory refuses it`,
              )
            },
            overlay: (node, path) => struct(node, path, overlayFields, 'schematic.Overlay'),
            customization: (node, path) => struct(node, path, customizationFields, 'schematic.Customization'),
          },
          'schematic.Schematic',
        )
  const parsed = schematicSchema.safeParse(stripUndefined(decoded))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new SchematicDocumentError(`${issue.path.join('.')}: ${issue.message}`)
  }
  return { schematic: parsed.data, uncertain: [...new Set(uncertain)] }
}

function where(node: DocNode, path: string): string {
  const field = path === '' ? 'the document' : path
  return node.line === undefined ? field : `${field} (line ${node.line})`
}

function isNull(node: DocNode): boolean {
  return node.kind === 'scalar' && !node.quoted && resolvePlain(node.value).tag === 'null'
}

function kindName(node: DocNode): string {
  if (node.kind === 'map') return 'a mapping'
  if (node.kind === 'seq') return 'a list'
  return `"${node.value}"`
}

function struct(
  node: DocNode,
  path: string,
  fields: Fields,
  typeName: string,
): Record<string, unknown> | undefined {
  if (isNull(node)) return undefined
  if (node.kind !== 'map') {
    throw new SchematicDocumentError(
      `${where(node, path)}: expected a mapping (${typeName}), found ${kindName(node)}`,
    )
  }
  const out: Record<string, unknown> = {}
  const seen = new Set<string>()
  for (const [keyNode, valueNode] of node.entries) {
    if (keyNode.kind !== 'scalar')
      throw new SchematicDocumentError(`${where(keyNode, path)}: a key must be text`)
    const key = keyNode.value
    const fieldPath = path === '' ? key : `${path}.${key}`
    const decode = Object.hasOwn(fields, key) ? fields[key] : undefined
    if (!decode) {
      const known = Object.keys(fields).filter((f) => f !== 'owner')
      throw new SchematicDocumentError(
        `${where(keyNode, fieldPath)}: field ${key} not found in type ${typeName} (known: ${known.join(', ')})`,
      )
    }
    if (seen.has(key))
      throw new SchematicDocumentError(`${where(keyNode, fieldPath)}: field ${key} is set twice`)
    seen.add(key)
    out[key] = decode(valueNode, fieldPath)
  }
  return out
}

function list<T>(node: DocNode, path: string, decode: (item: DocNode, path: string) => T): T[] | undefined {
  if (isNull(node)) return undefined
  if (node.kind !== 'seq')
    throw new SchematicDocumentError(`${where(node, path)}: expected a list, found ${kindName(node)}`)
  return node.items.map((item, i) => decode(item, `${path}[${i}]`))
}

function stringField(node: DocNode, path: string): string | undefined {
  if (node.kind !== 'scalar')
    throw new SchematicDocumentError(`${where(node, path)}: expected text, found ${kindName(node)}`)
  return isNull(node) ? undefined : node.value
}

function integer(
  node: DocNode,
  path: string,
  min: bigint,
  max: bigint,
  typeName: string,
): number | undefined {
  if (isNull(node)) return undefined
  if (node.kind === 'scalar' && !node.quoted) {
    const tag = resolvePlain(node.value).tag
    const value = tag === 'int' ? parseGoIntegerText(node.value) : null
    if (value !== null && value >= min && value <= max) return Number(value)
  }
  throw new SchematicDocumentError(
    `${where(node, path)}: cannot use ${kindName(node)}${node.kind === 'scalar' && node.quoted ? ' (quoted)' : ''} as ${typeName}`,
  )
}

function uint8Field(node: DocNode, path: string): number | undefined {
  return integer(node, path, 0n, 255n, 'a META key (a number 0–255, e.g. 10 or 0xa)')
}

function uintField(node: DocNode, path: string): number | undefined {
  return integer(node, path, 0n, BigInt(Number.MAX_SAFE_INTEGER), 'a whole number')
}

// go-yaml accepts the YAML 1.1 spellings when the Go field is a bool.
const trueWords = new Set(['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'])
const falseWords = new Set(['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'])

function boolField(node: DocNode, path: string): boolean | undefined {
  if (isNull(node)) return undefined
  if (node.kind === 'scalar') {
    const literal = !node.quoted && (node.value === 'true' || node.value === 'True' || node.value === 'TRUE')
    const literalFalse =
      !node.quoted && (node.value === 'false' || node.value === 'False' || node.value === 'FALSE')
    if (literal || literalFalse) return literal
    if (!['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].includes(node.value)) {
      if (trueWords.has(node.value)) return true
      if (falseWords.has(node.value)) return false
    }
  }
  throw new SchematicDocumentError(`${where(node, path)}: cannot use ${kindName(node)} as true or false`)
}

/** The factory's enums unmarshal from text, matching names without regard to case. */
function enumField(node: DocNode, path: string, names: readonly string[]): string | undefined {
  if (isNull(node)) return undefined
  if (node.kind === 'scalar') {
    const name = names.find((n) => n === node.value.toLowerCase())
    if (name) return name
  }
  throw new SchematicDocumentError(
    `${where(node, path)}: must be one of ${names.join(', ')}, found ${kindName(node)}`,
  )
}

function optionMap(node: DocNode, path: string, uncertain: string[]): Record<string, OptionValue> {
  if (node.kind !== 'map')
    throw new SchematicDocumentError(`${where(node, path)}: expected a mapping, found ${kindName(node)}`)
  const out: Record<string, OptionValue> = {}
  for (const [keyNode, valueNode] of node.entries) {
    if (keyNode.kind !== 'scalar')
      throw new SchematicDocumentError(`${where(keyNode, path)}: a key must be text`)
    const key = isNull(keyNode) ? '' : keyNode.value
    if (Object.hasOwn(out, key))
      throw new SchematicDocumentError(`${where(keyNode, path)}: key "${key}" is set twice`)
    out[key] = optionValue(valueNode, `${path}.${key}`, uncertain)
  }
  return out
}

function optionValue(node: DocNode, path: string, uncertain: string[]): OptionValue {
  if (node.kind === 'map') return optionMap(node, path, uncertain)
  if (node.kind === 'seq') return node.items.map((item, i) => optionValue(item, `${path}[${i}]`, uncertain))
  if (node.quoted) return node.value
  const resolved = resolvePlain(node.value)
  if (resolved.uncertain) uncertain.push(resolved.uncertain)
  switch (resolved.tag) {
    case 'null':
      return null
    case 'bool':
      return node.value.toLowerCase() === 'true'
    case 'int': {
      const value = parseGoIntegerText(node.value)!
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new SchematicDocumentError(
          `${where(node, path)}: ${node.value} is too large to keep exactly; quote it`,
        )
      }
      return Number(value)
    }
    case 'float': {
      if (/^[-+]?\.(inf|nan)$/i.test(node.value) || node.value === '-0' || node.value === '-0.0') {
        uncertain.push(`${path}: a special float value`)
      }
      const value = Number(node.value.replaceAll('_', ''))
      // An integral float and an integer print alike in Go only below 1e6 (1e+06 vs 1000000).
      if (Number.isInteger(value) && Math.abs(value) >= 1e6)
        uncertain.push(`${path}: a large float written as ${node.value}`)
      return value
    }
    case 'timestamp':
      uncertain.push(`${path}: a timestamp (go-yaml rewrites it)`)
      return node.value
    default:
      return node.value
  }
}

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, stripUndefined(v)]),
    )
  }
  return value
}
