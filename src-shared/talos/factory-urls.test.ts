import { describe, expect, it } from 'vitest'
import {
  compareTalosVersions,
  imageUrl,
  installerImage,
  installerImageOf,
  normalizeTalosVersion,
} from './factory-urls.ts'

const id = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245'

describe('factory URLs', () => {
  it('names SBC images metal-arm64.raw.xz whatever the version', () => {
    expect(imageUrl({ schematicId: id, talosVersion: '1.9.2', arch: 'arm64', sbc: true })).toBe(
      `https://factory.talos.dev/image/${id}/v1.9.2/metal-arm64.raw.xz`,
    )
  })

  it('uses raw.zst for metal from Talos 1.8 and raw.xz before', () => {
    expect(imageUrl({ schematicId: id, talosVersion: 'v1.8.0', arch: 'amd64' })).toMatch(
      /\/v1.8.0\/metal-amd64.raw.zst$/,
    )
    expect(imageUrl({ schematicId: id, talosVersion: 'v1.8.0-alpha.1', arch: 'amd64' })).toMatch(
      /metal-amd64.raw.xz$/,
    )
    expect(imageUrl({ schematicId: id, talosVersion: 'v1.7.6', arch: 'arm64' })).toMatch(
      /metal-arm64.raw.xz$/,
    )
    expect(
      imageUrl({ schematicId: id, talosVersion: 'v1.13.9', arch: 'amd64', platform: 'nocloud' }),
    ).toMatch(/nocloud-amd64.raw.xz$/)
    expect(imageUrl({ schematicId: id, talosVersion: 'v1.13.9', arch: 'amd64', format: 'iso' })).toMatch(
      /metal-amd64.iso$/,
    )
  })

  it('follows a configured factory, and builds the installer reference from its host', () => {
    expect(
      imageUrl({
        schematicId: id,
        talosVersion: 'v1.13.9',
        arch: 'amd64',
        factoryUrl: 'http://127.0.0.1:8080/',
      }),
    ).toBe(`http://127.0.0.1:8080/image/${id}/v1.13.9/metal-amd64.raw.zst`)
    expect(installerImage({ schematicId: id, talosVersion: '1.13.9' })).toBe(
      `factory.talos.dev/metal-installer/${id}:v1.13.9`,
    )
    expect(
      installerImage({
        schematicId: id,
        talosVersion: 'v1.13.9',
        secureboot: true,
        factoryUrl: 'https://f.example:8443',
      }),
    ).toBe(`f.example:8443/metal-installer-secureboot/${id}:v1.13.9`)
  })

  it('refuses a board image for amd64, a bad ID or version', () => {
    expect(() => imageUrl({ schematicId: id, talosVersion: 'v1.9.2', arch: 'amd64', sbc: true })).toThrow(
      /arm64/,
    )
    expect(() => imageUrl({ schematicId: 'abc', talosVersion: 'v1.9.2', arch: 'amd64' })).toThrow(
      /schematic ID/,
    )
    expect(() => normalizeTalosVersion('latest')).toThrow(/Talos version/)
  })

  it('orders versions with prereleases before their release', () => {
    const sorted = [
      'v1.10.0',
      'v1.9.0',
      'v1.9.0-beta.0',
      'v1.9.0-alpha.2',
      'v1.9.0-alpha.10',
      'v1.12.3',
    ].sort(compareTalosVersions)
    expect(sorted).toEqual([
      'v1.9.0-alpha.2',
      'v1.9.0-alpha.10',
      'v1.9.0-beta.0',
      'v1.9.0',
      'v1.10.0',
      'v1.12.3',
    ])
  })
})

describe('installerImageOf', () => {
  const rk1 = '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae'
  it('names the installer of the schematic a factory image was downloaded from', () => {
    expect(
      installerImageOf(imageUrl({ schematicId: rk1, talosVersion: 'v1.12.0', arch: 'arm64', sbc: true })),
    ).toBe(`factory.talos.dev/metal-installer/${rk1}:v1.12.0`)
    expect(
      installerImageOf(`https://factory.example:8443/image/${rk1}/v1.11.2/nocloud-amd64-secureboot.raw.xz`),
    ).toBe(`factory.example:8443/nocloud-installer-secureboot/${rk1}:v1.11.2`)
  })
  it('knows nothing of other URLs', () => {
    expect(installerImageOf('https://example.com/talos/metal-arm64.raw.xz')).toBeNull()
    expect(installerImageOf('not a url')).toBeNull()
  })
})
