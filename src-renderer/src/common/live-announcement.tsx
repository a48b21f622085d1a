// A polite live region: screen readers say its text when it changes, after what they are saying.
// Callers pass words that change with a phase or an outcome, never with a percentage, so a running
// flash is announced a handful of times rather than every second.
import { VisuallyHidden } from '@mantine/core'

export function LiveAnnouncement({ children }: { children: string }) {
  return (
    <VisuallyHidden role="status" aria-live="polite" aria-atomic="true">
      {children}
    </VisuallyHidden>
  )
}
