// Running work in the navigation, on every page: how many, the latest first with how far it is,
// each a link to where it can be followed (the board view, or the run's timeline).
import { Anchor, Box, Loader, NavLink, Progress, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import { focusRun } from '../lifecycle/run-focus.ts'
import { useNow } from '../lifecycle/use-run.ts'
import { systemNotificationsAskable } from './announce.ts'
import { useActivity, type ActivityTarget } from './use-activity.ts'

export interface ActivityNavProps {
  onOpenBoard(boardId: string): void
  onOpenProfile(profileId: string): void
}

export function ActivityNav({ onOpenBoard, onOpenProfile }: ActivityNavProps) {
  const now = useNow(true, 1000)
  const items = useActivity(now)
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
            <NavLink
              key={item.key}
              component="button"
              type="button"
              data-testid="activity-item"
              data-current={index === 0}
              leftSection={<Loader size={14} />}
              label={item.label}
              description={
                <Stack gap={2} component="span">
                  <Text span size="xs" c="dimmed" data-testid="activity-detail">
                    {item.detail}
                  </Text>
                  {item.percent !== null && (
                    <Progress component="span" value={item.percent} size="xs" aria-hidden display="block" />
                  )}
                </Stack>
              }
              onClick={() => open(item.target)}
            />
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
