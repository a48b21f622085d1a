// Reads a schematic file (YAML, or JSON, which is YAML too) the way the factory's POST does: the
// YAML syntax here with the `yaml` package (failsafe schema, so every scalar keeps its exact text),
// the go-yaml typing rules in src-shared/talos/schematic-document.ts.
import { readFile } from 'node:fs/promises'
import { Alias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlAstNode } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  decodeSchematicDocument,
  SchematicDocumentError,
  type DecodedSchematic,
  type DocNode,
} from '../../src-shared/talos/schematic-document.ts'

const hint = 'Check the file against docs/talos-images.md (the factory refuses unknown fields too).'

export function parseSchematicText(text: string, label: string): DecodedSchematic {
  const lines = new LineCounter()
  // go-yaml's Decoder.Decode reads the first document only; so does the factory.
  const [document] = parseAllDocuments(text, {
    schema: 'failsafe',
    lineCounter: lines,
    uniqueKeys: true,
    merge: false,
  })
  if (!document || !('contents' in document)) {
    return decodeSchematicDocument(null)
  }
  const problem = document.errors[0]
  if (problem)
    throw new AppError('invalid_input', `${label} is not valid YAML: ${problem.message.split('\n')[0]}`, hint)
  try {
    const root =
      document.contents === null ? null : toDocNode(document.contents as YamlAstNode, document, lines, 0)
    return decodeSchematicDocument(root)
  } catch (error) {
    if (error instanceof SchematicDocumentError)
      throw new AppError('invalid_input', `${label}: ${error.message}`, hint)
    throw error
  }
}

export async function readSchematicFile(path: string): Promise<DecodedSchematic> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new AppError(
      'not_found',
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  return parseSchematicText(text, path)
}

type YamlDocument = ReturnType<typeof parseAllDocuments>[number]

function toDocNode(node: YamlAstNode, doc: YamlDocument, lines: LineCounter, depth: number): DocNode {
  if (depth > 64) throw new SchematicDocumentError('the document nests too deeply')
  const line = node.range ? lines.linePos(node.range[0]).line : undefined
  const at = line === undefined ? {} : { line }
  if (node instanceof Alias) {
    const target = node.resolve(doc as never)
    if (!target) throw new SchematicDocumentError(`the alias *${node.source} has no anchor`)
    return toDocNode(target as YamlAstNode, doc, lines, depth + 1)
  }
  if (node.tag && node.tag !== 'tag:yaml.org,2002:str' && !(isMap(node) || isSeq(node))) {
    throw new SchematicDocumentError(`line ${line}: the tag ${node.tag} is not supported in a schematic`)
  }
  if (isScalar(node)) {
    const quoted = node.type !== 'PLAIN' || node.tag === 'tag:yaml.org,2002:str'
    return { kind: 'scalar', value: String(node.value), quoted, ...at }
  }
  if (isMap(node)) {
    return {
      kind: 'map',
      entries: node.items.map((pair) => [
        pair.key === null
          ? { kind: 'scalar', value: '', quoted: false }
          : toDocNode(pair.key as YamlAstNode, doc, lines, depth + 1),
        pair.value === null
          ? { kind: 'scalar', value: '', quoted: false }
          : toDocNode(pair.value as YamlAstNode, doc, lines, depth + 1),
      ]),
      ...at,
    }
  }
  if (isSeq(node)) {
    return {
      kind: 'seq',
      items: node.items.map((item) => toDocNode(item as YamlAstNode, doc, lines, depth + 1)),
      ...at,
    }
  }
  throw new SchematicDocumentError(`line ${line}: unexpected YAML content`)
}
