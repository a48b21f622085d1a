// `clusterdeck image …`: the local image cache — list, import, pull (resumable), rm, pin, the size
// limit, downloads, and the Armbian images for the Turing RK1.
import type { Command } from 'commander'
import { kernelBranches } from '../../src-shared/armbian/armbian-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { finishedDownloadStates } from '../../src-shared/images/download-schemas.ts'
import { formatBytes } from '../../src-shared/progress/progress.ts'
import { confirm, usage } from './cli-io.ts'
import { createDownloadProgressPrinter, describeDownload } from './download-progress-printer.ts'
import { registerImageFactoryCommands } from './image-factory-commands.ts'
import type { CliContext } from './main.ts'

export function registerImageCommands(program: Command, cli: CliContext): void {
  const image = program.command('image').description('the local image cache')
  registerImageFactoryCommands(image, cli)
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)

  image
    .command('list')
    .description('the raw images in the cache, with the total and the size limit')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const images = await cli.call('images.list', {})
      if (options.json) return out(JSON.stringify(images, null, 2))
      if (images.length === 0)
        return out('The cache is empty. Import an image with: clusterdeck image import FILE, or pull URL')
      for (const entry of images)
        out(
          [
            entry.sha256.slice(0, 12),
            formatBytes(entry.sizeBytes).padStart(10),
            entry.pinned ? 'pinned' : '      ',
            `used ${entry.lastUsedAt.slice(0, 16).replace('T', ' ')}`,
            entry.name,
          ].join('  '),
        )
      const usage = await cli.call('images.usage', {})
      out(
        `${usage.imageCount} image${usage.imageCount === 1 ? '' : 's'}, ${formatBytes(usage.totalBytes)}` +
          (usage.pinnedBytes > 0 ? ` (${formatBytes(usage.pinnedBytes)} pinned)` : '') +
          (usage.heldBytes > 0 ? ` (${formatBytes(usage.heldBytes)} held by flashes)` : '') +
          (usage.sizeLimitBytes === null
            ? ', no size limit'
            : ` of a ${formatBytes(usage.sizeLimitBytes)} limit`) +
          // A flash may take the library over its limit (docs/image-library.md).
          (usage.sizeLimitBytes !== null && usage.totalBytes > usage.sizeLimitBytes
            ? `, ${formatBytes(usage.totalBytes - usage.sizeLimitBytes)} over it`
            : ''),
      )
    })

  image
    .command('import')
    .description('unpack (.xz, .gz, .zst, .zip) and hash an image file into the cache')
    .argument('<file>', 'the image file')
    .option('--json', 'print the cached image as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const core = cli.core()
      const stop = core.events.on('images.importProgress', (p) => {
        cli.io.stderr.write(`\rimporting ${Math.floor((100 * p.packedBytes) / Math.max(1, p.packedTotal))}%`)
      })
      try {
        const cached = await cli.call('images.importFile', { path: file })
        cli.io.stderr.write('\r\x1b[K')
        out(
          options.json
            ? JSON.stringify(cached, null, 2)
            : `${cached.sha256}  ${formatBytes(cached.sizeBytes)}  ${cached.name}`,
        )
      } finally {
        stop()
      }
    })

  image
    .command('pull')
    .description(
      'download an image into the cache, verified against its published SHA-256; run it again after an interruption to resume',
    )
    .argument('<url>', 'the http(s) URL of the image')
    .option('--sha256 <hex>', 'the expected SHA-256 of the file as downloaded')
    .option('--checksum-url <url>', 'a .sha256/.sha file holding it')
    .option('--name <name>', 'the name to show in the library')
    .option('--json', 'print the cached image as JSON')
    .action(
      async (
        url: string,
        options: { sha256?: string; checksumUrl?: string; name?: string; json?: boolean },
      ) => {
        const core = cli.core()
        const printer = createDownloadProgressPrinter(cli.io.stderr)
        let id: string | undefined
        const stop = core.events.on('images.downloadProgress', (job) => {
          if (job.id === id) printer.update(job)
        })
        // Ctrl-C keeps the bytes: the same command continues from them.
        const { downloads } = await core.domains()
        const interrupt = () => void downloads.interruptAll()
        process.once('SIGINT', interrupt)
        try {
          const job = await cli.call('images.pull', {
            url,
            ...(options.sha256 ? { sha256: options.sha256 } : {}),
            ...(options.checksumUrl ? { checksumUrl: options.checksumUrl } : {}),
            ...(options.name ? { name: options.name } : {}),
          })
          id = job.id
          if (job.resumable && job.progress.bytesDone > 0)
            cli.io.stderr.write(`resuming ${job.name} from ${formatBytes(job.progress.bytesDone)}\n`)
          const finished = await downloads.wait(job.id)
          printer.finish()
          if (finished.state === 'done') {
            const cached = (await cli.call('images.list', {})).find(
              (entry) => entry.sha256 === finished.imageSha256,
            )!
            if (finished.checksum?.source === 'none')
              cli.io.stderr.write('note: the source publishes no checksum; the image was not verified\n')
            return out(
              options.json
                ? JSON.stringify(cached, null, 2)
                : `${cached.sha256}  ${formatBytes(cached.sizeBytes)}  ${cached.name}`,
            )
          }
          if (finished.state === 'interrupted') {
            throw new AppError(
              'cancelled',
              `The download of ${finished.name} was interrupted after ${formatBytes(finished.progress.bytesDone)}.`,
              'Run the same command again to continue from there.',
            )
          }
          if (finished.error) throw AppError.fromData(finished.error)
          throw new AppError('cancelled', `The download of ${finished.name} was ${finished.state}.`)
        } finally {
          process.removeListener('SIGINT', interrupt)
          printer.finish()
          stop()
        }
      },
    )

  image
    .command('downloads')
    .description('running, interrupted and recent downloads')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const jobs = await cli.call('images.downloads', {})
      if (options.json) return out(JSON.stringify(jobs, null, 2))
      if (jobs.length === 0) return out('No downloads.')
      for (const job of jobs) {
        const resumable =
          finishedDownloadStates.includes(job.state) && job.resumable ? '  (pull again to resume)' : ''
        out(`${job.id.slice(0, 8)}  ${describeDownload(job)}${resumable}`)
      }
    })

  image
    .command('rm')
    .description('delete an image from the cache')
    .argument('<image>', 'a SHA-256 (prefix) or the exact name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, options: { yes?: boolean }) => {
      const images = await cli.call('images.list', {})
      const found = images.find((entry) => entry.sha256.startsWith(ref.toLowerCase()) || entry.name === ref)
      const label = found ? `${found.name} (${formatBytes(found.sizeBytes)})` : ref
      if (!options.yes && !(await confirm(cli.io, `Delete ${label} from the image cache?`))) {
        throw new AppError(
          'invalid_input',
          `${label} was not deleted.`,
          'Confirm at the prompt, or pass --yes when running without a terminal.',
        )
      }
      const removed = await cli.call('images.remove', { ref })
      out(`Deleted ${removed.name} (${formatBytes(removed.sizeBytes)}).`)
    })

  for (const pinned of [true, false]) {
    image
      .command(pinned ? 'pin' : 'unpin')
      .description(
        pinned ? 'keep an image: the size limit never evicts it' : 'let the size limit evict an image again',
      )
      .argument('<image>', 'a SHA-256 (prefix) or the exact name')
      .action(async (ref: string) => {
        const result = await cli.call('images.pin', { ref, pinned })
        out(`${pinned ? 'Pinned' : 'Unpinned'} ${result.name}.`)
      })
  }

  image
    .command('limit')
    .description('show or set the cache size limit (least recently used unpinned images are evicted)')
    .argument('[size]', 'e.g. 40GiB, 500MB, or "none"')
    .action(async (size?: string) => {
      const settings =
        size === undefined
          ? await cli.call('images.settings', {})
          : await cli.call('images.updateSettings', { sizeLimitBytes: parseSize(size) })
      out(
        settings.sizeLimitBytes === null
          ? 'The image cache has no size limit.'
          : `The image cache limit is ${formatBytes(settings.sizeLimitBytes)}.`,
      )
    })

  image
    .command('armbian')
    .description(
      'Armbian images for the Turing RK1 from the armbian/community releases (kept after they vanish upstream)',
    )
    .option('--refresh', 'ask GitHub now')
    .option('--distro <name>', 'e.g. trixie, noble')
    .option('--variant <variant>', 'minimal, server or desktop')
    .option('--branch <branch>', 'kernel branch: vendor (NPU), current, edge')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        refresh?: boolean
        distro?: string
        variant?: string
        branch?: string
        json?: boolean
      }) => {
        const result = await cli.call('armbian.images', {
          refresh: options.refresh ?? false,
          ...(options.distro ? { distro: options.distro } : {}),
          ...(options.variant ? { variant: options.variant as 'minimal' } : {}),
          ...(options.branch ? { branch: options.branch as 'vendor' } : {}),
        })
        if (options.json) return out(JSON.stringify(result, null, 2))
        if (result.refreshError) {
          cli.io.stderr.write(`clusterdeck: ${result.refreshError.message}\n`)
          if (result.refreshError.hint) cli.io.stderr.write(`  hint: ${result.refreshError.hint}\n`)
          cli.io.stderr.write(
            `Showing the images seen before${result.refreshedAt ? ` (last listed ${result.refreshedAt})` : ''}.\n`,
          )
        }
        if (result.images.length === 0) return out('No Turing RK1 images match.')
        for (const entry of result.images) {
          out(
            [
              entry.distro.padEnd(9),
              entry.variant.padEnd(8),
              `${entry.branch} ${entry.kernelVersion}`.padEnd(16),
              kernelBranches[entry.branch].npu === 'rknpu' ? 'NPU' : '   ',
              formatBytes(entry.sizeBytes).padStart(10),
              entry.stillPublished ? 'published' : 'vanished ',
              entry.cachedSha256 ? 'cached' : '      ',
              entry.checksumSource === 'none' ? 'no checksum' : entry.checksumSource,
            ].join('  '),
          )
          out(`    ${entry.stillPublished ? entry.url : entry.name}`)
        }
        out(`\n${result.npuTradeOff}`)
      },
    )
}

/** "40GiB", "40G", "500MB", "1.5TB", "none" → bytes (null: no limit). */
export function parseSize(text: string): number | null {
  if (/^(none|off|unlimited)$/i.test(text.trim())) return null
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B?$/i.exec(text.trim())
  if (!match) throw usage(`"${text}" is not a size: use e.g. 40GiB, 500MB or none`)
  const power = ' KMGT'.indexOf(match[2]!.toUpperCase() || ' ')
  const base = match[3] || match[2] === '' ? 1024 : 1000
  const bytes = Math.round(Number(match[1]) * base ** power)
  if (bytes <= 0) throw usage('the size limit must be more than 0 bytes (or none)')
  return bytes
}
