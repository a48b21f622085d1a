// The layering as allow-lists: each layer names what it may import, and everything else is an
// error. A new dependency therefore reaches only the layers that list it — ssh2, gRPC or
// @kubernetes/client-node can never creep into src-shared or the renderer, and a domain of the core
// can never import the CLI, the transports or the Electron shell (docs/architecture.md).
import { builtinModules } from 'node:module'
import { dirname, relative, resolve, sep } from 'node:path'
import { readFileSync } from 'node:fs'

const root = resolve(import.meta.dirname, '..')
const runtimeDependencies = Object.keys(
  JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).dependencies ?? {},
)
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

/** Packages confined to one folder of the core, whatever the layer's list says. */
const confinedPackages = {
  'better-sqlite3': ['src-main/store/'],
  '@napi-rs/keyring': ['src-main/secrets/'],
  ws: ['src-main/transport/', 'src-main/bmc/', 'src-main/virtual-board/'],
  commander: ['src-main/cli/'],
  '@kubernetes/client-node': ['src-main/kube/'],
  // The app's SSH client, and the SSH server of the virtual Armbian nodes.
  ssh2: ['src-main/ssh/', 'src-main/virtual-armbian/'],
  // The virtual Armbian nodes' simulated shell; nothing else runs commands in it.
  'just-bash': ['src-main/virtual-armbian/'],
  // The virtual Talos nodes speak gRPC and sign Ed25519 certificates; nothing else should.
  '@grpc/grpc-js': ['src-main/virtual-talos/'],
  '@grpc/proto-loader': ['src-main/virtual-talos/'],
  '@peculiar/x509': ['src-main/virtual-talos/'],
  'reflect-metadata': ['src-main/virtual-talos/'],
}

const coreShells = ['src-main/cli/', 'src-main/transport/', 'src-main/electron/']

/**
 * Each layer, most specific first: `folders` it may import from (by path inside the repository)
 * and `packages` (exact names or `prefix/*`).
 */
const layers = [
  {
    name: 'src-shared',
    match: 'src-shared/',
    folders: ['src-shared/'],
    packages: ['zod'],
    why: 'src-shared runs everywhere: it imports only itself and zod.',
  },
  {
    name: 'the renderer',
    match: 'src-renderer/',
    folders: ['src-renderer/', 'src-shared/'],
    packages: ['react', 'react-dom', '@mantine/*', '@tabler/icons-react', '@xterm/*', 'zod', 'yaml'],
    why: 'The renderer is UI only: it reaches the core through the contract bridge.',
  },
  {
    name: 'the Electron shell',
    match: 'src-main/electron/',
    folders: ['src-main/', 'src-shared/'],
    packages: ['electron', ...runtimeDependencies],
    node: true,
    why: 'The Electron shell may use the core and Electron, nothing from the renderer.',
  },
  {
    name: 'the CLI',
    match: 'src-main/cli/',
    folders: ['src-main/', 'src-shared/'],
    except: ['src-main/electron/', 'src-main/transport/'],
    packages: runtimeDependencies,
    node: true,
    why: 'The CLI calls the core; it never uses the Electron shell or the WebSocket host.',
  },
  {
    name: 'the transports',
    match: 'src-main/transport/',
    folders: ['src-main/', 'src-shared/'],
    except: ['src-main/electron/', 'src-main/cli/'],
    packages: runtimeDependencies,
    node: true,
    why: 'The WebSocket host carries the contract; it never uses the CLI or the Electron shell.',
  },
  {
    name: 'a domain of the core',
    match: 'src-main/',
    folders: ['src-main/', 'src-shared/'],
    except: coreShells,
    packages: runtimeDependencies,
    node: true,
    why: 'Domains of the core never import the CLI, the transports or the Electron shell: those call the core.',
  },
]

function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function packageAllowed(specifier, allowed) {
  const name = packageName(specifier)
  return allowed.some((entry) =>
    entry.endsWith('/*') ? specifier.startsWith(entry.slice(0, -1)) : name === entry,
  )
}

function problem(file, specifier) {
  const path = relative(root, file).split(sep).join('/')
  const layer = layers.find((candidate) => path.startsWith(candidate.match))
  if (!layer) return null
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = relative(root, resolve(dirname(file), specifier))
      .split(sep)
      .join('/')
    const inFolders = layer.folders.some((folder) => target.startsWith(folder))
    const excepted = (layer.except ?? []).some(
      (folder) => target.startsWith(folder) && !path.startsWith(folder),
    )
    if (inFolders && !excepted) return null
    return `${layer.name} may not import ${target}. ${layer.why}`
  }
  if (layer.node && nodeBuiltins.has(specifier)) return null
  if (!packageAllowed(specifier, layer.packages)) {
    return nodeBuiltins.has(specifier)
      ? `${layer.name} may not use Node's ${specifier}. ${layer.why}`
      : `${layer.name} may not import ${specifier}: it is not in the layer's allow-list (eslint-rules/layer-imports.js), and a runtime dependency must be in package.json's dependencies.`
  }
  const owners = confinedPackages[packageName(specifier)]
  if (owners && !owners.some((folder) => path.startsWith(folder)))
    return `${specifier} belongs in ${owners.join(' or ')} only: go through that domain's service.`
  return null
}

export const layerImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only what its allow-list names (docs/architecture.md).' },
    schema: [],
  },
  create(context) {
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return
      const message = problem(context.filename, source.value)
      if (message) context.report({ node: source, message })
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    }
  },
}

export default { rules: { 'layer-imports': layerImports } }
