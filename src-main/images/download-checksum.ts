// Where a download's expected SHA-256 comes from, in order: the hash the caller gave, a checksum
// file the caller named, what a known source published (a GitHub asset digest, an Armbian `.sha`),
// or a `.sha256` / `.sha` file next to the URL. Without any of them the image is imported
// unverified, and the job says so.
import { basename } from 'node:path'
import { request, type Dispatcher } from 'undici'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { parseChecksumFile } from '../../src-shared/images/checksum-file.ts'
import type { ChecksumSource } from '../../src-shared/images/download-schemas.ts'
import { describeUrl, fetchError } from './fetch-errors.ts'

export interface ExpectedChecksum {
  source: ChecksumSource
  sha256: string | null
  url: string | null
}

/** What a catalog (e.g. the Armbian lister) knows about a URL's published checksum. */
export type KnownChecksums = (
  url: string,
) => { sha256: string | null; checksumUrl: string | null; source: ChecksumSource } | undefined

export interface ChecksumLookup {
  url: string
  sha256?: string
  checksumUrl?: string
  known?: KnownChecksums
  dispatcher: Dispatcher
  timeoutMs: number
  signal: AbortSignal
}

export async function resolveChecksum(lookup: ChecksumLookup): Promise<ExpectedChecksum> {
  if (lookup.sha256) return { source: 'given', sha256: lookup.sha256, url: null }
  const fileName = decodeURIComponent(basename(new URL(lookup.url).pathname))
  if (lookup.checksumUrl)
    return {
      source: 'checksum-file',
      sha256: await readChecksum(lookup, lookup.checksumUrl, fileName, true),
      url: lookup.checksumUrl,
    }
  const known = lookup.known?.(lookup.url)
  if (known?.sha256) return { source: known.source, sha256: known.sha256, url: known.checksumUrl }
  if (known?.checksumUrl) {
    return {
      source: known.source,
      sha256: await readChecksum(lookup, known.checksumUrl, fileName, true),
      url: known.checksumUrl,
    }
  }
  for (const suffix of ['.sha256', '.sha']) {
    const url = `${lookup.url}${suffix}`
    const sha256 = await readChecksum(lookup, url, fileName, false)
    if (sha256) return { source: 'checksum-file', sha256, url }
  }
  return { source: 'none', sha256: null, url: null }
}

/**
 * The hash in a checksum file. A probed companion that does not exist is no checksum (null); one
 * the caller or a catalog named must exist and must hold a hash.
 */
async function readChecksum(
  lookup: ChecksumLookup,
  url: string,
  fileName: string,
  required: boolean,
): Promise<string | null> {
  const what = `the checksum file ${describeUrl(url)}`
  let status: number
  let text: string
  try {
    const response = await request(url, {
      dispatcher: lookup.dispatcher,
      headersTimeout: lookup.timeoutMs,
      bodyTimeout: lookup.timeoutMs,
      signal: lookup.signal,
    })
    status = response.statusCode
    // A checksum file is a few lines; anything large is not one.
    text = status === 200 ? (await response.body.text()).slice(0, 65536) : (await response.body.dump(), '')
  } catch (error) {
    throw fetchError(error, { what, url, timeoutMs: lookup.timeoutMs })
  }
  if (status !== 200) {
    if (!required) return null
    throw new AppError(
      'download_failed',
      `Could not read ${what} (HTTP ${status}), so the image cannot be verified.`,
      'Check the checksum URL, or give the SHA-256 itself.',
      { url: describeUrl(url), status: String(status) },
    )
  }
  const sha256 = parseChecksumFile(text, fileName)
  if (!sha256 && required) {
    throw new AppError(
      'download_failed',
      `${what} holds no SHA-256 for ${fileName}, so the image cannot be verified.`,
      'Check the checksum URL, or give the SHA-256 itself.',
    )
  }
  return sha256
}
