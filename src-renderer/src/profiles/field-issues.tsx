// What a form field shows of the validation: errors in the field's error slot (red), warnings
// below it (yellow), and the field's path as a data attribute so tests and issue lists can find it.
import { Stack, Text } from '@mantine/core'
import type { ReactNode } from 'react'
import { issuesAt, type ProfileIssue } from './profile-issues.ts'

export interface FieldIssueProps {
  error: ReactNode
  description: ReactNode
  inputWrapperOrder: ('label' | 'input' | 'description' | 'error')[]
  wrapperProps: Record<string, string>
}

export function fieldIssues(
  issues: readonly ProfileIssue[],
  path: string,
  options: { nested?: boolean; description?: ReactNode } = {},
): FieldIssueProps {
  const here = issuesAt(issues, path, options.nested)
  const errors = here.filter((issue) => issue.severity === 'error')
  const warnings = here.filter((issue) => issue.severity === 'warning')
  return {
    error: errors.length > 0 ? <IssueLines issues={errors} /> : undefined,
    description:
      warnings.length > 0 ? (
        <>
          {options.description}
          <IssueLines issues={warnings} />
        </>
      ) : (
        options.description
      ),
    inputWrapperOrder: ['label', 'input', 'description', 'error'],
    wrapperProps: {
      'data-path': path,
      'data-severity': errors.length ? 'error' : warnings.length ? 'warning' : '',
    },
  }
}

export function IssueLines({ issues }: { issues: readonly ProfileIssue[] }) {
  return (
    <Stack gap={0} component="span" data-testid="field-issues">
      {issues.map((issue, index) => (
        <Text
          key={index}
          component="span"
          size="xs"
          c={issue.severity === 'error' ? 'red' : 'yellow'}
          data-severity={issue.severity}
        >
          {issue.message}
        </Text>
      ))}
    </Stack>
  )
}

/** Addresses, paths and versions read best in monospace; their labels stay in the UI font. */
export const monoInput = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } }
