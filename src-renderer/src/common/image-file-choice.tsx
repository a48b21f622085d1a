// What the slot dropzones and the library's import zone share: the hidden file picker behind their
// "Choose…" buttons, limited to disk images, and the notice saying why a file was refused.
import { Alert } from '@mantine/core'
import { IconFileX } from '@tabler/icons-react'
import type { ChangeEvent, Ref } from 'react'
import { imageExtensions } from '../flash/image-file.ts'

export function ImageFileInput({
  inputRef,
  multiple = false,
  onFiles,
  testId,
}: {
  inputRef: Ref<HTMLInputElement>
  multiple?: boolean
  onFiles(files: File[]): void
  testId?: string
}) {
  return (
    <input
      ref={inputRef}
      type="file"
      hidden
      multiple={multiple}
      accept={imageExtensions.join(',')}
      data-testid={testId}
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        onFiles([...(event.currentTarget.files ?? [])])
        // Choosing the same file again must fire change again.
        event.currentTarget.value = ''
      }}
    />
  )
}

export function FileRejection({
  message,
  onClose,
  compact = false,
  testId,
}: {
  message: string | undefined
  onClose(): void
  compact?: boolean
  testId: string
}) {
  if (!message) return null
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconFileX size={18} />}
      withCloseButton
      onClose={onClose}
      data-testid={testId}
      {...(compact ? { p: 'xs', styles: { message: { fontSize: 'var(--mantine-font-size-xs)' } } } : {})}
    >
      {message}
    </Alert>
  )
}
