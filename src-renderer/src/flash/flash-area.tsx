// A node slot's flashing: drop an image on it (a file, or an image dragged from the library), or
// pick one; confirm, then follow the flash. While a flash of this node is under way the slot takes
// no other image; the core queues flashes of different nodes of one board itself.
import { Box, Button, Group, Stack, Text } from '@mantine/core'
import { Dropzone } from '@mantine/dropzone'
import { IconDeviceSdCard, IconFileUpload, IconFileX, IconPlugConnectedX } from '@tabler/icons-react'
import { useRef, useState, type DragEvent, type ReactNode } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { finishedPhases, type FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { SlotClaim } from '../../../src-shared/profiles/slot-claims.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FileRejection, ImageFileInput } from '../common/image-file-choice.tsx'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { droppedImage, isImageDrag, type DraggedImage } from '../library/image-drag.ts'
import { FlashConfirmModal, type FlashChoices } from './flash-confirm-modal.tsx'
import { FlashProgress } from './flash-progress.tsx'
import { imageFileProblem } from './image-file.ts'
import { sendImage, type SendProgress } from './send-image.ts'
import { UploadProgress } from './upload-progress.tsx'

const imageRefusals: readonly string[] = ['invalid_input', 'disk_full']

export interface FlashAreaProps {
  board: Board
  node: NodeNumber
  /** The latest flash of this node, if any. */
  job: FlashJob | undefined
  /** The deployed cluster nodes in this slot, named in the confirmation. */
  clusterNodes: readonly SlotClaim[]
  /** Why no flash can start now (the BMC does not answer), or undefined when one can. */
  unavailable?: string
  onFailure(error: unknown): void
}

/** What the confirmation is about: a file from the desktop, or an image already in the library. */
type Chosen = { name: string; sizeBytes: number } & (
  { file: File; cached?: undefined } | { file?: undefined; cached: DraggedImage }
)

interface Upload {
  fileName: string
  progress: SendProgress | undefined
  abort(): void
}

export function FlashArea({ board, node, job, clusterNodes, unavailable, onFailure }: FlashAreaProps) {
  const [chosen, setChosen] = useState<Chosen>()
  const [libraryDragOver, setLibraryDragOver] = useState(false)
  const [rejection, setRejection] = useState<string>()
  const [upload, setUpload] = useState<Upload>()
  const [dismissedJobId, setDismissedJobId] = useState<string>()
  const picker = useRef<HTMLInputElement>(null)
  const confirmation = useConfirmation()

  const shownJob = job && job.id !== dismissedJobId ? job : undefined
  const running = job !== undefined && !finishedPhases.includes(job.phase)

  // A refused image (empty, no disk space for unpacking it) is said next to the slot it was
  // dropped on, with what to do; other failures go to the board's notifications.
  function refuseOrReport(error: unknown) {
    if (error instanceof AppError && imageRefusals.includes(error.code)) {
      const { message, hint } = errorText(error)
      setRejection(hint ? `${message} ${hint}` : message)
    } else onFailure(error)
  }

  function choose(file: File | undefined) {
    if (!file) return
    const problem = imageFileProblem(file.name)
    setRejection(problem ?? undefined)
    if (!problem) setChosen({ name: file.name, sizeBytes: file.size, file })
  }

  // Library images carry their own MIME type; the dropzone underneath only handles files.
  const libraryDrop = {
    onDragOver(event: DragEvent) {
      if (!isImageDrag(event.dataTransfer)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
      setLibraryDragOver(true)
    },
    onDragLeave(event: DragEvent) {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setLibraryDragOver(false)
    },
    onDrop(event: DragEvent) {
      setLibraryDragOver(false)
      const image = droppedImage(event.dataTransfer)
      if (!image) return
      event.preventDefault()
      setRejection(undefined)
      setChosen({ name: image.name, sizeBytes: image.sizeBytes, cached: image })
    },
  }

  async function flashCached(image: DraggedImage, choices: FlashChoices) {
    try {
      await call('flash.start', {
        boardId: board.id,
        node,
        ...choices,
        image: { kind: 'cached', sha256: image.sha256 },
      })
    } catch (error) {
      refuseOrReport(error)
    }
  }

  async function flash(file: File, choices: FlashChoices) {
    const sending = sendImage(file, { boardId: board.id, node, ...choices }, (progress) =>
      setUpload((current) => current && { ...current, progress }),
    )
    setUpload({ fileName: file.name, progress: undefined, abort: sending.abort })
    try {
      await sending.job
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'cancelled')) refuseOrReport(error)
    } finally {
      setUpload(undefined)
    }
  }

  async function cancel(running: FlashJob) {
    try {
      await call('flash.cancel', { jobId: running.id })
    } catch (error) {
      onFailure(error)
    }
  }

  function askCancel(running: FlashJob) {
    // Before writing starts nothing on the node is touched, so there is nothing to warn about.
    if (running.phase !== 'writing' && running.phase !== 'verifying') {
      void cancel(running)
      return
    }
    confirmation.ask({
      title: `Cancel the flash of node ${node}?`,
      body: `The BMC stops ${running.phase === 'writing' ? 'writing' : 'verifying'} ${running.imageName}. Node ${node} stays powered off with a partly written eMMC and will not boot until it is flashed again.`,
      confirmLabel: 'Stop the flash',
      keepLabel: 'Keep flashing',
      color: 'red',
      action: () => cancel(running),
    })
  }

  const progress = shownJob && (
    <FlashProgress
      job={shownJob}
      onCancel={() => askCancel(shownJob)}
      onDismiss={() => setDismissedJobId(shownJob.id)}
    />
  )

  return (
    <>
      {upload ? (
        <FlashPanel>
          <UploadProgress fileName={upload.fileName} progress={upload.progress} onCancel={upload.abort} />
        </FlashPanel>
      ) : running ? (
        // No dropzone while a flash runs (the core refuses a second one for the node), and not a
        // disabled one either: that would mark its content aria-disabled, Cancel included.
        <FlashPanel>{progress}</FlashPanel>
      ) : unavailable ? (
        <FlashPanel>
          <Stack gap="xs">
            {progress}
            <Group gap="xs" wrap="nowrap" data-testid="flash-unavailable">
              <IconPlugConnectedX size={18} color="var(--mantine-color-dimmed)" style={{ flexShrink: 0 }} />
              <Text size="sm" c="dimmed">
                No flash now: {unavailable}
              </Text>
            </Group>
          </Stack>
        </FlashPanel>
      ) : (
        <Box
          {...libraryDrop}
          data-library-drag={libraryDragOver || undefined}
          style={{
            borderRadius: 'var(--mantine-radius-md)',
            outline: libraryDragOver ? '2px solid var(--mantine-color-teal-6)' : undefined,
          }}
        >
          <Dropzone
            onDrop={(files) => choose(files[0])}
            onReject={(rejections) => {
              const file = rejections[0]?.file
              setRejection(
                file ? (imageFileProblem(file.name) ?? `${file.name} cannot be flashed.`) : undefined,
              )
            }}
            validator={(file) => {
              // While dragging, browsers expose only the item's type, not its name: judge on drop.
              const problem = typeof file.name === 'string' ? imageFileProblem(file.name) : null
              return problem ? { code: 'not-an-image', message: problem } : null
            }}
            multiple={false}
            useFsAccessApi={false}
            activateOnClick={false}
            activateOnKeyboard={false}
            enablePointerEvents
            p="sm"
            radius="md"
            data-testid="slot-dropzone"
          >
            {progress ?? <DropHint node={node} onPick={() => picker.current?.click()} />}
          </Dropzone>
        </Box>
      )}
      <FileRejection
        message={rejection}
        onClose={() => setRejection(undefined)}
        compact
        testId="flash-rejection"
      />
      <ImageFileInput inputRef={picker} onFiles={(files) => choose(files[0])} testId="flash-file-input" />
      <FlashConfirmModal
        board={board}
        node={node}
        clusterNodes={clusterNodes}
        image={chosen}
        onConfirm={(choices) => {
          // The dialog closes at once; the slot shows the hand-off and the flash from here on.
          if (chosen?.file) void flash(chosen.file, choices)
          else if (chosen?.cached) void flashCached(chosen.cached, choices)
          return Promise.resolve()
        }}
        onClose={() => setChosen(undefined)}
      />
      {confirmation.modal}
    </>
  )
}

/** Frames a flash under way like the dropzone it replaces, so the slot does not jump. */
function FlashPanel({ children }: { children: ReactNode }) {
  return (
    <Box
      p="sm"
      bd="1px solid var(--mantine-color-default-border)"
      style={{ borderRadius: 'var(--mantine-radius-md)' }}
    >
      {children}
    </Box>
  )
}

function DropHint({ node, onPick }: { node: NodeNumber; onPick(): void }) {
  return (
    <Stack align="center" gap={6} py="xs">
      <Dropzone.Idle>
        <IconDeviceSdCard size={28} stroke={1.5} color="var(--mantine-color-dimmed)" />
      </Dropzone.Idle>
      <Dropzone.Accept>
        <IconFileUpload size={28} stroke={1.5} color="var(--mantine-color-teal-6)" />
      </Dropzone.Accept>
      <Dropzone.Reject>
        <IconFileX size={28} stroke={1.5} color="var(--mantine-color-red-6)" />
      </Dropzone.Reject>
      <Text size="sm" c="dimmed" ta="center">
        Drop an image here to flash node {node}
      </Text>
      <Group>
        <Button size="compact-sm" variant="default" onClick={onPick}>
          Flash image…
        </Button>
      </Group>
    </Stack>
  )
}
