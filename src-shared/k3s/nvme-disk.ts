// The NVMe drive for Longhorn (K3s reference §3.4): what `lsblk` says is on it decides what
// happens, one stage at a time — a blank drive is partitioned and formatted, a drive with our own
// file system (ext4 labelled "longhorn", or any ext4/XFS already mounted at the mount point) is
// mounted by UUID through /etc/fstab, and a drive holding anything else is only erased after the
// user typed the confirmation phrase naming the node and the device. A drive with a file system
// mounted elsewhere (it may hold the root file system) is never touched. The step reads the drive
// again after each stage and plans anew, so a run stopped between stages resumes where it was.
import { z } from 'zod'
import { AppError } from '../contract/app-error.ts'
import { shellQuote, writeFileCommand, type RemoteCommand } from './remote-command.ts'

export const nvmeLabel = 'longhorn'
export const fstabPath = '/etc/fstab'

export function lsblkCommand(device: string): RemoteCommand {
  // -p: full paths, so a partition's name comes from the kernel and is not guessed.
  return { command: `lsblk -J -p -o NAME,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS ${shellQuote(device)}` }
}

export interface BlockDevice {
  name: string
  size: string | number
  type: string
  fstype: string | null
  label: string | null
  uuid: string | null
  mountpoints: (string | null)[]
  children?: BlockDevice[] | undefined
}

const blockDeviceSchema: z.ZodType<BlockDevice> = z.lazy(() =>
  z.object({
    name: z.string().min(1),
    size: z.union([z.string(), z.number()]),
    type: z.string(),
    fstype: z.string().nullable(),
    label: z.string().nullable().default(null),
    uuid: z
      .string()
      .regex(/^[0-9A-Fa-f-]{4,36}$/)
      .nullable(),
    mountpoints: z.array(z.string().nullable()).default([]),
    children: z.array(blockDeviceSchema).optional(),
  }),
)

const lsblkSchema = z.object({ blockdevices: z.array(blockDeviceSchema) })

/** Every device `lsblk -J` describes, each with its partitions; `what` names them in an error. */
export function parseLsblkDevices(text: string, what: string): BlockDevice[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw unreadable(what, 'is not JSON')
  }
  const parsed = lsblkSchema.safeParse(json)
  if (!parsed.success)
    throw unreadable(what, `does not have the expected fields (${parsed.error.issues[0]?.path.join('.')})`)
  return parsed.data.blockdevices
}

/** The drive `device` as `lsblk -J` describes it. */
export function parseLsblk(text: string, device: string): BlockDevice {
  const disk = parseLsblkDevices(text, device).find((d) => d.name === device)
  if (!disk) throw unreadable(device, 'does not list it')
  if (disk.type !== 'disk')
    throw new AppError(
      'invalid_input',
      `${device} is a ${disk.type}, not a whole drive.`,
      'Name the drive itself in the profile, e.g. /dev/nvme0n1.',
    )
  return disk
}

export function confirmationPhrase(hostname: string, device: string): string {
  return `erase ${device} on ${hostname}`
}

export type NvmePlan =
  | { kind: 'done'; uuid: string }
  /** The drive holds data: ask the user to type `phrase`, then plan again with it. */
  | { kind: 'needs-confirmation'; holds: string[]; phrase: string }
  | { kind: 'format' | 'mount'; commands: RemoteCommand[] }

export interface NvmeInput {
  hostname: string
  device: string
  mountPoint: string
  disk: BlockDevice
  /** /etc/fstab as it is on the node. */
  fstab: string
  /** What the user typed to allow erasing a drive that holds data. */
  confirmation?: string | undefined
}

