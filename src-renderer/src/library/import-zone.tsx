// Adds files to the library: drop them here (raw or .xz/.gz/.zst/.zip, unpacked once by the core)
// or pick them. Each import shows its hand-off and unpacking until the image is listed.
import { Button, Group, Stack, Text } from '@mantine/core'
import { Dropzone } from '@mantine/dropzone'
import { IconFileUpload, IconFileX, IconLibraryPlus } from '@tabler/icons-react'
import { useRef, useState } from 'react'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { FileRejection, ImageFileInput } from '../common/image-file-choice.tsx'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'
import { imageExtensions, imageFileProblem } from '../flash/image-file.ts'
import type { SendProgress } from '../flash/send-image.ts'
import { UploadProgress } from '../flash/upload-progress.tsx'
import { importImage } from './import-image.ts'

interface Import {
  id: string
  fileName: string
  progress: SendProgress | undefined
  abort(): void
}

export function ImportZone() {
  const [imports, setImports] = useState<Import[]>([])
  const [rejection, setRejection] = useState<string>()
  const picker = useRef<HTMLInputElement>(null)

  async function start(file: File) {
    const id = crypto.randomUUID()
    const abort = new AbortController()
    const update = (progress: SendProgress) =>
      setImports((current) => current.map((entry) => (entry.id === id ? { ...entry, progress } : entry)))
    setImports((current) => [
      ...current,
      { id, fileName: file.name, progress: undefined, abort: () => abort.abort() },
    ])
    try {
      const image = await importImage(file, update, abort.signal)
      notifyDone(`${image.name} is in the library.`)
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'cancelled')) notifyFailure(error)
    } finally {
      setImports((current) => current.filter((entry) => entry.id !== id))
    }
  }

  function accept(files: File[]) {
    const problems = files.map((file) => imageFileProblem(file.name)).filter((p): p is string => p !== null)
    setRejection(problems[0])
    for (const file of files) if (!imageFileProblem(file.name)) void start(file)
  }

  return (
    <Stack gap="sm">
      <Dropzone
        onDrop={accept}
        onReject={(rejections) => accept(rejections.map((rejection) => rejection.file))}
        useFsAccessApi={false}
        activateOnClick={false}
        enablePointerEvents
        radius="md"
        p="lg"
        data-testid="library-dropzone"
      >
        <Group justify="center" gap="lg" wrap="nowrap">
          <Dropzone.Idle>
            <IconLibraryPlus size={36} stroke={1.4} color="var(--mantine-color-dimmed)" />
          </Dropzone.Idle>
          <Dropzone.Accept>
            <IconFileUpload size={36} stroke={1.4} color="var(--mantine-color-teal-6)" />
          </Dropzone.Accept>
          <Dropzone.Reject>
            <IconFileX size={36} stroke={1.4} color="var(--mantine-color-red-6)" />
          </Dropzone.Reject>
          <Stack gap={2}>
            <Text fw={600}>Drop image files here to add them to the library</Text>
            <Text size="sm" c="dimmed">
              Raw images ({imageExtensions.slice(0, 3).join(', ')}) or compressed (
              {imageExtensions.slice(3).join(', ')}): unpacked and hashed once, stored by content.
            </Text>
          </Stack>
          <Button variant="default" onClick={() => picker.current?.click()} style={{ flexShrink: 0 }}>
            Choose files…
          </Button>
        </Group>
      </Dropzone>
      {imports.map((entry) => (
        <Stack
          key={entry.id}
          p="sm"
          bd="1px solid var(--mantine-color-default-border)"
          style={{ borderRadius: 8 }}
        >
          <UploadProgress fileName={entry.fileName} progress={entry.progress} onCancel={entry.abort} />
        </Stack>
      ))}
      <FileRejection message={rejection} onClose={() => setRejection(undefined)} testId="library-rejection" />
      <ImageFileInput inputRef={picker} multiple onFiles={accept} />
    </Stack>
  )
}
