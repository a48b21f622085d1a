// The shell's navigation: the place lives in the URL fragment (route.ts), every move goes through
// `navigate` or the browser's own back and forward, and a page with unsaved edits is only left once
// the user agrees.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import type { RegisterUnsaved, UnsavedChanges } from './leave-guard.tsx'
import { hashOf, placeFromHash, samePlace, type Place } from './route.ts'

export interface Route {
  place: Place
  navigate(place: Place): void
  registerUnsaved: RegisterUnsaved
  /** The "leave without saving?" question; rendered once by the shell. */
  leaveModal: ReactNode
}

export function useRoute(): Route {
  const [place, setPlace] = useState<Place>(() => placeFromHash(window.location.hash))
  const [leaving, setLeaving] = useState<{ to: Place; unsaved: UnsavedChanges }>()
  // Read by event handlers between renders, so kept in refs as well as in state.
  const current = useRef(place)
  const unsaved = useRef<UnsavedChanges | null>(null)

  const show = useCallback((next: Place, history: 'push' | 'replace') => {
    if (history === 'push') window.history.pushState(null, '', hashOf(next))
    else window.history.replaceState(null, '', hashOf(next))
    current.current = next
    setPlace(next)
  }, [])

  const navigate = useCallback(
    (next: Place) => {
      if (samePlace(next, current.current)) return
      if (unsaved.current) setLeaving({ to: next, unsaved: unsaved.current })
      else show(next, 'push')
    },
    [show],
  )

  useEffect(() => {
    // A route from a bookmark or the address bar is written back in its one spelling.
    if (window.location.hash !== hashOf(current.current)) show(current.current, 'replace')
    function onMove() {
      const next = placeFromHash(window.location.hash)
      if (samePlace(next, current.current)) {
        if (window.location.hash !== hashOf(next)) show(next, 'replace')
        return
      }
      if (unsaved.current) {
        // Back or forward has already moved the address: it returns to the page with the edits
        // until the user has answered.
        window.history.replaceState(null, '', hashOf(current.current))
        setLeaving({ to: next, unsaved: unsaved.current })
      } else show(next, 'replace')
    }
    function onBeforeUnload(event: BeforeUnloadEvent) {
      if (unsaved.current) event.preventDefault()
    }
    window.addEventListener('popstate', onMove)
    window.addEventListener('hashchange', onMove)
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => {
      window.removeEventListener('popstate', onMove)
      window.removeEventListener('hashchange', onMove)
      window.removeEventListener('beforeunload', onBeforeUnload)
    }
  }, [show])

  const registerUnsaved = useCallback<RegisterUnsaved>((changes) => {
    unsaved.current = changes
  }, [])

  const leaveModal = (
    <ConfirmModal
      opened={leaving !== undefined}
      title="Leave without saving?"
      confirmLabel="Discard changes"
      keepLabel="Keep editing"
      color="red"
      onConfirm={async () => {
        if (!leaving) return
        unsaved.current = null
        show(leaving.to, 'push')
      }}
      onClose={() => setLeaving(undefined)}
    >
      Your changes to {leaving?.unsaved.what} are not saved. Leaving this page throws them away.
    </ConfirmModal>
  )

  return { place, navigate, registerUnsaved, leaveModal }
}
