// Trusting a BMC certificate is the user's decision, made by comparing fingerprints: the one the
// BMC presents (and the one trusted before, when it changed). Nothing is trusted silently.
import { Code, Stack, Text } from '@mantine/core'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { notifyDone } from '../common/notify-failure.ts'
import type { CertificateProblem } from './certificate-problem.ts'

const fingerprintStyle = { whiteSpace: 'pre-wrap', wordBreak: 'break-all' } as const

export interface CertificateTrustModalProps {
  board: Board
  problem: CertificateProblem | undefined
  onClose(): void
  onTrusted(): void
  onFailure(error: unknown): void
}

export function CertificateTrustModal({
  board,
  problem,
  onClose,
  onTrusted,
  onFailure,
}: CertificateTrustModalProps) {
  async function trust(actual: string) {
    try {
      await call('boards.trustCertificate', { id: board.id, certificateSha256: actual })
      notifyDone(`Trusted the certificate of "${board.name}".`)
      onTrusted()
    } catch (error) {
      onFailure(error)
    }
  }
  return (
    <ConfirmModal
      opened={problem !== undefined}
      title={problem?.changed ? 'The BMC certificate changed' : 'Trust this BMC certificate?'}
      confirmLabel="Trust this certificate"
      keepLabel="Don't trust it"
      color={problem?.changed ? 'orange' : undefined}
      onConfirm={() => (problem ? trust(problem.actual) : Promise.resolve())}
      onClose={onClose}
    >
      {problem && (
        <Stack gap="sm" data-testid="certificate-dialog">
          {/* The core's message repeats both fingerprints inline; they read better one per block below. */}
          <Text>
            {problem.changed
              ? `The BMC at ${board.address} presents a different certificate than the one you trusted for ${board.name}.`
              : `Clusterdeck has not trusted the certificate of the BMC at ${board.address} yet.`}
          </Text>
          {problem.hint && (
            <Text size="sm" c="dimmed">
              {problem.hint}
            </Text>
          )}
          <Text size="sm" fw={600}>
            Fingerprint {board.address} presents now (SHA-256)
          </Text>
          <Code block style={fingerprintStyle} data-testid="certificate-actual">
            {problem.actual}
          </Code>
          {problem.expected && (
            <>
              <Text size="sm" fw={600}>
                Fingerprint trusted until now
              </Text>
              <Code block style={fingerprintStyle} data-testid="certificate-expected">
                {problem.expected}
              </Code>
            </>
          )}
          <Text size="sm">
            Compare it with the fingerprint the BMC shows on its own console or web UI. Trust it only if they
            match{problem.changed ? ', for instance because you re-installed the BMC firmware' : ''}.
          </Text>
        </Stack>
      )}
    </ConfirmModal>
  )
}
