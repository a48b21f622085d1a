// The system tools of a virtual Armbian node, as just-bash custom commands over its ArmbianSystem:
// what the K3s steps (src-shared/k3s) and a person at the node run — host name, time zone,
// passwords, packages, units, kernel modules, the NVMe drive and the eMMC, curl for the pinned K3s install
// script, K3s itself, sudo and the power commands. Each answers with the real tool's output and
// exit status for the cases the steps meet; anything needing root refuses other users.
import { defineCommand, type Command, type ExecResult, type ResolvedCommandContext } from 'just-bash'
import {
  dpkgStanza,
  dpkgStatusPath,
  packageUnitDir,
  readText,
  setPassword,
  sudoRule,
} from './armbian-disk.ts'
import { kernelModules, kernelRelease, type ArmbianSystem } from './armbian-system.ts'
import {
  emmcDevice,
  emmcLsblkEntry,
  emmcRootPartition,
  wipeEmmcSignatures,
  zeroEmmcStart,
  type Emmc,
} from './emmc-device.ts'
import {
  lsblkJson,
  newExt4,
  nvmeDevice,
  nvmeFileSystems,
  nvmeLsblkEntry,
  nvmeTarget,
  type NvmeDrive,
} from './nvme-drive.ts'
import { fstabEntries } from '../../src-shared/k3s/nvme-disk.ts'
import { shellQuote } from '../../src-shared/k3s/remote-command.ts'

type Handler = (args: string[], ctx: ResolvedCommandContext) => Promise<ExecResult>

