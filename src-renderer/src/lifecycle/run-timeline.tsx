// A run drawn over time: a section per phase, a row per node (or per cluster-wide step), each step
// a bar from its start to its end — or to now while it runs — coloured by its state. Steps that
// never started sit as chips after the row's last bar. Click any of them for its log.
import { Group, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core'
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react'
import { Fragment, useState, type CSSProperties, type ReactElement } from 'react'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { describeProgress } from '../../../src-shared/progress/progress.ts'
import { StepStateBadge } from './run-state-badge.tsx'
import classes from './run-timeline.module.css'
import { stepLooks } from './step-states.ts'
import type { StepProgressMap } from './use-step-progress.ts'
import { formatOffset, formatStepDuration, timeScale, type TimeScale } from './time-scale.ts'
import {
  earlierSpans,
  phaseState,
  runElapsed,
  shortStepName,
  stepSpan,
  timelineSections,
  type TimelineRow,
  type TimelineSection,
  type TimelineStep,
} from './timeline-rows.ts'

export interface RunTimelineProps {
  run: Run
  now: number
  /** Running flashes by step: their bars say how far they are. */
  flashes?: StepProgressMap
  onOpenStep(stepId: string): void
}

export function RunTimeline({ run, now, flashes = {}, onOpenStep }: RunTimelineProps) {
  const running = run.state === 'running'
  const start = Date.parse(run.createdAt)
  const elapsed = runElapsed(run, now)
  const scale = timeScale(elapsed, { headroom: running })
  const sections = timelineSections(run)
  const style = { '--tick-width': `${(scale.tickMs / scale.spanMs) * 100}%` } as CSSProperties
  const nowFraction = Math.min(1, elapsed / scale.spanMs)
  return (
    <div className={classes.timeline} style={style} data-testid="run-timeline" data-run-state={run.state}>
      <Axis scale={scale} />
      {sections.map((section) => (
        <PhaseSection
          key={section.phase}
          section={section}
          start={start}
          now={now}
          scale={scale}
          waitFrom={running ? elapsed : 0}
          flashes={flashes}
          onOpenStep={onOpenStep}
        />
      ))}
      {running && (
        <div
          className={classes.now}
          title="now"
          style={{ left: `calc(var(--label-width) + (100% - var(--label-width) - 16px) * ${nowFraction})` }}
        />
      )}
    </div>
  )
}

function Axis({ scale }: { scale: TimeScale }) {
  return (
    <div className={`${classes.row} ${classes.axis}`}>
      <div className={classes.label}>
        <Text size="xs" c="dimmed">
          from the run&apos;s start
        </Text>
      </div>
      <div className={classes.track} data-testid="timeline-axis">
        {scale.ticks.map((tick) => (
          <span key={tick} className={classes.tick} style={{ left: `${(tick / scale.spanMs) * 100}%` }}>
            {formatOffset(tick)}
          </span>
        ))}
      </div>
    </div>
  )
}

function PhaseSection({
  section,
  start,
  now,
  scale,
  waitFrom,
  flashes,
  onOpenStep,
}: {
  section: TimelineSection
  start: number
  now: number
  scale: TimeScale
  /** Where steps that have not started yet line up at the earliest: now, while the run goes on. */
  waitFrom: number
  flashes: StepProgressMap
  onOpenStep(stepId: string): void
}) {
  // A phase this run does not go through folds to one line with the reason; it can be unfolded.
  const [open, setOpen] = useState(!section.notRun)
  const state = phaseState(section)
  const spans = section.steps.flatMap((step) => stepSpan(step.state, start, now) ?? [])
  const took =
    spans.length > 0 ? Math.max(...spans.map((s) => s.to)) - Math.min(...spans.map((s) => s.from)) : null
  const finished = section.steps.filter((step) => ['done', 'skipped'].includes(step.state.state)).length
  const reason = section.notRun ? section.steps.find((step) => step.state.message)?.state.message : undefined
  return (
    <div
      className={classes.section}
      data-testid="timeline-phase"
      data-phase={section.phase}
      data-state={state}
    >
      <UnstyledButton
        className={classes.phase}
        data-not-run={section.notRun}
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        w="100%"
      >
        {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
        <Text fw={700} size="sm" w={180}>
          {section.title}
        </Text>
        <StepStateBadge state={state} size="sm" />
        <Text size="xs" c="dimmed">
          {finished} of {section.steps.length} step{section.steps.length === 1 ? '' : 's'} done
          {took !== null && ` · ${formatStepDuration(took)}`}
        </Text>
        {reason && (
          <Text size="xs" c="dimmed" fs="italic" truncate="end" style={{ flex: 1 }}>
            {reason}
          </Text>
        )}
      </UnstyledButton>
      {open &&
        section.rows.map((row) => (
          <TimelineRowView
            key={row.key}
            row={row}
            start={start}
            now={now}
            scale={scale}
            waitFrom={waitFrom}
            flashes={flashes}
            onOpenStep={onOpenStep}
          />
        ))}
    </div>
  )
}

function TimelineRowView({
  row,
  start,
  now,
  scale,
  waitFrom,
  flashes,
  onOpenStep,
}: {
  row: TimelineRow
  start: number
  now: number
  scale: TimeScale
  waitFrom: number
  flashes: StepProgressMap
  onOpenStep(stepId: string): void
}) {
  const percent = (ms: number) => (Math.max(0, ms) / scale.spanMs) * 100
  const started = row.steps.flatMap((step) => {
    const span = stepSpan(step.state, start, now)
    return span ? [{ step, span }] : []
  })
  const waiting = row.steps.filter((step) => !step.state.startedAt)
  const earlier = row.steps.flatMap((step) =>
    earlierSpans(step.state, start).map((span) => ({ step, ...span })),
  )
  // Steps that never started line up after the row's last bar, and after now while the run goes on.
  const anchor = percent(
    Math.max(waitFrom, ...started.map(({ span }) => span.to), ...earlier.map((span) => span.to)),
  )
  const chipsStyle: CSSProperties = anchor > 70 ? { right: 0 } : { left: `calc(${anchor}% + 4px)` }
  return (
    <div
      className={classes.row}
      data-testid="timeline-row"
      data-row={row.key}
      data-node-row={row.node !== undefined}
    >
      <div className={classes.label}>
        {row.node ? (
          <Stack gap={0} miw={0}>
            <Text size="sm" fw={600} ff="monospace" truncate="end">
              {row.label}
            </Text>
            {row.detail && (
              <Text size="10px" c="dimmed" truncate="end">
                {row.detail}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="xs" truncate="end" title={row.label}>
            {row.label}
          </Text>
        )}
      </div>
      <div className={classes.track}>
        {earlier.map(({ step, attempt, from, to }) => (
          // Earlier attempts are context for the bar after them; their details are in its tooltip and log.
          <span
            key={`${step.plan.id}#${attempt.attempt}`}
            className={`${classes.earlier} ${classes.painted}`}
            data-testid="attempt-bar"
            data-step-id={step.plan.id}
            data-attempt={attempt.attempt}
            data-state={attempt.state}
            aria-hidden
            style={{ left: `${percent(from)}%`, width: `${percent(to) - percent(from)}%` }}
          />
        ))}
        {started.map(({ step, span }, index) => {
          const left = percent(span.from)
          const width = percent(span.to) - left
          // A node's row names its steps; a cluster-wide step's row is already named after it.
          const name = row.node ? shortStepName(step.plan) : stepLooks[step.state.state].label
          const flash = step.state.state === 'running' ? flashes[step.plan.id] : undefined
          const done = flash?.progress ? describeProgress(flash.progress).percent : null
          const duration = `${done !== null ? `${flash?.phase === 'verifying' ? 'verifying ' : ''}${Math.floor(done)}% · ` : ''}${formatStepDuration(span.to - span.from)}`
          const text = `${name} · ${duration}`
          // The last bar of a row may say its words beside it when it is too short to hold them.
          const aside = width < 7 && index === started.length - 1 && waiting.length === 0
          return (
            <Fragment key={step.plan.id}>
              <StepTooltip step={step} durationMs={span.to - span.from}>
                <UnstyledButton
                  className={`${classes.bar} ${classes.painted}`}
                  data-testid="step-bar"
                  data-step-id={step.plan.id}
                  data-state={step.state.state}
                  // The words the bar shows come first in its name (WCAG 2.5.3), then what it is.
                  aria-label={`${aside ? '' : `${text} — `}${step.plan.title}: ${stepLooks[step.state.state].label}`}
                  style={{ left: `${left}%`, width: `${width}%` }}
                  onClick={() => onOpenStep(step.plan.id)}
                >
                  {!aside && (
                    <span className={classes.barText}>
                      {name}
                      <span className={classes.duration}> · {duration}</span>
                    </span>
                  )}
                </UnstyledButton>
              </StepTooltip>
              {aside && (
                <span
                  className={classes.aside}
                  style={{ left: `calc(${left}% + max(${width}%, 6px) + 6px)` }}
                >
                  {text}
                  {row.node ? ` · ${stepLooks[step.state.state].label}` : ''}
                </span>
              )}
            </Fragment>
          )
        })}
        {waiting.length > 0 && (
          <div className={classes.chips} style={chipsStyle}>
            {waiting.map((step) => (
              <StepTooltip key={step.plan.id} step={step} durationMs={null}>
                <UnstyledButton
                  className={`${classes.chip} ${classes.painted}`}
                  data-testid="step-bar"
                  data-step-id={step.plan.id}
                  data-state={step.state.state}
                  aria-label={`${chipText(row.node, step)} — ${step.plan.title}`}
                  onClick={() => onOpenStep(step.plan.id)}
                >
                  {chipText(row.node, step)}
                </UnstyledButton>
              </StepTooltip>
            ))}
          </div>
        )}
      </div>
    </div>
  )
}

/** What a step that has not started shows: on a node's row its short name too. */
function chipText(node: string | undefined, step: TimelineStep): string {
  const state = stepLooks[step.state.state].label
  return node ? `${shortStepName(step.plan)} · ${state}` : state
}

function StepTooltip({
  step,
  durationMs,
  children,
}: {
  step: TimelineStep
  durationMs: number | null
  children: ReactElement
}) {
  const { state } = step
  return (
    <Tooltip
      withArrow
      multiline
      w={320}
      openDelay={150}
      label={
        <Stack gap={2}>
          <Text size="sm" fw={600}>
            {step.plan.title}
          </Text>
          <Group gap={6}>
            <Text size="xs">{stepLooks[state.state].label}</Text>
            {durationMs !== null && <Text size="xs">· {formatStepDuration(durationMs)}</Text>}
            {state.attempts > 1 && <Text size="xs">· attempt {state.attempts}</Text>}
          </Group>
          {state.startedAt && (
            <Text size="xs">
              {new Date(state.startedAt).toLocaleTimeString()}
              {state.finishedAt && ` – ${new Date(state.finishedAt).toLocaleTimeString()}`}
            </Text>
          )}
          {state.message && <Text size="xs">{state.message}</Text>}
          {state.earlierAttempts.map((attempt) => (
            <Text key={attempt.attempt} size="xs" c="dimmed">
              Attempt {attempt.attempt}: {stepLooks[attempt.state].label.toLowerCase()} at{' '}
              {new Date(attempt.finishedAt).toLocaleTimeString()}
              {attempt.message && ` — ${attempt.message}`}
            </Text>
          ))}
          <Text size="xs" c="dimmed">
            Click for the log
          </Text>
        </Stack>
      }
    >
      {children}
    </Tooltip>
  )
}

export function TimelineLegend() {
  return (
    <Group gap="md" data-testid="timeline-legend">
      {(Object.keys(stepLooks) as (keyof typeof stepLooks)[]).map((state) => (
        <Tooltip key={state} label={stepLooks[state].meaning}>
          <Group gap={6} wrap="nowrap">
            <span className={`${classes.swatch} ${classes.painted}`} data-state={state} />
            <Text size="xs">{stepLooks[state].label}</Text>
          </Group>
        </Tooltip>
      ))}
    </Group>
  )
}
