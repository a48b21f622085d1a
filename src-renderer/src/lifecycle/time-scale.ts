// The timeline's time axis: whole, round ticks (5 s, 1 min, 15 min…) so a run of seconds and a run
// of an hour both read at a glance, with about six to ten ticks across.
const second = 1000
const minute = 60 * second
const tickSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400].map(
  (seconds) => seconds * second,
)

export interface TimeScale {
  /** The width of the axis in milliseconds from the run's start: whole ticks, at least the run. */
  spanMs: number
  tickMs: number
  ticks: number[]
}

/** An axis for a run `elapsedMs` long; `headroom` leaves space on the right while it still runs. */
export function timeScale(elapsedMs: number, { maxTicks = 10, headroom = false } = {}): TimeScale {
  // A run of a few seconds still gets a 10 s axis, so instant steps do not fill the whole width.
  const wanted = Math.max(10 * second, elapsedMs * (headroom ? 1.08 : 1))
  const tickMs = tickSteps.find((step) => wanted / step <= maxTicks) ?? tickSteps.at(-1)!
  const spanMs = Math.ceil(wanted / tickMs) * tickMs
  const ticks: number[] = []
  for (let at = 0; at <= spanMs; at += tickMs) ticks.push(at)
  return { spanMs, tickMs, ticks }
}

/** A tick's label: "0", "45 s", "2 min", "1 h 30 min". */
export function formatOffset(ms: number): string {
  if (ms === 0) return '0'
  const totalSeconds = Math.round(ms / second)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  const parts: string[] = []
  if (hours > 0) parts.push(`${hours} h`)
  if (minutes > 0) parts.push(`${minutes} min`)
  if (seconds > 0 && hours === 0) parts.push(`${seconds} s`)
  return parts.join(' ')
}

/** A step's length as the bar says it: "0.4 s" for quick ones, then as formatDuration does. */
export function formatStepDuration(ms: number): string {
  if (ms < 10 * second) return `${(ms / second).toFixed(1)} s`
  if (ms < minute) return `${Math.round(ms / second)} s`
  return formatOffset(ms)
}
