// Profile actions that more than one view offers.
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import type { Confirmation } from '../common/use-confirmation.tsx'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'
import { downloadText } from './download-text.ts'
import { reloadProfiles } from './use-profiles.ts'

export async function exportProfileYaml(profile: SavedProfile): Promise<void> {
  try {
    const { fileName, yaml } = await call('profiles.exportYaml', { ref: profile.id })
    downloadText(fileName, yaml, 'application/yaml')
  } catch (error) {
    notifyFailure(error)
  }
}

export function removeProfileConfirmation(profile: SavedProfile, onRemoved?: () => void): Confirmation {
  return {
    title: `Delete the profile "${profile.name}"?`,
    body: `Clusterdeck forgets the profile. Its past runs stay in the history, and the nodes are not touched. Export it as YAML first to keep a copy.`,
    confirmLabel: 'Delete profile',
    keepLabel: 'Keep the profile',
    color: 'red',
    async action() {
      try {
        await call('profiles.remove', { id: profile.id })
        notifyDone(`Deleted profile "${profile.name}".`)
        onRemoved?.()
        await reloadProfiles()
      } catch (error) {
        notifyFailure(error)
      }
    },
  }
}
