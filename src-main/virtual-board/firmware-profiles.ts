// What differs between the firmware releases the virtual board imitates: FW 2.1.0 (bmcd 2.3.4, a
// v2.5 board with the USB hub) and FW 2.0.5 (bmcd 2.0.5, a v2.4 board with the single-bus mux).
// See the BMC API reference §1.4 (version fields), §3 (types per version), §4 (flashing) and §5.

export type VirtualFirmware = '2.1' | '2.0.5'

export interface FirmwareProfile {
  firmware: VirtualFirmware
  about: Record<string, string>
  /** `type=other` and the unauthenticated info endpoint, before the `ip`/`mac` fields. */
  other: Record<string, string>
  /** The unauthenticated system-information path (served on port 80 by the real BMC). */
  infoPath: string
  busType: 'Usb hub' | 'Single bus'
  /** How the USB-A / "4XNODE USB_OTG" route is named in `get usb`. */
  alternativeRouteName: 'AlternativePort' | 'UsbA'
  /** v2.5 boards put all nodes on a hub, so no node can be the USB host. */
  rejectsUsbHost: boolean
  nodeProcessName(nodeNumber: number): string
  firmwareProcessName: string
  uartReadDrains: boolean
  decompressesXz: boolean
  honoursSkipCrc: boolean
  fetchesUrls: boolean
  /** FW 2.1 reuses `bytes_written` to count the read-back; 2.0.x kept a separate counter. */
  verifyResetsBytesWritten: boolean
  /** Types that only exist from bmcd 2.3 on (FW 2.1). */
  extraTypes: boolean
  /** FW 2.0.x put the whole app, static files included, behind authentication. */
  staticFilesNeedAuth: boolean
}

const fw21BuildTime = '2025-01-17 17:12:52-00:00'
const fw205BuildTime = '2023-11-13 10:48:20-00:00'

const profiles: Record<VirtualFirmware, FirmwareProfile> = {
  '2.1': {
    firmware: '2.1',
    about: {
      board_model: 'Turing Pi 2',
      board_revision: '2.5',
      hostname: 'turingpi',
      api: '1.1',
      version: '2.3.4',
      buildtime: fw21BuildTime,
      buildroot: 'Buildroot 2024.05.1',
      build_version: '2024.05.1',
    },
    // `other` keeps the literal quotes of /etc/os-release; `about` strips them.
    other: {
      api: '1.1',
      version: '2.3.4',
      buildtime: fw21BuildTime,
      buildroot: '"Buildroot 2024.05.1"',
      build_version: '2024.05.1',
    },
    infoPath: '/info',
    busType: 'Usb hub',
    alternativeRouteName: 'AlternativePort',
    rejectsUsbHost: true,
    nodeProcessName: (n) => `Node ${n} os install service`,
    firmwareProcessName: 'firmware upgrade service',
    uartReadDrains: false,
    decompressesXz: true,
    honoursSkipCrc: true,
    fetchesUrls: true,
    verifyResetsBytesWritten: true,
    extraTypes: true,
    staticFilesNeedAuth: false,
  },
  '2.0.5': {
    firmware: '2.0.5',
    about: {
      api: '1.1',
      version: '2.0.5',
      buildtime: fw205BuildTime,
      buildroot: 'Buildroot 2023.08',
      build_version: '2023.08',
    },
    other: {
      api: '1.1',
      version: '2.0.5',
      buildtime: fw205BuildTime,
      buildroot: '"Buildroot 2023.08"',
      build_version: '2023.08',
    },
    infoPath: '/api/bmc/info',
    busType: 'Single bus',
    alternativeRouteName: 'UsbA',
    rejectsUsbHost: false,
    nodeProcessName: (n) => `Node ${n} upgrade service`,
    firmwareProcessName: 'os upgrade service',
    uartReadDrains: true,
    decompressesXz: false,
    honoursSkipCrc: false,
    fetchesUrls: false,
    verifyResetsBytesWritten: false,
    extraTypes: false,
    staticFilesNeedAuth: true,
  },
}

export function firmwareProfile(firmware: VirtualFirmware): FirmwareProfile {
  return profiles[firmware]
}

export function isVirtualFirmware(value: string): value is VirtualFirmware {
  return Object.hasOwn(profiles, value)
}
