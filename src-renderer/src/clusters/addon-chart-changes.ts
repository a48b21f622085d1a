// What an upgrade with the add-ons would do to each enabled add-on, from the chart the cluster's
// health last saw its release run (helm list) against the catalogue's pin (docs/upgrades.md). The
// step itself decides again when it runs: a release at its pin is still upgraded if its values
// changed, so "at its pin" here says only that the chart stays.
import { addonEntry, enabledAddons } from '../../../src-shared/addons/addon-catalogue.ts'
import type { HealthAddon } from '../../../src-shared/clusters/health-schema.ts'
import type { AddonKey } from '../../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../../src-shared/profiles/profile-schema.ts'

export type AddonChartChange = 'upgrade' | 'at-pin' | 'install' | 'unknown'

export interface AddonChartRow {
  key: AddonKey
  title: string
  /** The chart version the release runs; null when not installed or not known. */
  running: string | null
  pinned: string
  change: AddonChartChange
}

export function addonChartChanges(profile: ClusterProfile, addons: readonly HealthAddon[]): AddonChartRow[] {
  return enabledAddons(profile).map((entry) => {
    const seen = addons.find((addon) => addon.key === entry.key)
    const row = { key: entry.key, title: entry.title, pinned: entry.chart.version }
    if (!seen) return { ...row, running: null, change: 'unknown' }
    if (seen.releaseStatus === null) return { ...row, running: null, change: 'install' }
    const running = seen.chart ? runningVersion(entry.key, seen.chart) : null
    if (running === null) return { ...row, running, change: 'unknown' }
    return { ...row, running, change: running === entry.chart.version ? 'at-pin' : 'upgrade' }
  })
}

/** helm names a release's chart "<name>-<version>"; the version is what is left after the name. */
function runningVersion(key: AddonKey, chart: string): string {
  const prefix = `${addonEntry(key).chart.name}-`
  return chart.startsWith(prefix) ? chart.slice(prefix.length) : chart
}
