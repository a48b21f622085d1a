import { describe, expect, it } from 'vitest'
import { addonKeys } from '../lifecycle/plan.ts'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import {
  addonCatalogue,
  addonDependencies,
  addonEntry,
  chartArgs,
  chartSource,
  enabledAddons,
  readinessChecks,
} from './addon-catalogue.ts'

const talos = () => profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })

describe('addon catalogue', () => {
  it('has one entry per add-on key, each after only add-ons listed before it (a DAG in install order)', () => {
    expect(addonCatalogue.map((entry) => entry.key).sort()).toEqual([...addonKeys].sort())
    addonCatalogue.forEach((entry, index) => {
      for (const dependency of entry.after)
        expect(addonCatalogue.findIndex((e) => e.key === dependency)).toBeLessThan(index)
    })
  })

  it('pins every chart to an exact version and gives each release its own namespace', () => {
    for (const entry of addonCatalogue) expect(entry.chart.version).toMatch(/^v?\d+\.\d+\.\d+$/)
    expect(new Set(addonCatalogue.map((entry) => entry.namespace)).size).toBe(addonCatalogue.length)
    expect(addonCatalogue.filter((entry) => entry.privileged).map((entry) => entry.namespace)).toEqual([
      'metallb-system',
      'longhorn-system',
      'monitoring',
    ])
  })

  it('marks ingress-nginx retired with Traefik as its successor', () => {
    expect(addonEntry('ingressNginx').retired?.successor).toBe('traefik')
    expect(addonEntry('traefik').retired).toBeUndefined()
  })

  it('follows the layers among the enabled add-ons only', () => {
    const profile = talos()
    expect(enabledAddons(profile).map((entry) => entry.key)).toEqual([
      'metallb',
      'traefik',
      'certManager',
      'longhorn',
      'monitoring',
      'portainer',
    ])
    expect(addonDependencies('certManager', profile)).toEqual(['traefik'])
    expect(addonDependencies('portainer', profile)).toEqual(['metallb', 'longhorn'])
    profile.addons.longhorn.enabled = false
    expect(addonDependencies('portainer', profile)).toEqual(['metallb'])
  })

  it('builds helm chart arguments for HTTP repositories, OCI registries and a mirror', () => {
    expect(chartArgs(chartSource('metallb'))).toEqual([
      'metallb',
      '--repo',
      'https://metallb.github.io/metallb',
      '--version',
      '0.16.1',
    ])
    expect(chartArgs(chartSource('certManager'))).toEqual([
      'oci://quay.io/jetstack/charts/cert-manager',
      '--version',
      'v1.21.1',
    ])
    expect(chartArgs(chartSource('certManager', 'http://127.0.0.1:8080/charts/'))).toEqual([
      'cert-manager',
      '--repo',
      'http://127.0.0.1:8080/charts',
      '--version',
      'v1.21.1',
    ])
    expect(chartArgs(chartSource('longhorn', 'oci://registry.lan/mirror'))[0]).toBe(
      'oci://registry.lan/mirror/longhorn',
    )
  })

  it('says what ready means, from the profile', () => {
    const profile = talos()
    expect(readinessChecks('metallb', profile)).toContainEqual({
      kind: 'address-pool',
      name: 'clusterdeck-pool',
      addresses: '10.10.88.80-10.10.88.89',
    })
    expect(readinessChecks('certManager', profile).map((check) => check.kind)).toContain('cluster-issuer')
    profile.addons.certManager.selfSignedIssuer = false
    expect(readinessChecks('certManager', profile).map((check) => check.kind)).not.toContain('cluster-issuer')
    expect(readinessChecks('traefik', profile)).toContainEqual({ kind: 'load-balancer', service: 'traefik' })
  })
})