const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', exitCode: 0 })
const fail = (stderr: string, exitCode = 1, stdout = ''): ExecResult => ({
  stdout,
  stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`,
  exitCode,
})

function text(ctx: ResolvedCommandContext): string {
  return Buffer.from(ctx.stdin as unknown as string, 'latin1').toString('utf8')
}

/** Who runs the command: every user's shell carries USER (ArmbianSystem.shellFor). */
const isRoot = (ctx: ResolvedCommandContext) => ctx.env.get('USER') === 'root'

/** What each package brings: its units and the tools only it provides. */
const packageCatalog: Record<string, { units?: string[]; version: string }> = {
  'open-iscsi': { units: ['iscsid'], version: '2.1.11-1' },
  'nfs-common': { version: '1:2.8.3-1' },
  curl: { version: '8.14.1-2' },
  parted: { version: '3.6-5' },
  'multipath-tools': { units: ['multipathd'], version: '0.11.1-2' },
  jq: { version: '1.7.1-6' },
  vim: { version: '2:9.1.1230-2' },
  htop: { version: '3.4.1-4' },
  'apparmor-utils': { version: '4.1.0-1' },
  'linux-modules-extra': { version: '25.8.1' },
}

/** The tools a package provides: without it installed, they are not there. */
const toolPackages: Record<string, string> = { curl: 'curl', parted: 'parted', iscsiadm: 'open-iscsi' }

export function armbianCommands(system: ArmbianSystem): Command[] {
  const command = (name: string, handler: Handler, { root }: { root?: string } = {}): Command =>
    defineCommand(name, async (args, ctx) => {
      const tool = toolPackages[name]
      if (tool && !(await system.packageInstalled(tool))) return fail(`sh: 1: ${name}: not found`, 127)
      if (root !== undefined && !isRoot(ctx)) return fail(root)
      return handler(args, ctx)
    })
  const nvme = (): NvmeDrive => system.disk.nvme
  const emmc = (): Emmc => system.disk.emmc
  const mountedAt = (device: string) => system.mounts.get(device)
  const busy = (device: string) => {
    if (device === nvmeDevice) return [...system.mounts.keys()].some((d) => d.startsWith(nvmeDevice))
    return system.mounts.has(device)
  }

  return [
    command('hostnamectl', async (args, ctx) => {
      const verb = args.find((a) => !a.startsWith('-'))
      if (verb === 'set-hostname') {
        if (!isRoot(ctx)) return fail('Could not set static hostname: Access denied')
        const name = args[args.indexOf('set-hostname') + 1] ?? ''
        if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(name)) return fail(`Invalid static hostname '${name}'`)
        await system.fs.writeFile('/etc/hostname', `${name}\n`)
        return ok()
      }
      const name = await system.hostname()
      if (args.includes('--static') || verb === 'hostname') return ok(`${name}\n`)
      if (verb === undefined || verb === 'status')
        return ok(
          ` Static hostname: ${name}\n Operating System: Armbian 25.8.1 trixie\n          Kernel: Linux ${kernelRelease}\n    Architecture: arm64\n`,
        )
      return fail(`Unknown command verb '${verb}'.`)
    }),

    command('timedatectl', async (args, ctx) => {
      const zone = ((await readText(system.fs, '/etc/timezone')) ?? 'Etc/UTC').trim()
      const verb = args[0] ?? 'status'
      if (verb === 'show') {
        const property = args[args.indexOf('-p') + 1]
        if (args.includes('-p') && property === 'Timezone')
          return ok(args.includes('--value') ? `${zone}\n` : `Timezone=${zone}\n`)
        return ok(`Timezone=${zone}\nLocalRTC=no\nNTP=yes\nNTPSynchronized=yes\n`)
      }
      if (verb === 'set-timezone') {
        if (!isRoot(ctx)) return fail('Failed to set time zone: Access denied')
        const wanted = args[1] ?? ''
        if (!knownTimeZone(wanted))
          return fail(`Failed to set time zone: Invalid or not installed time zone '${wanted}'`)
        await system.fs.writeFile('/etc/timezone', `${wanted}\n`)
        return ok()
      }
      if (verb === 'status') return ok(`                Time zone: ${zone}\nSystem clock synchronized: yes\n`)
      return fail(`Unknown command verb '${verb}'.`)
    }),

    command(
      'chpasswd',
      async (_args, ctx) => {
        const lines = text(ctx).split('\n').filter(Boolean)
        for (const [i, line] of lines.entries()) {
          const at = line.indexOf(':')
          if (at <= 0) return fail(`chpasswd: line ${i + 1}: missing new password`)
          const user = line.slice(0, at)
          if (!(await system.user(user)))
            return fail(`chpasswd: line ${i + 1}: user '${user}' does not exist`)
          await setPassword(system.fs, user, line.slice(at + 1))
        }
        return ok()
      },
      { root: 'chpasswd: Permission denied.' },
    ),

    command(
      'apt-get',
      async (args) => {
        const words = aptWords(args)
        const verb = words[0]
        if (verb === 'update')
          return ok(
            'Hit:1 http://deb.debian.org/debian trixie InRelease\nHit:2 http://apt.armbian.com trixie InRelease\nReading package lists...\n',
          )
        if (verb !== 'install' && verb !== 'remove' && verb !== 'purge')
          return fail(`E: Invalid operation ${verb}`, 100)
        const names = words.slice(1)
        const unknown = names.find((name) => !packageCatalog[name])
        if (unknown) return fail(`E: Unable to locate package ${unknown}`, 100, 'Reading package lists...\n')
        const installed = await system.installedPackages()
        let out = 'Reading package lists...\nBuilding dependency tree...\n'
        if (verb === 'install') {
          for (const name of names) {
            if (installed.has(name)) {
              out += `${name} is already the newest version (${installed.get(name)}).\n`
              continue
            }
            await system.fs.appendFile(dpkgStatusPath, `\n${dpkgStanza(name, packageCatalog[name]!.version)}`)
            for (const unit of packageCatalog[name]!.units ?? [])
              await system.fs.writeFile(`${packageUnitDir}/${unit}.service`, `[Unit]\nDescription=${unit}\n`)
            out += `Setting up ${name} (${packageCatalog[name]!.version}) ...\n`
          }
        } else {
          const status = (await readText(system.fs, dpkgStatusPath)) ?? ''
          const kept = status.split(/\n\n+/).filter((stanza) => {
            const name = /^Package: (.+)$/m.exec(stanza)?.[1]
            return !names.includes(name ?? '')
          })
          await system.fs.writeFile(dpkgStatusPath, `${kept.join('\n\n').trim()}\n`)
          for (const name of names)
            for (const unit of packageCatalog[name]!.units ?? []) {
              await system.stopUnit(unit)
              await system.setEnabled(unit, false)
              await system.fs.rm(`${packageUnitDir}/${unit}.service`, { force: true })
            }
        }
        return ok(out)
      },
      {
        root: 'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock, are you root?',
      },
    ),

    command('dpkg-query', async (args) => {
      let format = '${binary:Package}\t${Version}\n'
      const names: string[] = []
      for (let i = 0; i < args.length; i++) {
        const arg = args[i]!
        if (arg === '-f' || arg === '--showformat') format = args[++i] ?? ''
        else if (arg.startsWith('-f=') || arg.startsWith('--showformat='))
          format = arg.slice(arg.indexOf('=') + 1)
        else if (!arg.startsWith('-')) names.push(arg)
      }
      const installed = await system.installedPackages()
      let stdout = ''
      let stderr = ''
      for (const name of names) {
        const version = installed.get(name)
        if (version === undefined) {
          stderr += `dpkg-query: no packages found matching ${name}\n`
          continue
        }
        stdout += format
          .replaceAll('${db:Status-Abbrev}', 'ii ')
          .replaceAll('${Status}', 'install ok installed')
          .replaceAll('${binary:Package}', `${name}:arm64`)
          .replaceAll('${Package}', name)
          .replaceAll('${Version}', version)
          .replaceAll('\\n', '\n')
          .replaceAll('\\t', '\t')
      }
      return { stdout, stderr, exitCode: stderr ? 1 : 0 }
    }),

    command('systemctl', async (args, ctx) => systemctl(system, args, ctx)),

    command('journalctl', async (args) => {
      const units = args.flatMap((a, i) =>
        a === '-u' ? [args[i + 1] ?? ''] : a.startsWith('--unit=') ? [a.slice(7)] : [],
      )
      const count = Number(args[args.indexOf('-n') + 1])
      let lines = units.flatMap((u) => system.journals.get(u.replace(/\.service$/, '')) ?? [])
      if (args.includes('-n') && Number.isFinite(count)) lines = lines.slice(-count)
      // `-o cat`: the messages alone, without time, host and unit[pid].
      if (args.includes('cat') && args[args.indexOf('cat') - 1] === '-o')
        lines = lines.map((line) => line.replace(/^.*? \S+\[\d+\]: /, ''))
      return ok(lines.length ? `${lines.join('\n')}\n` : '-- No entries --\n')
    }),

    command(
      'modprobe',
      async (args) => {
        for (const name of args.filter((a) => !a.startsWith('-'))) {
          const module = name.replaceAll('-', '_')
          if (!kernelModules.has(module))
            return fail(
              `modprobe: FATAL: Module ${name} not found in directory /lib/modules/${kernelRelease}`,
            )
          await system.loadModule(module)
        }
        return ok()
      },
      { root: 'modprobe: ERROR: could not insert module: Operation not permitted' },
    ),

    command('lsmod', async () =>
      ok(
        `Module                  Size  Used by\n${[...system.modules].map((m) => `${m.padEnd(24)}16384  0`).join('\n')}\n`,
      ),
    ),

    command('udevadm', async () => ok()),

    command('lsblk', async (args) => {
      const entries: Record<string, () => object> = {
        [emmcDevice]: () => emmcLsblkEntry(emmc()),
        [nvmeDevice]: () => nvmeLsblkEntry(nvme(), system.mounts),
      }
      const asked = args.filter((a) => a.startsWith('/dev/'))
      const unknown = asked.find((device) => !entries[device])
      if (unknown) return fail(`lsblk: ${unknown}: not a block device`, 32)
      if (!args.includes('-J')) return fail('lsblk: only -J output is simulated on this virtual node', 1)
      return ok(lsblkJson((asked.length ? asked : Object.keys(entries)).map((device) => entries[device]!())))
    }),

    command(
      'wipefs',
      async (args) => {
        let out = ''
        const force = args.includes('-f') || args.includes('--force')
        for (const device of args.filter((a) => a.startsWith('/dev/'))) {
          if (device === emmcDevice || device === emmcRootPartition) {
            // The root file system is mounted from it: only --force gets past the exclusive open.
            if (!force)
              return fail(`wipefs: error: ${device}: probing initialization failed: Device or resource busy`)
            out += wipeEmmcSignatures(emmc(), device)
            system.emmcWritten()
            continue
          }
          const target = nvmeTarget(nvme(), device)
          if (!target)
            return fail(`wipefs: error: ${device}: probing initialization failed: No such file or directory`)
          if (busy(device))
            return fail(`wipefs: error: ${device}: probing initialization failed: Device or resource busy`)
          if (target.kind === 'part') {
            if (target.partition.fileSystem)
              out += `${device}: 2 bytes were erased at offset 0x00000438 (${target.partition.fileSystem.fstype})\n`
            target.partition.fileSystem = null
          } else {
            if (nvme().partitions) out += `${device}: 8 bytes were erased at offset 0x00000200 (gpt)\n`
            nvme().partitions = null
            nvme().fileSystem = null
          }
        }
        return ok(out)
      },
      { root: 'wipefs: error: probing initialization failed: Permission denied' },
    ),

    command(
      'dd',
      async (args) => {
        const operand = (key: string) => args.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1)
        const [input, output] = [operand('if'), operand('of')]
        if (input !== '/dev/zero' || output !== emmcDevice)
          return fail('dd: only zeroing the eMMC (if=/dev/zero of=/dev/mmcblk0) is simulated on this node')
        const units: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }
        const [, count, unit] = /^(\d+)([KMG]?)$/.exec(operand('bs') ?? '512') ?? []
        const bytes = Number(count ?? 0) * (units[unit ?? ''] ?? 1) * Number(operand('count') ?? 0)
        zeroEmmcStart(emmc(), bytes)
        system.emmcWritten()
        return ok()
      },
      { root: `dd: failed to open '${emmcDevice}': Permission denied` },
    ),

    command('sync', async () => ok()),

    command(
      'parted',
      async (args) => {
        const device = args.find((a) => a.startsWith('/dev/'))
        if (device !== nvmeDevice)
          return fail(`Error: Could not stat device ${device ?? ''} - No such file or directory.`)
        if (busy(device))
          return fail(
            `Error: Partition(s) on ${device} are being used. You should reboot now before making further changes.`,
          )
        if (args.includes('mklabel')) {
          nvme().fileSystem = null
          nvme().partitions = []
        }
        const parts = args.filter((a) => a === 'mkpart').length
        if (parts > 0 && nvme().partitions === null) return fail(`Error: ${device}: unrecognised disk label`)
        for (let i = 0; i < parts; i++) {
          const list = nvme().partitions!
          list.push({ name: `${device}p${list.length + 1}`, fileSystem: null })
        }
        return ok()
      },
      { root: 'Error: Error opening /dev/nvme0n1: Permission denied' },
    ),

    command(
      'sgdisk',
      async (args) => {
        const device = args.find((a) => a.startsWith('/dev/'))
        if (device !== nvmeDevice) return fail(`Problem opening ${device ?? ''} for reading! Error is 2.`, 2)
        if (args.includes('--zap-all') || args.includes('-Z')) {
          if (busy(device)) return fail('Unable to zap a disk in use.', 2)
          nvme().partitions = null
          return ok(
            'GPT data structures destroyed! You may now partition the disk using fdisk or\nother utilities.\n',
          )
        }
        return ok()
      },
      { root: `Problem opening ${nvmeDevice} for reading! Error is 13.` },
    ),

    command(
      'mkfs.ext4',
      async (args) => {
        const device = args.at(-1) ?? ''
        const label = args.includes('-L') ? (args[args.indexOf('-L') + 1] ?? null) : null
        const target = nvmeTarget(nvme(), device)
        if (!target)
          return fail(
            `mke2fs 1.47.2 (1-Jan-2025)\nThe file ${device} does not exist and no size was specified.`,
          )
        if (busy(device))
          return fail(
            `mke2fs 1.47.2 (1-Jan-2025)\n${device} contains a ext4 file system\n${device} is mounted; will not make a filesystem here!`,
          )
        const fs = newExt4(label)
        if (target.kind === 'part') target.partition.fileSystem = fs
        else {
          nvme().partitions = null
          nvme().fileSystem = fs
        }
        return ok(
          `mke2fs 1.47.2 (1-Jan-2025)\nCreating filesystem with 244190208 4k blocks\nFilesystem UUID: ${fs.uuid}\nWriting superblocks and filesystem accounting information: done\n`,
        )
      },
      { root: 'mke2fs: Permission denied while trying to determine filesystem size' },
    ),

    command('blkid', async (args) => {
      const devices = args.filter((a) => a.startsWith('/dev/'))
      const all = nvmeFileSystems(nvme()).filter((f) => devices.length === 0 || devices.includes(f.device))
      if (all.length === 0) return fail('', 2)
      if (args.includes('-o') && args[args.indexOf('-o') + 1] === 'value') {
        const tag = args.includes('-s') ? args[args.indexOf('-s') + 1] : 'UUID'
        return ok(
          all
            .map(
              (f) => `${tag === 'TYPE' ? f.fs.fstype : tag === 'LABEL' ? (f.fs.label ?? '') : f.fs.uuid}\n`,
            )
            .join(''),
        )
      }
      return ok(
        all
          .map(
            (f) =>
              `${f.device}: ${f.fs.label ? `LABEL="${f.fs.label}" ` : ''}UUID="${f.fs.uuid}" TYPE="${f.fs.fstype}"\n`,
          )
          .join(''),
      )
    }),

    command('mount', async (args, ctx) => {
      const words = args.filter((a) => !a.startsWith('-'))
      if (words.length === 0 && !args.includes('-a'))
        return ok(
          [
            '/dev/mmcblk0p1 on / type ext4 (rw,noatime)',
            ...[...system.mounts].map(([d, m]) => `${d} on ${m} type ext4 (rw,noatime)`),
          ]
            .map((l) => `${l}\n`)
            .join(''),
        )
      if (!isRoot(ctx)) return fail('mount: only root can do that')
      if (args.includes('-a')) {
        await system.mountAll()
        return ok()
      }
      let device: string | undefined
      let target: string
      if (words.length === 1) {
        const entry = fstabEntries((await readText(system.fs, '/etc/fstab')) ?? '').find(
          (e) => e.target === words[0] || e.source === words[0],
        )
        if (!entry) return fail(`mount: ${words[0]}: can't find in /etc/fstab.`, 1)
        device = system.deviceFor(entry.source)
        target = entry.target
        if (!device) return fail(`mount: ${target}: special device ${entry.source} does not exist.`, 32)
      } else {
        device = system.deviceFor(words[0]!)
        target = words[1]!
        if (!device) return fail(`mount: ${target}: special device ${words[0]} does not exist.`, 32)
      }
      if (!(await system.fs.exists(target))) return fail(`mount: ${target}: mount point does not exist.`, 32)
      if (mountedAt(device))
        return fail(`mount: ${target}: ${device} already mounted on ${mountedAt(device)}.`, 32)
      system.mounts.set(device, target)
      return ok()
    }),

    command('umount', async (args, ctx) => {
      if (!isRoot(ctx)) return fail('umount: only root can do that')
      for (const word of args.filter((a) => !a.startsWith('-'))) {
        const entry = [...system.mounts].find(([d, m]) => d === word || m === word)
        if (!entry) return fail(`umount: ${word}: not mounted.`, 32)
        system.mounts.delete(entry[0])
      }
      return ok()
    }),

    command('findmnt', async (args) => {
      const words = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-o')
      const rows = [
        ['/', '/dev/mmcblk0p1', 'ext4'],
        ...[...system.mounts].map(([d, m]) => [m, d, 'ext4']),
      ].filter(([m, d]) => words.length === 0 || words.includes(m!) || words.includes(d!))
      if (rows.length === 0) return fail('', 1)
      const columns = (args.includes('-o') ? args[args.indexOf('-o') + 1]! : 'TARGET,SOURCE,FSTYPE').split(
        ',',
      )
      const pick = (row: string[], column: string) =>
        column === 'SOURCE'
          ? row[1]!
          : column === 'FSTYPE'
            ? row[2]!
            : column === 'OPTIONS'
              ? 'rw,noatime'
              : row[0]!
      const lines = rows.map((row) => columns.map((c) => pick(row, c)).join(' '))
      return ok(`${args.includes('-n') ? '' : `${columns.join(' ')}\n`}${lines.join('\n')}\n`)
    }),

    command('curl', async (args, ctx) => system.k3s.curl(args, ctx)),

    command('k3s', async (args, ctx) => system.k3s.cli(args, ctx)),
    command('virtual-k3s', async (args, ctx) => system.k3s.cli(args, ctx)),
    command('virtual-k3s-install', async (args, ctx) => system.k3s.install(args, ctx)),
    command('virtual-k3s-uninstall', async (args, ctx) => system.k3s.uninstall(args[0] ?? '', ctx)),

    command('env', async (args, ctx) => {
      const vars: Record<string, string> = {}
      while (args[0]?.includes('=') && !args[0].startsWith('=')) {
        const pair = args.shift()!
        vars[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1)
      }
      if (args.length === 0) {
        const all = { ...ctx.exportedEnv, ...vars }
        return ok(
          Object.entries(all)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
        )
      }
      // Exported, so that they reach a script the command runs (`env K=V sh install.sh`).
      const exports = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`)
      const script = `export ${exports.join(' ')}; ${args.map(shellQuote).join(' ')}`
      return ctx.exec!(script, { cwd: ctx.cwd, stdin: text(ctx) })
    }),

    command('umask', async (args) => ok(args.length === 0 ? '0022\n' : '')),

    command('cmp', async (args, ctx) => {
      const silent = args.includes('-s')
      const [a, b] = args.filter((x) => x !== '-s' && x !== '--silent' && x !== '--quiet')
      const read = async (path: string | undefined) =>
        path === '-' || path === undefined ? text(ctx) : readText(system.fs, path)
      const [left, right] = [await read(a), await read(b)]
      if (left === undefined || right === undefined)
        return silent ? fail('', 2) : fail(`cmp: ${left === undefined ? a : b}: No such file or directory`, 2)
      if (left === right) return ok()
      return silent
        ? fail('', 1)
        : { stdout: `${a} ${b ?? '-'} differ: byte 1, line 1\n`, stderr: '', exitCode: 1 }
    }),

    command('id', async (args, ctx) => {
      const user = await system.user(ctx.env.get('USER') ?? 'nobody')
      const uid = user?.uid ?? 0
      const name = user?.name ?? 'root'
      if (args.includes('-u')) return ok(args.includes('-n') ? `${name}\n` : `${uid}\n`)
      if (args.includes('-un') || (args.includes('-n') && args.includes('-u'))) return ok(`${name}\n`)
      const sudo = uid !== 0 && (await sudoRule(system.fs, name)) !== 'none' ? ',27(sudo)' : ''
      return ok(`uid=${uid}(${name}) gid=${uid}(${name}) groups=${uid}(${name})${sudo}\n`)
    }),

    command('whoami', async (_args, ctx) => ok(`${ctx.env.get('USER') ?? 'nobody'}\n`)),

    command('hostname', async (args) => {
      if (args.includes('-I')) return ok(`${system.address} \n`)
      return ok(`${await system.hostname()}\n`)
    }),

    command('uname', async (args) => {
      const host = await system.hostname()
      const fields: Record<string, string> = {
        '-s': 'Linux',
        '-n': host,
        '-r': kernelRelease,
        '-v': '#1 SMP PREEMPT',
        '-m': 'aarch64',
        '-o': 'GNU/Linux',
      }
      if (args.includes('-a')) return ok(`Linux ${host} ${kernelRelease} #1 SMP PREEMPT aarch64 GNU/Linux\n`)
      const picked = args.flatMap((a) =>
        a.startsWith('-') ? [...a.slice(1)].map((c) => fields[`-${c}`] ?? '') : [],
      )
      return ok(`${(picked.length ? picked : ['Linux']).join(' ')}\n`)
    }),

    command('sudo', async (args, ctx) => {
      const user = ctx.env.get('USER') ?? 'nobody'
      let stdin = text(ctx)
      let i = 0
      for (; i < args.length; i++) {
        const arg = args[i]!
        if (arg === '--') {
          i++
          break
        }
        if (!arg.startsWith('-')) break
        if (arg === '-p' || arg === '-u') i++
      }
      const rest = args.slice(i)
      if (rest.length === 0) return fail('usage: sudo -h | -K | -k | -V', 1)
      const rule = await sudoRule(system.fs, user)
      if (rule === 'none') return fail(`${user} is not in the sudoers file.`)
      if (rule === 'password') {
        if (!args.includes('-S'))
          return fail(
            'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper',
          )
        const newline = stdin.indexOf('\n')
        const password = newline >= 0 ? stdin.slice(0, newline) : stdin
        stdin = newline >= 0 ? stdin.slice(newline + 1) : ''
        if (!(await system.passwordOk(user, password))) return fail('sudo: 1 incorrect password attempt')
      }
      const root = (await system.user('root'))!
      return system
        .shellFor(root)
        .exec(rest.map(shellQuote).join(' '), { cwd: ctx.cwd, stdin, rawScript: true })
    }),

    ...(['shutdown', 'reboot', 'poweroff', 'halt'] as const).map((name) =>
      command(
        name,
        async (args) => {
          const reboot = name === 'reboot' || (name === 'shutdown' && args.includes('-r'))
          if (reboot) system.power.reboot()
          else system.power.powerOff()
          return ok()
        },
        { root: `Failed to ${name === 'reboot' ? 'reboot' : 'power off'} system via logind: Access denied` },
      ),
    ),
  ]
}

