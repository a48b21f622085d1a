// A stand-in for a Debian node's root file system, to run the K3s steps' real shell commands with a
// real POSIX sh in tests: /etc, /sys, /var, /dev and /root in the commands point into a temporary
// directory, and the system tools that would change the machine (hostnamectl, dpkg-query, apt-get,
// systemctl, modprobe, timedatectl, chpasswd; others a test installs) are small scripts that keep their state
// there. Everything else (grep, sed, cmp, cat) is the machine's own.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import { makeTempDir } from './temp-dir.ts'

const stubs: Record<string, string> = {
  hostnamectl: `case "$1" in
  --static) cat "$ROOT/etc/hostname" ;;
  set-hostname) printf '%s\\n' "$2" > "$ROOT/etc/hostname" ;;
  *) exit 2 ;;
esac`,
  'dpkg-query': `for last; do :; done
grep -qx "$last" "$ROOT/var/lib/dpkg/sandbox-installed" 2>/dev/null || exit 1
printf 'ii '`,
  'apt-get': `echo "apt-get $*" >> "$ROOT/calls"
installing=
for arg; do
  case "$arg" in
    install) installing=1 ;;
    -*|*::*) ;;
    *) [ -n "$installing" ] && echo "$arg" >> "$ROOT/var/lib/dpkg/sandbox-installed" ;;
  esac
done
exit 0`,
  systemctl: `echo "systemctl $*" >> "$ROOT/calls"
verb=$1; shift
for unit; do :; done
case "$verb" in
  is-enabled) test -e "$ROOT/state/enabled/$unit" ;;
  is-active) test -e "$ROOT/state/active/$unit" ;;
  enable) touch "$ROOT/state/enabled/$unit"; [ "$1" = --now ] && touch "$ROOT/state/active/$unit"; exit 0 ;;
  start|restart|try-restart)
    [ "$verb" = try-restart ] && ! [ -e "$ROOT/state/active/$unit" ] && exit 0
    # A unit a test made fail (state/failing/UNIT holds its journal lines) fails on every start.
    mkdir -p "$ROOT/state/active" "$ROOT/state/failed" "$ROOT/state/journal"
    if [ -e "$ROOT/state/failing/$unit" ]; then
      rm -f "$ROOT/state/active/$unit"; touch "$ROOT/state/failed/$unit"
      cat "$ROOT/state/failing/$unit" >> "$ROOT/state/journal/$unit"
    else
      rm -f "$ROOT/state/failed/$unit"; touch "$ROOT/state/active/$unit"
    fi ;;
  stop) rm -f "$ROOT/state/active/$unit" ;;
  show)
    if [ -e "$ROOT/state/active/$unit" ]; then echo ActiveState=active; echo SubState=running
    elif [ -e "$ROOT/state/failed/$unit" ]; then echo ActiveState=failed; echo SubState=failed
    else echo ActiveState=inactive; echo SubState=dead; fi
    echo NRestarts=0 ;;
  *) exit 0 ;;
esac`,
  journalctl: `unit=; prev=
for arg; do [ "$prev" = -u ] && unit=$arg; prev=$arg; done
cat "$ROOT/state/journal/$unit" 2>/dev/null || echo '-- No entries --'`,
  modprobe: `echo "modprobe $*" >> "$ROOT/calls"; mkdir -p "$ROOT/sys/module/$1"`,
  timedatectl: `case "$1" in
  show) cat "$ROOT/state/timezone" ;;
  set-timezone) printf '%s\n' "$2" > "$ROOT/state/timezone" ;;
  *) exit 2 ;;
esac`,
  // Keeps what it was given, so a test can check the password went on stdin.
  chpasswd: `echo chpasswd >> "$ROOT/calls"; cat >> "$ROOT/state/chpasswd"`,
}

export interface SandboxNode {
  root: string
  run(command: RemoteCommand): number
  /** Runs the command and returns what an SSH exec would: exit status, stdout and stderr. */
  exec(command: RemoteCommand): { exitCode: number; stdout: string; stderr: string }
  /** Every stubbed tool call so far, one per line. */
  calls(): string[]
  write(path: string, content: string): void
  read(path: string): string
  installTool(name: string, script: string): void
  remove(): void
}

export function sandboxNode(): SandboxNode {
  const temp = makeTempDir('sandbox-node-')
  const root = temp.path
  const bin = join(root, 'bin')
  for (const dir of [
    'bin',
    'etc',
    'root',
    'sys/module',
    'var/lib/dpkg',
    'state/enabled',
    'state/active',
    'dev',
  ])
    mkdirSync(join(root, dir), { recursive: true })
  symlinkSync('/dev/null', join(root, 'dev/null'))
  writeFileSync(join(root, 'calls'), '')
  const installTool = (name: string, script: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`)
    chmodSync(join(bin, name), 0o755)
  }
  for (const [name, script] of Object.entries(stubs)) installTool(name, script)
  const inRoot = (text: string) => text.replace(/(^|[\s'"=>])\/(etc|sys|var|dev|root)\//g, `$1${root}/$2/`)
  const exec = ({ command, stdin }: RemoteCommand) => {
    const result = spawnSync('sh', ['-c', inRoot(command)], {
      input: stdin ?? '',
      env: { PATH: `${bin}:/usr/bin:/bin`, ROOT: root },
      encoding: 'utf8',
    })
    return { exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
  }
  return {
    root,
    run: (command) => exec(command).exitCode,
    exec,
    calls: () => readFileSync(join(root, 'calls'), 'utf8').split('\n').filter(Boolean),
    write(path, content) {
      const full = join(root, path)
      mkdirSync(full.slice(0, full.lastIndexOf('/')), { recursive: true })
      writeFileSync(full, content)
    },
    read: (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : ''),
    installTool,
    remove: temp.remove,
  }
}
