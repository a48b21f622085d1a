// A failure as the user sees it: what went wrong as the title, what to do about it below.
import { Alert, type AlertProps } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { ReactNode } from 'react'

export interface FailureAlertProps extends Omit<AlertProps, 'title' | 'children'> {
  failure: { message: string; hint?: string }
  children?: ReactNode
}

export function FailureAlert({ failure, children, ...props }: FailureAlertProps) {
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={failure.message} {...props}>
      {failure.hint}
      {children}
    </Alert>
  )
}
