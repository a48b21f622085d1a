// The boards a schematic can target (talos.md §1.4, §3.1–3.3): SBCs select their board with an
// overlay and are always arm64; generic metal (VMs, x86 boxes) has no overlay.
import { compareTalosVersions, type TalosArch } from './factory-urls.ts'

export interface TalosBoard {
  id: 'turing-rk1' | 'rpi-generic' | 'rpi-5' | 'metal-arm64' | 'metal-amd64'
  label: string
  arch: TalosArch
  overlay: { image: string; name: string } | null
  /** The first Talos version the factory builds this board for. */
  minTalos: string
  /** The wired interface's predictable name under Talos: end0 on SBCs, eth0 on most VMs. */
  link: 'end0' | 'eth0'
  notes: string
}

export const talosBoards = [
  {
    id: 'turing-rk1',
    label: 'Turing RK1',
    arch: 'arm64',
    overlay: { image: 'siderolabs/sbc-rockchip', name: 'turingrk1' },
    minTalos: 'v1.9.0-beta.0',
    link: 'end0',
    notes: 'Community-supported. kexec is disabled, so every reboot is a full firmware reboot.',
  },
  {
    id: 'rpi-generic',
    label: 'Raspberry Pi (4, CM4 and earlier)',
    arch: 'arm64',
    overlay: { image: 'siderolabs/sbc-raspberrypi', name: 'rpi_generic' },
    // Overlays exist from Talos 1.7.
    minTalos: 'v1.7.0',
    link: 'end0',
    notes: 'Update the Pi 4 EEPROM first. Reset with --system-labels-to-wipe, or the firmware is wiped.',
  },
  {
    id: 'rpi-5',
    label: 'Raspberry Pi 5',
    arch: 'arm64',
    overlay: { image: 'siderolabs/sbc-raspberrypi', name: 'rpi_5' },
    minTalos: 'v1.12.3',
    link: 'end0',
    notes: 'Supported from Talos 1.12.3 (sbc-raspberrypi v0.1.8).',
  },
  {
    id: 'metal-arm64',
    label: 'Generic metal / VM (arm64)',
    arch: 'arm64',
    overlay: null,
    minTalos: 'v1.0.0',
    link: 'eth0',
    notes: 'No overlay: UEFI arm64 machines and VMs.',
  },
  {
    id: 'metal-amd64',
    label: 'Generic metal / VM (amd64)',
    arch: 'amd64',
    overlay: null,
    minTalos: 'v1.0.0',
    link: 'eth0',
    notes: 'No overlay: x86-64 machines and VMs such as Proxmox.',
  },
] as const satisfies readonly TalosBoard[]

export type TalosBoardId = TalosBoard['id']
export const talosBoardIds = talosBoards.map((board) => board.id) as [TalosBoardId, ...TalosBoardId[]]

export function findBoard(id: string): TalosBoard | undefined {
  return talosBoards.find((board) => board.id === id)
}

/** Why this board cannot be built for this Talos version, or null when it can. */
export function boardVersionProblem(board: TalosBoard, talosVersion: string): string | null {
  return compareTalosVersions(talosVersion, board.minTalos) < 0
    ? `${board.label} needs Talos ${board.minTalos} or later (chosen: ${talosVersion})`
    : null
}
