// Extension presets for the schematic builder (seed 000 phase 1, talos.md §3.3–3.4).
import type { TalosBoard } from './boards.ts'

export interface ExtensionPreset {
  id: 'longhorn' | 'longhorn-nfs' | 'full'
  label: string
  description: string
}

export const extensionPresets = [
  {
    id: 'longhorn',
    label: 'Longhorn',
    description:
      'iscsi-tools (iscsid, iscsiadm) and util-linux-tools (fstrim): what Longhorn needs on Talos.',
  },
  {
    id: 'longhorn-nfs',
    label: 'Longhorn + NFS',
    description: 'Longhorn plus nfs-utils, for RWX volumes and NFS backup targets.',
  },
  {
    id: 'full',
    label: 'Full',
    description:
      'Everything Clusterdeck uses later: Longhorn + NFS, and the QEMU guest agent on amd64 VMs (Proxmox). ' +
      'Nothing that needs its own configuration to start (e.g. tailscale) and no board-specific firmware.',
  },
] as const satisfies readonly ExtensionPreset[]

export type ExtensionPresetId = ExtensionPreset['id']
export const extensionPresetIds = extensionPresets.map((preset) => preset.id) as [
  ExtensionPresetId,
  ...ExtensionPresetId[],
]

const longhorn = ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools']

/** The official extension names of a preset for a board (the guest agent only makes sense in a VM). */
export function presetExtensions(
  preset: ExtensionPresetId,
  board?: Pick<TalosBoard, 'arch' | 'overlay'>,
): string[] {
  switch (preset) {
    case 'longhorn':
      return [...longhorn]
    case 'longhorn-nfs':
      return [...longhorn, 'siderolabs/nfs-utils']
    case 'full':
      return [
        ...longhorn,
        'siderolabs/nfs-utils',
        ...(board && board.overlay === null && board.arch === 'amd64' ? ['siderolabs/qemu-guest-agent'] : []),
      ]
  }
}
