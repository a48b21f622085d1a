// A machine config as the app may show it: every private key, token, password and secret replaced,
// the rest — host names, addresses, disks, certificates (public) — left readable, with the file's
// own order and comments. A field is secret by its name: key, token, secret, password, passphrase,
// auth, or a name whose last word is one of them (privateKey, presharedKey, identityToken,
// apiToken, secretboxEncryptionSecret, aescbcEncryptionSecret, bootstrap_token, …), whatever
// document kind holds it; everything beneath such a field is masked. Public keys are not secrets.
// docs/cluster-access.md lists what this covers.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, Scalar, visit } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'

export const maskedValue = '••••••••'

const secretWords = new Set(['key', 'token', 'secret', 'password', 'passphrase', 'auth'])
/** Names that end like a secret and are none: a WireGuard peer's public key, LACP's port key. */
const notSecret = new Set(['publicKey', 'adUserPortKey'])

/** Whether a field holds a secret: its last word (camelCase, kebab-case or snake_case) says so. */
export function isSecretField(name: string): boolean {
  if (notSecret.has(name)) return false
  const words = name.split(/[-_]|(?<=[a-z0-9])(?=[A-Z])/)
  return secretWords.has(words[words.length - 1]!.toLowerCase())
}

/** The same YAML documents with the secrets masked. */
export function maskMachineConfig(yaml: string): string {
  const documents = parseAllDocuments(yaml)
  return documents
    .map((document) => {
      const error = document.errors[0]
      // Only the position: the parser's message quotes the line, which may hold a secret.
      if (error)
        throw new AppError(
          'invalid_input',
          `The machine config is not valid YAML (line ${error.linePos?.[0].line ?? '?'}).`,
        )
      visit(document, {
        Pair(_, pair) {
          if (isScalar(pair.key) && typeof pair.key.value === 'string' && isSecretField(pair.key.value))
            pair.value = masked(pair.value)
        },
      })
      return document.toString({ lineWidth: 0 })
    })
    .join('')
}

/** The node with every value in it masked. An alias becomes the mask itself: it prints only the
 *  anchor's name, but a reader could follow that to the value. */
function masked(node: unknown): unknown {
  if (isAlias(node)) return new Scalar(maskedValue)
  if (isScalar(node) && node.value !== null && node.value !== '') {
    node.value = maskedValue
    // A block scalar (a PEM key written with |) becomes one plain line.
    node.type = 'PLAIN'
  } else if (isMap(node)) {
    for (const pair of node.items) pair.value = masked(pair.value)
  } else if (isSeq(node)) {
    node.items = node.items.map(masked)
  }
  return node
}
