// The schematic's ID, canonical YAML, image URL and installer, live while the form changes: the
// core computes them offline (confirm: never) a moment after the last keystroke. Confirming asks
// the factory itself (confirm: always); the core remembers a confirmation for later answers.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ResolvedSchematic } from '../../../src-shared/contract/talos-factory.ts'
import type { TalosArch } from '../../../src-shared/talos/factory-urls.ts'
import type { Schematic } from '../../../src-shared/talos/schematic.ts'
import { call, errorText } from '../bridge/bridge.ts'

const settleMs = 200

export interface ResolveTarget {
  schematic: Schematic
  talosVersion: string | null
  arch: TalosArch
}

export interface Resolution {
  resolved: ResolvedSchematic | undefined
  error: { message: string; hint?: string } | undefined
  confirming: boolean
  confirm(): Promise<void>
}

export function useResolvedSchematic(target: ResolveTarget | null): Resolution {
  const [resolved, setResolved] = useState<ResolvedSchematic>()
  const [error, setError] = useState<{ message: string; hint?: string }>()
  const [confirming, setConfirming] = useState(false)
  const key = target ? JSON.stringify(target) : ''
  // Answers can overtake each other; only the one for the newest request is shown.
  const latest = useRef(0)

  const resolve = useCallback(
    async (confirm: 'never' | 'always') => {
      if (!target) return
      const round = ++latest.current
      try {
        const answer = await call('factory.schematic.resolve', {
          schematic: target.schematic,
          arch: target.arch,
          ...(target.talosVersion ? { talosVersion: target.talosVersion } : {}),
          confirm,
        })
        if (round !== latest.current) return
        setResolved(answer)
        setError(undefined)
      } catch (failure) {
        if (round === latest.current) setError(errorText(failure))
      }
    },
    // The key stands for the target's content; the object itself is new on every render.
    [key],
  )

  // The offline answer waiting for the typing to settle; a confirmation asked for meanwhile
  // supersedes it (otherwise it would land after the factory's answer and hide a mismatch).
  const settling = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => {
    if (!key) return
    settling.current = setTimeout(() => void resolve('never'), settleMs)
    return () => clearTimeout(settling.current)
  }, [key, resolve])

  async function confirm() {
    clearTimeout(settling.current)
    setConfirming(true)
    try {
      await resolve('always')
    } finally {
      setConfirming(false)
    }
  }

  return { resolved: target ? resolved : undefined, error, confirming, confirm }
}
