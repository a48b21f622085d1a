// A page that throws while rendering shows what broke in its own place instead of blanking the
// window: the navigation, the other pages and everything the core holds stay as they were. The shell
// keys the boundary by page, so going elsewhere starts that page afresh.
import { Button, Code, Group, Stack, Text } from '@mantine/core'
import { Component, type ErrorInfo, type ReactNode } from 'react'
import { FailureAlert } from './failure-alert.tsx'

export interface PageErrorBoundaryProps {
  /** What the page is called, for the message ("The Talos builder stopped working"). */
  page: string
  children: ReactNode
  /** A way to a page that works; absent on the page it would lead to. */
  onLeave?: { label: string; go(): void }
}

interface State {
  error: Error | null
}

export class PageErrorBoundary extends Component<PageErrorBoundaryProps, State> {
  override state: State = { error: null }

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console keeps the component stack for a bug report; the page shows the words.
    console.error(`${this.props.page} failed to render`, error, info.componentStack)
  }

  override render(): ReactNode {
    const { error } = this.state
    if (!error) return this.props.children
    const { page, onLeave } = this.props
    return (
      <Stack gap="md" data-testid="page-error" role="alert">
        <FailureAlert
          failure={{
            message: `${page} stopped working.`,
            hint: 'Nothing was changed or lost: saved boards, profiles, images and running jobs are kept by the core. Try again, or go to another page.',
          }}
        >
          <Text size="sm" mt="xs">
            What went wrong: <Code>{error.message}</Code>
          </Text>
        </FailureAlert>
        <Group>
          <Button onClick={() => this.setState({ error: null })}>Try again</Button>
          {onLeave && (
            <Button variant="default" onClick={onLeave.go}>
              {onLeave.label}
            </Button>
          )}
        </Group>
      </Stack>
    )
  }
}
