// Serial boot text the virtual nodes print after power-on. The logs live in
// resources/virtual-board/ next to the other static assets; when that folder is not where this
// file expects it (e.g. inside a bundle), a short built-in log keeps the board usable.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export type BootLogKind = 'talos' | 'armbian'

// The Electron shell sets CLUSTERDECK_RESOURCES (the app's resources folder, packaged or not);
// run from source, the folder sits two levels above this file.
function resourceDir(): URL {
  const root = process.env.CLUSTERDECK_RESOURCES
  return root
    ? pathToFileURL(`${join(root, 'virtual-board')}/`)
    : new URL('../../resources/virtual-board/', import.meta.url)
}
const fileNames: Record<BootLogKind, string> = { talos: 'talos-boot.txt', armbian: 'armbian-boot.txt' }

const fallbackLog = [
  'U-Boot SPL 2024.01 (virtual board)',
  'Trying to boot from MMC2',
  'Starting kernel ...',
  '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x412fd050]',
  '[    4.120000] systemd[1]: Reached target Multi-User System.',
  '',
  'node login: ',
].join('\r\n')

const cache = new Map<BootLogKind, Buffer>()

export function loadBootLog(kind: BootLogKind): Buffer {
  let log = cache.get(kind)
  if (!log) {
    try {
      // Serial consoles send CRLF line ends; the files are stored with LF and end with a newline
      // that the console does not have after its login prompt.
      const text = readFileSync(new URL(fileNames[kind], resourceDir()), 'utf8').replace(/\r?\n$/, '')
      log = Buffer.from(text.replace(/\r?\n/g, '\r\n'))
    } catch {
      log = Buffer.from(fallbackLog)
    }
    cache.set(kind, log)
  }
  return log
}

/** Talos images print a Talos boot; anything else boots like an Armbian/U-Boot image. */
export function bootLogKindFor(imageFileName: string | undefined): BootLogKind {
  return imageFileName !== undefined && /talos|metal-arm64/i.test(imageFileName) ? 'talos' : 'armbian'
}

/**
 * The log as one particular boot prints it: a real kernel's timestamps differ a little from boot to
 * boot. Byte-identical boots would make a non-draining 2.1 ring buffer look unchanged after a
 * reboot, which no real board shows and no client can read.
 */
export function bootLogForOneBoot(log: Buffer, random: () => number = Math.random): Buffer {
  const text = log
    .toString('utf8')
    .replace(/\[\s*(\d+)\.(\d{6})\]/g, (match, seconds: string, micros: string) => {
      const jittered = Math.max(0, Number(seconds) * 1e6 + Number(micros) + Math.floor(random() * 5000))
      const stamp = `${Math.floor(jittered / 1e6)}.${String(jittered % 1e6).padStart(6, '0')}`
      return `[${stamp.padStart(match.length - 2)}]`
    })
  return Buffer.from(text)
}

/** How far into a boot the kernel log of talos-boot.txt ends, in milliseconds. */
const talosKernelEndsAtMs = 2100

/**
 * One `[talos]` line as the kernel log prints it, `elapsedMs` after talos-boot.txt ended: that file
 * holds the boot up to the kernel handing over to Talos, and a virtual Talos node prints the rest.
 */
export function kernelLine(elapsedMs: number, line: string): Buffer {
  const micros = Math.round((talosKernelEndsAtMs + Math.max(0, elapsedMs)) * 1000)
  const stamp = `${String(Math.floor(micros / 1e6)).padStart(5)}.${String(micros % 1e6).padStart(6, '0')}`
  return Buffer.from(`[${stamp}] [talos] ${line}\r\n`)
}
