// The builder's form state and its way to a schematic: the shared builder does the work; here the
// form's network fields become its input, and a saved schematic becomes form state again.
import { parse } from 'yaml'
import { findBoard, type TalosBoard, type TalosBoardId } from '../../../src-shared/talos/boards.ts'
import {
  metalNetworkMetaKey,
  staticNetworkSchema,
  type StaticNetworkInput,
} from '../../../src-shared/talos/meta-network.ts'
import {
  extensionPresets,
  presetExtensions,
  type ExtensionPresetId,
} from '../../../src-shared/talos/presets.ts'
import { buildSchematic } from '../../../src-shared/talos/schematic-builder.ts'
import type { Schematic } from '../../../src-shared/talos/schematic.ts'

export interface NetworkForm {
  address: string
  link: string
  gateway: string
  hostname: string
  /** Comma- or space-separated, as typed. */
  resolvers: string
}

export interface BuilderForm {
  board: TalosBoardId
  preset: ExtensionPresetId | 'none'
  /** Extensions picked in addition to the preset's. */
  extensions: string[]
  kernelArgs: string
  /** Null: DHCP, no META key 10. */
  network: NetworkForm | null
}

/** A blank static network, on the board's own wired interface. */
export function emptyNetwork(board: TalosBoard): NetworkForm {
  return { address: '', link: board.link, gateway: '', hostname: '', resolvers: '' }
}

/**
 * The form on another board. An interface the user left at the old board's name follows the new
 * board (eth0 on a VM becomes end0 on the RK1); one typed by hand stays.
 */
export function withBoard(form: BuilderForm, board: TalosBoardId): BuilderForm {
  const from = findBoard(form.board)
  const to = findBoard(board)
  const network =
    form.network && from && to && form.network.link.trim() === from.link
      ? { ...form.network, link: to.link }
      : form.network
  return { ...form, board, network }
}

export type Built =
  { schematic: Schematic; networkIssues: null } | { schematic: null; networkIssues: Record<string, string> }

export function networkInput(form: NetworkForm, board: TalosBoard): StaticNetworkInput {
  const resolvers = form.resolvers.split(/[\s,]+/).filter(Boolean)
  return {
    address: form.address.trim(),
    link: form.link.trim() || board.link,
    ...(form.gateway.trim() ? { gateway: form.gateway.trim() } : {}),
    ...(form.hostname.trim() ? { hostname: form.hostname.trim() } : {}),
    resolvers,
  }
}

/** The schematic of the form, or what is wrong with its network fields (by field name). */
export function buildFromForm(form: BuilderForm): Built {
  let network: StaticNetworkInput | undefined
  const board = findBoard(form.board)
  if (form.network && board) {
    const parsed = staticNetworkSchema.safeParse(networkInput(form.network, board))
    if (!parsed.success) {
      const issues: Record<string, string> = {}
      for (const issue of parsed.error.issues) issues[String(issue.path[0] ?? 'address')] ??= issue.message
      return { schematic: null, networkIssues: issues }
    }
    network = networkInput(form.network, board)
  }
  return {
    schematic: buildSchematic({
      board: form.board,
      presets: form.preset === 'none' ? [] : [form.preset],
      extensions: form.extensions,
      kernelArgs: form.kernelArgs,
      ...(network ? { network } : {}),
    }),
    networkIssues: null,
  }
}

/**
 * A saved schematic back into the form. The board comes from the overlay (metal keeps the current
 * architecture: a schematic does not record it); the extensions become the preset they equal.
 */
export function formFromSchematic(schematic: Schematic, current: BuilderForm): BuilderForm {
  const overlayName = schematic.overlay?.name
  const board: TalosBoardId = overlayName
    ? (boardByOverlay(overlayName) ?? current.board)
    : findBoard(current.board)?.overlay
      ? 'metal-arm64'
      : current.board
  const extensions = schematic.customization?.systemExtensions?.officialExtensions ?? []
  // The largest preset the extensions contain; of equal ones (full is longhorn-nfs on arm64) the first.
  let preset: BuilderForm['preset'] = 'none'
  let presetSize = 0
  for (const { id } of extensionPresets) {
    const names = presetExtensions(id, findBoard(board))
    if (names.length > presetSize && names.every((name) => extensions.includes(name))) {
      preset = id
      presetSize = names.length
    }
  }
  const fromPreset = preset === 'none' ? [] : presetExtensions(preset, findBoard(board))
  const meta = schematic.customization?.meta?.find((entry) => entry.key === metalNetworkMetaKey)
  return {
    board,
    preset,
    extensions: extensions.filter((name) => !fromPreset.includes(name)),
    kernelArgs: (schematic.customization?.extraKernelArgs ?? []).join(' '),
    network: meta ? networkFromMeta(meta.value, findBoard(board)!) : null,
  }
}

function boardByOverlay(name: string): TalosBoardId | undefined {
  return (['turing-rk1', 'rpi-generic', 'rpi-5'] as const).find((id) => findBoard(id)?.overlay?.name === name)
}

interface MetaDocument {
  addresses?: Array<{ address?: string; linkName?: string }>
  routes?: Array<{ gateway?: string }>
  hostnames?: Array<{ hostname?: string }>
  resolvers?: Array<{ dnsServers?: string[] }>
}

/** META key 10 as Clusterdeck writes it, read back; anything else keeps what can be read. */
function networkFromMeta(value: string, board: TalosBoard): NetworkForm {
  let doc: MetaDocument = {}
  try {
    doc = (parse(value) as MetaDocument | null) ?? {}
  } catch {
    // An unreadable value leaves the fields empty for the user to fill in.
  }
  return {
    address: doc.addresses?.[0]?.address ?? '',
    link: doc.addresses?.[0]?.linkName ?? board.link,
    gateway: doc.routes?.[0]?.gateway ?? '',
    hostname: doc.hostnames?.[0]?.hostname ?? '',
    resolvers: (doc.resolvers?.[0]?.dnsServers ?? []).join(', '),
  }
}
