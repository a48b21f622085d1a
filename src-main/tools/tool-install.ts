// Installing one pinned release: download the official asset (resumable), check its SHA-256 against
// the manifest before anything is unpacked, take the binary out of its archive, and record the
// binary's own hash so every later use can be checked against it.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { extract as extractTar } from 'tar'
import type { Dispatcher } from 'undici'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { openZipEntry } from '../images/decompress.ts'
import { transferToFile } from '../images/download-transfer.ts'
import type { ReleaseAsset, ToolName } from './tool-manifest.ts'

export interface InstallStamp {
  version: string
  url: string
  /** Of the downloaded asset, as pinned. */
  assetSha256: string
  /** Of the binary taken out of it: checked before first use in every process. */
  binarySha256: string
  installedAt: string
}

export const stampFile = 'installed.json'

export function binaryName(tool: ToolName): string {
  return process.platform === 'win32' ? `${tool}.exe` : tool
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

export interface InstallOptions {
  tool: ToolName
  version: string
  asset: ReleaseAsset
  /** tools/<name>/<version>/ */
  folder: string
  dispatcher: Dispatcher
  timeoutMs: number
  signal: AbortSignal
  onBytes(done: number, total: number | null): void
}

/** Downloads, verifies and unpacks; returns the stamp written next to the binary. */
export async function installRelease(options: InstallOptions): Promise<InstallStamp> {
  const { tool, version, asset, folder } = options
  await mkdir(folder, { recursive: true, mode: 0o700 })
  const partPath = join(folder, 'download.part')
  let total: number | null = null
  await transferToFile({
    url: asset.url,
    what: `${tool} ${version}`,
    partPath,
    validators: null,
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onResponse: ({ validators }) => {
      total = validators.totalBytes
    },
    onBytes: (done) => options.onBytes(done, total),
  })

  const assetSha256 = await sha256OfFile(partPath)
  if (assetSha256 !== asset.sha256) {
    await rm(partPath, { force: true })
    throw new AppError(
      'checksum_mismatch',
      `The download of ${tool} ${version} does not match its published SHA-256 and was deleted.`,
      'Try again; if it keeps failing, a proxy or mirror is changing the file — install the tool yourself and point Clusterdeck at it.',
      { url: asset.url, expected: asset.sha256, actual: assetSha256 },
    )
  }

  const binaryPath = join(folder, binaryName(tool))
  const staging = `${binaryPath}.new`
  await rm(staging, { force: true })
  if (asset.archive.kind === 'raw') await rename(partPath, staging)
  else if (asset.archive.kind === 'tar.gz') await untarEntry(partPath, asset.archive.entry, staging)
  else await unzipEntry(partPath, asset.archive.entry, staging)
  await rm(partPath, { force: true })
  await chmod(staging, 0o755)
  const binarySha256 = await sha256OfFile(staging)
  await rename(staging, binaryPath)

  const stamp: InstallStamp = {
    version,
    url: asset.url,
    assetSha256,
    binarySha256,
    installedAt: new Date().toISOString(),
  }
  await writeFile(join(folder, stampFile), `${JSON.stringify(stamp, null, 2)}\n`, { mode: 0o600 })
  return stamp
}

async function untarEntry(archive: string, entry: string, target: string): Promise<void> {
  const scratch = `${target}.unpack`
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true })
  try {
    // Only the one entry is written, and tar refuses paths that escape the folder.
    await extractTar({ file: archive, cwd: scratch, strict: true }, [entry])
    await rename(join(scratch, entry), target).catch(() => {
      throw missingEntry(entry)
    })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function unzipEntry(archive: string, entry: string, target: string): Promise<void> {
  const { stream } = await openZipEntry(archive, entry, missingEntry(entry))
  await pipeline(stream, createWriteStream(target))
}

function missingEntry(entry: string): AppError {
  return new AppError(
    'download_failed',
    `The verified archive does not contain ${entry}.`,
    'The release layout may have changed: report this, and install the tool yourself meanwhile.',
  )
}
