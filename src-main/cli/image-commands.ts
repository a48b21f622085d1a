// `clusterdeck image list|import`: the local image cache.
import type { Command } from 'commander'
import { formatBytes } from '../../src-shared/progress/progress.ts'
import { registerImageFactoryCommands } from './image-factory-commands.ts'
import type { CliContext } from './main.ts'

export function registerImageCommands(program: Command, cli: CliContext): void {
  const image = program.command('image').description('the local image cache')
  registerImageFactoryCommands(image, cli)
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)

  image
    .command('list')
    .description('the raw images in the cache')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const images = await cli.call('images.list', {})
      if (options.json) return out(JSON.stringify(images, null, 2))
      if (images.length === 0)
        return out('The cache is empty. Import an image with: clusterdeck image import FILE')
      for (const entry of images)
        out(`${entry.sha256.slice(0, 12)}  ${formatBytes(entry.sizeBytes).padStart(10)}  ${entry.name}`)
    })

  image
    .command('import')
    .description('unpack (.xz, .gz, .zst, .zip) and hash an image file into the cache')
    .argument('<file>', 'the image file')
    .option('--json', 'print the cached image as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const core = cli.core()
      const stop = core.events.onAny((name, payload) => {
        if (name !== 'images.importProgress') return
        const p = payload as { packedBytes: number; packedTotal: number }
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
}