async function systemctl(
  system: ArmbianSystem,
  args: string[],
  ctx: ResolvedCommandContext,
): Promise<ExecResult> {
  const quiet = args.includes('--quiet') || args.includes('-q')
  const now = args.includes('--now')
  const noBlock = args.includes('--no-block')
  const [verb, ...rest] = args.filter((a) => !a.startsWith('-'))
  const units = rest.map((u) => u.replace(/\.service$/, ''))
  const say = (line: string) => (quiet ? '' : `${line}\n`)
  const privileged = [
    'enable',
    'disable',
    'start',
    'stop',
    'restart',
    'try-restart',
    'reload-or-restart',
    'daemon-reload',
  ]
  if (privileged.includes(verb ?? '') && !isRoot(ctx))
    return fail(`Failed to ${verb} ${units.join(' ')}: Access denied`, 4)
  switch (verb) {
    case 'daemon-reload':
      return ok()
    case 'is-enabled': {
      let out = ''
      let code = 0
      for (const unit of units) {
        if (!(await system.unitFile(unit))) {
          return fail(
            quiet ? '' : `Failed to get unit file state for ${unit}.service: No such file or directory`,
            1,
          )
        }
        const enabled = await system.unitEnabled(unit)
        out += say(enabled ? 'enabled' : 'disabled')
        if (!enabled) code = 1
      }
      return { stdout: out, stderr: '', exitCode: code }
    }
    case 'is-active':
    case 'is-failed': {
      let out = ''
      let code = verb === 'is-active' ? 0 : 1
      for (const unit of units) {
        const state = system.active.has(unit) ? 'active' : system.failed.has(unit) ? 'failed' : 'inactive'
        out += say(state)
        if (verb === 'is-active' && state !== 'active') code = 3
        if (verb === 'is-failed' && state === 'failed') code = 0
      }
      return { stdout: out, stderr: '', exitCode: code }
    }
    case 'enable':
    case 'disable': {
      let err = ''
      for (const unit of units) {
        if (!(await system.unitFile(unit)))
          return fail(`Failed to ${verb} unit: Unit file ${unit}.service does not exist.`)
        const before = await system.unitEnabled(unit)
        await system.setEnabled(unit, verb === 'enable')
        if (verb === 'enable' && !before)
          err += `Created symlink '/etc/systemd/system/multi-user.target.wants/${unit}.service' → '${await system.unitFile(unit)}'.\n`
        if (verb === 'disable' && before)
          err += `Removed '/etc/systemd/system/multi-user.target.wants/${unit}.service'.\n`
        if (now) {
          if (verb === 'enable') await system.startUnit(unit)
          else await system.stopUnit(unit)
        }
      }
      const failedUnit = units.find((u) => system.failed.has(u))
      if (failedUnit) return fail(`${err}${jobFailed(failedUnit)}`)
      return { stdout: '', stderr: err, exitCode: 0 }
    }
    case 'start':
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
    case 'stop': {
      for (const unit of units) {
        // try-restart leaves a unit alone that does not run (or is not there at all).
        if (verb === 'try-restart' && !system.active.has(unit)) continue
        if (!(await system.unitFile(unit)))
          return fail(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.`, 5)
        if (verb === 'stop') {
          await system.stopUnit(unit)
          continue
        }
        const started = system.startUnit(unit, verb !== 'start')
        if (noBlock) continue
        await started
        if (system.failed.has(unit)) return fail(jobFailed(unit), 1)
      }
      return ok()
    }
    case 'show': {
      // `systemctl show [-p NAME]... [--value] UNIT`: the unit's state as key=value lines. The
      // simulation restarts nothing by itself (a failed K3s stays failed), so NRestarts stays 0.
      const names = args.flatMap((a, i) =>
        a === '-p' || a === '--property'
          ? (args[i + 1] ?? '').split(',')
          : a.startsWith('--property=')
            ? a.slice(11).split(',')
            : [],
      )
      const unit = args.filter(
        (a, i) => !a.startsWith('-') && args[i - 1] !== '-p' && args[i - 1] !== '--property',
      )[1]
      const name = (unit ?? '').replace(/\.service$/, '')
      const [active, sub] = system.active.has(name)
        ? ['active', 'running']
        : system.starting(name)
          ? ['activating', 'start']
          : system.failed.has(name)
            ? ['failed', 'failed']
            : ['inactive', 'dead']
      const values: Record<string, string> = {
        Id: `${name}.service`,
        LoadState: (await system.unitFile(name)) ? 'loaded' : 'not-found',
        ActiveState: active,
        SubState: sub,
        NRestarts: '0',
      }
      const shown = names.length ? names : Object.keys(values)
      const lines = shown.map((key) =>
        args.includes('--value') ? (values[key] ?? '') : `${key}=${values[key] ?? ''}`,
      )
      return ok(`${lines.join('\n')}\n`)
    }
    case 'status': {
      const unit = units[0] ?? ''
      if (!(await system.unitFile(unit))) return fail(`Unit ${unit}.service could not be found.`, 4)
      const state = system.active.has(unit)
        ? 'active (running)'
        : system.failed.has(unit)
          ? 'failed (Result: exit-code)'
          : 'inactive (dead)'
      const enabled = (await system.unitEnabled(unit)) ? 'enabled' : 'disabled'
      const journal = (system.journals.get(unit) ?? []).slice(-10)
      return {
        stdout: `● ${unit}.service\n     Loaded: loaded (${await system.unitFile(unit)}; ${enabled})\n     Active: ${state}\n${journal.length ? `\n${journal.join('\n')}\n` : ''}`,
        stderr: '',
        exitCode: system.active.has(unit) ? 0 : 3,
      }
    }
    default:
      return fail(`Unknown command verb '${verb ?? ''}'.`)
  }
}

function jobFailed(unit: string): string {
  return `Job for ${unit}.service failed because the control process exited with error code.\nSee "systemctl status ${unit}.service" and "journalctl -xeu ${unit}.service" for details.`
}

/** apt-get's words without its options (`-o Key=Value` takes the next word). */
function aptWords(args: string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-o' || arg === '-c' || arg === '-t') i++
    else if (!arg.startsWith('-')) words.push(arg)
  }
  return words
}

function knownTimeZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Etc/UTC') return true
  try {
    // Throws a RangeError for a zone the time zone database does not have.
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
