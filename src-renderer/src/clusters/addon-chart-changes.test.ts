import { describe, expect, it } from 'vitest'
import { addonEntry } from '../../../src-shared/addons/addon-catalogue.ts'
import type { HealthAddon } from '../../../src-shared/clusters/health-schema.ts'
import type { AddonKey } from '../../../src-shared/lifecycle/plan.ts'
import { profileFromTemplate } from '../../../src-shared/profiles/profile-templates.ts'
import { addonChartChanges } from './addon-chart-changes.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })

function seen(key: AddonKey, chart: string | null, releaseStatus: string | null = 'deployed'): HealthAddon {
  const entry = addonEntry(key)
  return {
    key,
    title: entry.title,
    release: entry.release,
    namespace: entry.namespace,
    releaseStatus,
    revision: releaseStatus ? 1 : null,
    chart,
    pinnedVersion: entry.chart.version,
    checks: [],
    podsReady: 1,
    podsTotal: 1,
    url: null,
    portForward: null,
    ready: true,
  }
}

describe('addonChartChanges', () => {
  it('compares the chart each release runs with its pin, for every enabled add-on in install order', () => {
    const rows = addonChartChanges(profile, [
      seen('metallb', 'metallb-0.16.0'),
      seen('traefik', 'traefik-42.4.3'),
      seen('certManager', 'cert-manager-v1.20.0'),
      seen('longhorn', null),
      seen('portainer', null, null),
    ])
    expect(rows.map((row) => [row.key, row.running, row.pinned, row.change])).toEqual([
      ['metallb', '0.16.0', '0.16.1', 'upgrade'],
      ['traefik', '42.4.3', '42.4.3', 'at-pin'],
      ['certManager', 'v1.20.0', 'v1.21.1', 'upgrade'],
      // helm could not be asked: the chart is not known.
      ['longhorn', null, '1.12.1', 'unknown'],
      // The health never saw monitoring (an unreachable cluster lists nothing).
      ['monitoring', null, '88.5.3', 'unknown'],
      ['portainer', null, '239.4.0', 'install'],
    ])
  })
})
