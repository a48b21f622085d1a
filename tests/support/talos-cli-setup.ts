// What a user does before `clusterdeck deploy` of a Talos profile on the virtual board, done with
// the real CLI: the board added and trusted, the peers' talosctl (and helm) chosen as the tools, a
// Talos-named raw image imported, and the talos-rk1-longhorn template saved as a profile file with
// Talos v1.12.0 (the peers' talosctl) and that cached image.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { stringify } from 'yaml'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { ImageServer } from './image-server.ts'
import { imageBytes, sha256, writeImage } from './make-image.ts'
import { runCli } from './run-cli.ts'

export interface TalosCliSetup {
  env: NodeJS.ProcessEnv
  board: VirtualBoard
  /** Where the image and the profile file go. */
  dir: string
  tools: { talosctl: string; helm?: string }
  /**
   * Serve the image at an Image Factory-shaped URL and pull it from there (instead of importing the
   * file), so the library knows the schematic it came from — the installer an upgrade uses.
   */
  factoryImages?: ImageServer
  /** The profile's Kubernetes version, e.g. `1.34.1` (default: the template's). */
  kubernetes?: string
}

/** A schematic id for the test image's factory-shaped URL. */
export const testSchematicId = 'a'.repeat(64)

/** Returns the profile file, named "lab" on board "rack-1". */
export async function setUpTalosDeploy({
  env,
  board,
  dir,
  tools,
  factoryImages,
  kubernetes,
}: TalosCliSetup): Promise<string> {
  const setUp = async (args: string[], stdin?: string) => {
    const result = await runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) })
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  }
  await setUp(
    ['board', 'add', 'rack-1', '--address', board.url, '--password-stdin'],
    board.credentials.password,
  )
  await setUp(['bmc', '--board', 'rack-1', '--trust-on-first-use', 'info'])
  for (const [tool, path] of Object.entries(tools)) await setUp(['tools', 'set-path', tool, path])
  const raw = imageBytes(3 * 1024 * 1024, 31)
  if (factoryImages) {
    const path = `/image/${testSchematicId}/v1.12.0/metal-arm64.raw`
    factoryImages.files.set(path, { body: raw })
    await setUp(['image', 'pull', factoryImages.url(path), '--sha256', sha256(raw)])
  } else {
    await setUp(['image', 'import', writeImage(join(dir, 'talos-v1.12.0-arm64.raw'), raw)])
  }
  const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
  const profile = {
    ...template,
    versions: { ...template.versions, talos: 'v1.12.0', ...(kubernetes ? { kubernetes } : {}) },
    image: { cached: sha256(raw) },
  }
  profile.timeouts.bootSeconds = 60
  const profileFile = join(dir, 'lab.yaml')
  writeFileSync(profileFile, stringify(profile))
  await setUp(['deploy', profileFile, '--dry-run'])
  return profileFile
}