export function planNvme(input: NvmeInput): NvmePlan {
  const { device, mountPoint, disk } = input
  const all = [disk, ...(disk.children ?? [])]
  const elsewhere = all.flatMap((d) =>
    d.mountpoints
      .filter((m): m is string => m !== null && m !== mountPoint)
      .map((m) => `${d.name} is mounted at ${m}`),
  )
  if (elsewhere.length > 0)
    throw new AppError(
      'conflict',
      `${device} on ${input.hostname} is in use: ${elsewhere.join(', ')}.`,
      'Clusterdeck never erases a mounted drive. Name another drive in the profile, or unmount it on the node first.',
    )

  const usable = all.find(
    (d) =>
      d.uuid !== null &&
      ((d.fstype === 'ext4' && d.label === nvmeLabel && disk.children?.length === 1) ||
        (d.mountpoints.includes(mountPoint) && (d.fstype === 'ext4' || d.fstype === 'xfs'))),
  )
  if (usable) return mountPlan(input, usable)

  const blank = !disk.children?.length && disk.fstype === null
  if (blank) return { kind: 'format', commands: formatCommands(device, []) }
  const phrase = confirmationPhrase(input.hostname, device)
  if (input.confirmation?.trim() !== phrase)
    return { kind: 'needs-confirmation', holds: describe(all), phrase }
  return { kind: 'format', commands: formatCommands(device, all.map((d) => d.name).reverse()) }
}

/** `erase`: the devices whose signatures go first, partitions before the drive. */
function formatCommands(device: string, erase: string[]): RemoteCommand[] {
  const wipe = erase.map((name) => `wipefs -a ${shellQuote(name)}`).join(' && ')
  return [
    ...(wipe ? [{ command: wipe }] : []),
    { command: `parted -s ${shellQuote(device)} mklabel gpt mkpart ${nvmeLabel} ext4 0% 100%` },
    { command: 'udevadm settle' },
    { command: `mkfs.ext4 -F -L ${nvmeLabel} ${shellQuote(partitionPath(device))}` },
  ]
}

/** The first partition's name: nvme0n1 → nvme0n1p1, sda → sda1 (a "p" after a trailing digit). */
export function partitionPath(device: string): string {
  return /\d$/.test(device) ? `${device}p1` : `${device}1`
}

function mountPlan(input: NvmeInput, fs: BlockDevice): NvmePlan {
  const uuid = fs.uuid!
  const line = `UUID=${uuid} ${input.mountPoint} ${fs.fstype} defaults,nofail,noatime 0 2`
  const entries = fstabEntries(input.fstab).filter((e) => e.target === input.mountPoint)
  const inFstab = entries.length === 1 && entries[0]!.source === `UUID=${uuid}`
  const mounted = fs.mountpoints.includes(input.mountPoint)
  if (inFstab && mounted) return { kind: 'done', uuid }
  const commands: RemoteCommand[] = []
  if (!inFstab) {
    // Another entry for the mount point (an earlier drive's UUID) is replaced, not doubled.
    // `nofail`: the node still boots when the drive fails.
    const trimmed = input.fstab.replace(/\n+$/, '')
    const kept = (trimmed === '' ? [] : trimmed.split('\n')).filter(
      (l) => fstabEntry(l)?.target !== input.mountPoint,
    )
    const text = `${[...kept, line].join('\n')}\n`
    commands.push(
      { command: `cp -p ${fstabPath} ${fstabPath}.clusterdeck-backup` },
      writeFileCommand(fstabPath, text, { mode: 0o644 }),
      { command: 'systemctl daemon-reload' },
    )
  }
  if (!mounted)
    commands.push({
      command: `mkdir -p ${shellQuote(input.mountPoint)} && mount ${shellQuote(input.mountPoint)}`,
    })
  return { kind: 'mount', commands }
}

interface FstabEntry {
  source: string
  target: string
}

function fstabEntry(line: string): FstabEntry | null {
  const fields = line.trim().split(/\s+/)
  if (fields.length < 2 || fields[0]!.startsWith('#')) return null
  return { source: fields[0]!, target: fields[1]! }
}

export function fstabEntries(fstab: string): FstabEntry[] {
  return fstab.split('\n').flatMap((l) => fstabEntry(l) ?? [])
}

function describe(devices: BlockDevice[]): string[] {
  return devices
    .filter((d) => d.fstype !== null || d.type === 'part')
    .map(
      (d) =>
        `${d.name}: ${d.type}, ${d.size}${d.fstype ? `, ${d.fstype}` : ''}${d.label ? ` "${d.label}"` : ''}`,
    )
}

function unreadable(device: string, problem: string): AppError {
  return new AppError(
    'tool_failed',
    `lsblk's description of ${device} ${problem}.`,
    'Check that the drive exists on the node (lsblk) and that util-linux is 2.37 or newer.',
  )
}
