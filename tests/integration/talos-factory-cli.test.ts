// `clusterdeck image schematic-id|factory-url` as a user runs them: a real process, schematic files
// on disk, a temporary CLUSTERDECK_HOME, and a local imitation of the Image Factory.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.ts'
import { startFakeImageFactory, type FakeImageFactory } from '../support/fake-image-factory.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const longhorn = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245'
const rk1Longhorn = '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae'

let home: ReturnType<typeof makeTempDir>
let factory: FakeImageFactory
let env: NodeJS.ProcessEnv

function file(name: string, text: string): string {
  const path = join(home.path, name)
  writeFileSync(path, text)
  return path
}

beforeAll(async () => {
  home = makeTempDir()
  factory = await startFakeImageFactory()
  env = {
    CLUSTERDECK_HOME: home.path,
    CLUSTERDECK_FACTORY_URL: factory.url,
    CLUSTERDECK_FACTORY_TIMEOUT_MS: '500',
  }
})
afterAll(async () => {
  await factory.close()
  home.remove()
})

describe('clusterdeck image schematic-id', () => {
  it('prints the ID and nothing else, for YAML and JSON, offline', async () => {
    const yaml = file(
      'longhorn.yaml',
      'customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/iscsi-tools\n      - siderolabs/util-linux-tools\n',
    )
    const json = file(
      'rk1.json',
      JSON.stringify({
        overlay: { name: 'turingrk1', image: 'siderolabs/sbc-rockchip' },
        customization: {
          systemExtensions: { officialExtensions: ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools'] },
        },
      }),
    )
    const before = factory.requests.length
    expect(await runCli(['image', 'schematic-id', yaml], { env })).toEqual({
      code: 0,
      stdout: `${longhorn}\n`,
      stderr: '',
    })
    expect(await runCli(['image', 'schematic-id', json], { env })).toEqual({
      code: 0,
      stdout: `${rk1Longhorn}\n`,
      stderr: '',
    })
    expect(factory.requests.length).toBe(before)
  })

  it('keeps the order written (as the factory’s POST does) and says what the web UI would give', async () => {
    const unsorted = file(
      'unsorted.yaml',
      'customization:\n  systemExtensions:\n    officialExtensions: [siderolabs/util-linux-tools, siderolabs/iscsi-tools]\n',
    )
    const run = await runCli(['image', 'schematic-id', unsorted], { env })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/)
    expect(run.stdout).not.toContain(longhorn)
    expect(run.stderr).toContain(
      `web UI would sort the extensions and split the kernel arguments: ${longhorn}`,
    )
    expect(await runCli(['image', 'schematic-id', '--normalize', unsorted], { env })).toEqual({
      code: 0,
      stdout: `${longhorn}\n`,
      stderr: '',
    })
  })

  it('asks the factory when the offline bytes are not certain, and warns when it cannot', async () => {
    const emoji = file('emoji.yaml', 'customization:\n  meta:\n    - key: 12\n      value: "rack 🚀"\n')
    const online = await runCli(['image', 'schematic-id', emoji], { env })
    expect(online.code).toBe(0)
    expect(online.stdout).toMatch(/^[0-9a-f]{64}\n$/)
    expect(factory.requests.at(-1)).toBe('POST /schematics')
    const offline = await runCli(['image', 'schematic-id', '--offline', emoji], { env })
    expect(offline.stdout).toBe(online.stdout)
    expect(offline.stderr).toMatch(/may differ from the factory's: .*Multilingual/)
  })

  it('refuses an invalid schematic with a non-zero status and a clear message', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'customization:\n  extraKernelArgs: [a]\n  foo: 1\n',
        /field foo not found in type schematic.Customization/,
      ],
      ['customization:\n  meta:\n    - key: "10"\n      value: x\n', /META key/],
      ['customization: [\n', /not valid YAML/],
      ['overlay: turingrk1\n', /expected a mapping \(schematic.Overlay\)/],
    ]
    for (const [i, [text, message]] of cases.entries()) {
      const run = await runCli(['image', 'schematic-id', file(`bad-${i}.yaml`, text)], { env })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(message)
    }
    const missing = await runCli(['image', 'schematic-id', join(home.path, 'nope.yaml')], { env })
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/Cannot read .*nope.yaml: ENOENT/)
  })
})

describe('clusterdeck image factory-url', () => {
  it('prints the image URL and the installer image', async () => {
    const rk1 = file('rk1.yaml', 'overlay: {image: siderolabs/sbc-rockchip, name: turingrk1}\n')
    const host = new URL(factory.url).host
    const id = 'df156b82096feda49406ac03aa44e0ace524b7efe4e1f0e144a1e1ae3930f1c0'
    expect(
      await runCli(['image', 'factory-url', '--schematic', rk1, '--talos', '1.9.2', '--arch', 'arm64'], {
        env,
      }),
    ).toEqual({
      code: 0,
      stdout: `${factory.url}/image/${id}/v1.9.2/metal-arm64.raw.xz\n${host}/metal-installer/${id}:v1.9.2\n`,
      stderr: '',
    })
    const installer = await runCli(
      ['image', 'factory-url', '--schematic', rk1, '--talos', 'v1.9.2', '--arch', 'arm64', '--installer'],
      { env },
    )
    expect(installer.stdout).toBe(`${host}/metal-installer/${id}:v1.9.2\n`)
  })

  it('uses raw.zst for metal from 1.8, other platforms, and the public factory by default', async () => {
    const vm = file('vm.yaml', '{}')
    const empty = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba'
    const metal = await runCli(
      ['image', 'factory-url', '--schematic', vm, '--talos', 'v1.13.9', '--arch', 'amd64'],
      {
        env: { ...env, CLUSTERDECK_FACTORY_URL: '' },
      },
    )
    expect(metal.stdout).toBe(
      `https://factory.talos.dev/image/${empty}/v1.13.9/metal-amd64.raw.zst\nfactory.talos.dev/metal-installer/${empty}:v1.13.9\n`,
    )
    const nocloud = await runCli(
      [
        'image',
        'factory-url',
        '--schematic',
        vm,
        '--talos',
        'v1.13.9',
        '--arch',
        'amd64',
        '--platform',
        'nocloud',
      ],
      { env },
    )
    expect(nocloud.stdout.split('\n')[0]).toMatch(/\/nocloud-amd64.raw.xz$/)
    expect(nocloud.stdout.split('\n')[1]).toMatch(/\/nocloud-installer\//)
  })

  it('refuses an amd64 board image, a bad version and a bad architecture', async () => {
    const rk1 = file('rk1b.yaml', 'overlay: {image: siderolabs/sbc-rockchip, name: turingrk1}\n')
    const amd = await runCli(
      ['image', 'factory-url', '--schematic', rk1, '--talos', 'v1.9.2', '--arch', 'amd64'],
      { env },
    )
    expect(amd.code).not.toBe(0)
    expect(amd.stderr).toMatch(/only for arm64/)
    const version = await runCli(
      ['image', 'factory-url', '--schematic', rk1, '--talos', 'latest', '--arch', 'arm64'],
      { env },
    )
    expect(version.stderr).toMatch(/"latest" is not a Talos version/)
    const arch = await runCli(
      ['image', 'factory-url', '--schematic', rk1, '--talos', 'v1.9.2', '--arch', 'x86'],
      { env },
    )
    expect(arch.stderr).toMatch(/--arch must be amd64 or arm64/)
  })
})
