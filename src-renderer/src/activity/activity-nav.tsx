// Running work in the navigation, on every page: how many, the latest first with how far it is,
// each a link to where it can be followed (the board view, or the run's timeline).
import { Anchor, Box, Loader, NavLink, Progress, Stack, Text } from '@mantine/core'
import { Fragment, useEffect, useState } from 'react'
import { focusRun } from '../lifecycle/run-focus.ts'
import { useNow } from '../lifecycle/use-run.ts'
import { systemNotificationsAskable } from './announce.ts'
import { useActivity, type ActivityTarget } from './use-activity.ts'

export interface ActivityNavProps {
  onOpenBoard(boardId: string): void
  onOpenProfile(profileId: string): void
}

export function ActivityNav({ onOpenBoard, onOpenProfile }: ActivityNavProps) {
  // The clock ticks (for the runs' time left) only while something runs.
  const [busy, setBusy] = useState(false)
  const now = useNow(busy, 1000)
  const items = useActivity(now)
  useEffect(() => setBusy(items.length > 0), [items.length])
  const [askable, setAskable] = useState(systemNotificationsAskable)
  const open = (target: ActivityTarget) => {
    if (target.page === 'board') return onOpenBoard(target.boardId)
    focusRun(target.profileId, target.runId)
    onOpenProfile(target.profileId)
  }

  return (
    <Box
      role="status"
      aria-live="polite"
      aria-label="Running work"
      data-testid="activity"
      data-count={items.length}
      mb={items.length > 0 ? 'sm' : 0}
    >
      {items.length > 0 && (
        <Stack gap={2}>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" data-testid="activity-count">
            {items.length} running
          </Text>
          {items.map((item, index) => (
            <Fragment key={item.key}>
              <NavLink
                component="button"
                type="button"
                data-testid="activity-item"
                data-current={index === 0}
                leftSection={<Loader size={14} />}
                label={item.label}
                description={
                  <Text span size="xs" c="dimmed" data-testid="activity-detail">
                    {item.detail}
                  </Text>
                }
                onClick={() => open(item.target)}
              />
              {item.percent !== null && <Progress value={item.percent} size="xs" mx="xs" aria-hidden />}
            </Fragment>
          ))}
          {askable && (
            <Anchor
              component="button"
              type="button"
              size="xs"
              px="xs"
              onClick={() => void Notification.requestPermission().then(() => setAskable(false))}
            >
              Also tell me on the desktop when it ends
            </Anchor>
          )}
        </Stack>
      )}
    </Box>
  )
}
