// Merging a cluster's kubeconfig or talosconfig into the user's own config file: first what will
// happen (the file and the context, named), then — only when the name holds another config —
// Replace, Keep both or Cancel, with Cancel focused so Enter changes nothing.
import { Button, Code, Group, Loader, Modal, Stack, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { ConfigKind } from '../../../src-shared/contract/clusters.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone } from '../common/notify-failure.ts'

export interface MergeConfigModalProps {
  clusterName: string
  /** The config to merge; undefined: the dialog is closed. */
  kind: ConfigKind | undefined
  onClose(): void
}

type Step = { step: 'ask' } | { step: 'conflict'; context: string }

const tool: Record<ConfigKind, string> = { kubeconfig: 'kubectl', talosconfig: 'talosctl' }

export function MergeConfigModal({ clusterName, kind, onClose }: MergeConfigModalProps) {
  const [target, setTarget] = useState<{ path: string; context: string }>()
  const [step, setStep] = useState<Step>({ step: 'ask' })
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const cancel = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    setStep({ step: 'ask' })
    setFailure(undefined)
    setTarget(undefined)
    if (!kind) return
    let current = true
    call('clusters.mergeTarget', { ref: clusterName, kind })
      .then((found) => current && setTarget(found))
      .catch((error: unknown) => current && setFailure(errorText(error)))
    return () => void (current = false)
  }, [clusterName, kind])
  // The conflict question replaces the first one in the open dialog: the safe choice takes the focus.
  useEffect(() => {
    if (step.step === 'conflict') cancel.current?.focus()
  }, [step])

  async function merge(onConflict: 'refuse' | 'replace' | 'rename') {
    if (!kind) return
    setBusy(true)
    setFailure(undefined)
    try {
      const { path, context, outcome } = await call('clusters.mergeConfig', {
        ref: clusterName,
        kind,
        onConflict,
      })
      const done = {
        added: `Added context "${context}" to ${path}.`,
        renamed: `Added context "${context}" to ${path} (the name was taken).`,
        replaced: `Replaced context "${context}" in ${path}.`,
        unchanged: `${path} already has this ${kind} as context "${context}": nothing changed.`,
      }[outcome]
      notifyDone(`${done} Use it with ${tool[kind]} --context ${context}.`)
      onClose()
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict')
        setStep({ step: 'conflict', context: error.details?.context ?? clusterName })
      else setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }

  const path = target ? <Code>{target.path}</Code> : <Loader size="xs" aria-label="Finding the file" />
  const title =
    step.step === 'conflict'
      ? `Context "${step.context}" exists already`
      : `Merge the ${kind ?? 'config'} of ${clusterName}?`
  return (
    <Modal
      opened={kind !== undefined}
      onClose={onClose}
      title={title}
      centered
      size="lg"
      data-testid="merge-config-modal"
    >
      <Stack>
        {step.step === 'ask' ? (
          <Text size="sm">
            Adds the context <b>{target?.context ?? clusterName}</b>
            {kind === 'kubeconfig' ? ' (with a cluster and a user of that name)' : ''} to {path}. The file’s
            other contexts and its current context stay as they are; a file without a current context gets
            this one.
          </Text>
        ) : (
          <Text size="sm">
            {path} already has a context <b>{step.context}</b> that is not this cluster’s {kind}. Replace
            overwrites it; Keep both adds this cluster as <b>{step.context}-2</b> (or the next free name).
          </Text>
        )}
        {failure && <FailureAlert failure={failure} />}
        <Group justify="flex-end">
          {step.step === 'ask' ? (
            <>
              <Button variant="default" onClick={onClose} disabled={busy} data-autofocus>
                Keep the file as it is
              </Button>
              <Button loading={busy} disabled={!target} onClick={() => void merge('refuse')}>
                Merge
              </Button>
            </>
          ) : (
            <>
              <Button ref={cancel} variant="default" onClick={onClose} disabled={busy}>
                Cancel
              </Button>
              <Button variant="default" loading={busy} onClick={() => void merge('rename')}>
                Keep both
              </Button>
              <Button color="red" loading={busy} onClick={() => void merge('replace')}>
                Replace
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  )
}
