// Which firmware a BMC runs, and what it can therefore do (turingpi-bmc-api.md §1.4). `api` is
// always "1.1"; the daemon version tells: bmcd 2.0.x is firmware 2.0.x, bmcd 2.3.4 is firmware
// 2.1.0, and from bmcd 2.3.5 `version` is the firmware release and `bmcd_version` the daemon.
import type { z } from 'zod'
import type { Capabilities, Firmware } from '../../src-shared/bmc/bmc-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { aboutSchema } from './bmc-wire.ts'

type About = z.output<typeof aboutSchema>

export function detectFirmware(about: About): { firmware: Firmware; capabilities: Capabilities } {
  const daemon = about.bmcd_version ?? about.version
  const release = about.bmcd_version ? about.version : daemonToRelease(about.version)
  const [major = 0, minor = 0] = daemon.split('.').map(Number)
  if (major < 2) {
    throw new AppError(
      'bmc_unsupported',
      `The BMC runs firmware ${release}, which has no authenticated HTTPS API.`,
      'Upgrade the BMC to firmware 2.1 with the one-time SD card procedure from the Turing Pi documentation.',
    )
  }
  const modern = major > 2 || minor >= 3
  return {
    firmware: {
      release,
      daemon,
      ...(about.board_model ? { boardModel: about.board_model } : {}),
      ...(about.board_revision ? { boardRevision: about.board_revision } : {}),
      ...(about.hostname ? { hostname: about.hostname } : {}),
      ...(about.buildtime ? { buildTime: about.buildtime } : {}),
    },
    capabilities: {
      xz: modern,
      skipVerify: modern,
      sha256: modern,
      nodeInfo: modern,
      cooling: modern,
      uartDrainsOnRead: !modern,
      serialSocket: modern,
    },
  }
}

function daemonToRelease(daemon: string): string {
  if (daemon.startsWith('2.0.')) return daemon
  if (daemon === '2.3.4') return '2.1.0'
  return `bmcd ${daemon}`
}
