// Where the user is, kept in the URL's fragment (#/profiles/lab) so a reload stays there and back
// and forward work. Boards go by ID (a rename keeps the address); profiles, and the cluster deployed
// from each (#/clusters/lab), by name, which is unique and never changes (saving under a new name
// makes another profile). A fragment that is no route —
// the WebSocket host's #token=…, or an empty one — means the boards page; #/library&token=… is
// the library.
export type Place =
  | { page: 'boards' }
  | { page: 'board'; boardId: string }
  | { page: 'clusters' }
  | { page: 'profile'; profileName: string }
  | { page: 'cluster'; clusterName: string }
  | { page: 'library' }
  | { page: 'talos-builder' }
  | { page: 'armbian' }
  | { page: 'settings' }

export type PageName = Place['page']

const fixed = {
  boards: '#/boards',
  clusters: '#/clusters',
  library: '#/library',
  'talos-builder': '#/library/talos-builder',
  armbian: '#/library/armbian',
  settings: '#/settings',
} as const satisfies Partial<Record<PageName, string>>

export function hashOf(place: Place): string {
  if (place.page === 'board') return `#/boards/${encodeURIComponent(place.boardId)}`
  if (place.page === 'profile') return `#/profiles/${encodeURIComponent(place.profileName)}`
  if (place.page === 'cluster') return `#/clusters/${encodeURIComponent(place.clusterName)}`
  return fixed[place.page]
}

export function placeFromHash(fragment: string): Place {
  // What follows & is not the route (the host's token=…).
  const hash = fragment.split('&')[0]!
  for (const [page, fixedHash] of Object.entries(fixed) as [keyof typeof fixed, string][]) {
    if (hash === fixedHash) return { page }
  }
  const match = /^#\/(boards|profiles|clusters)\/([^/]+)$/.exec(hash)
  const id = match && safeDecode(match[2]!)
  if (match && id) {
    if (match[1] === 'boards') return { page: 'board', boardId: id }
    return match[1] === 'profiles'
      ? { page: 'profile', profileName: id }
      : { page: 'cluster', clusterName: id }
  }
  return { page: 'boards' }
}

export function samePlace(a: Place, b: Place): boolean {
  return hashOf(a) === hashOf(b)
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}
