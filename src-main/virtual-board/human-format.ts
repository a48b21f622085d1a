// bmcd formats durations with the Rust `humantime` crate and sizes with `humansize` (DECIMAL); the
// texts reach clients verbatim ("Access blocked for 59s 998ms …", "missing 1.5 MB bytes"), so the
// virtual board reproduces both formats.

const secondsPerYear = 31_557_600 // humantime's year: 365.25 days
const secondsPerMonth = 2_630_016 // humantime's month: 30.44 days

/** humantime::format_duration for a duration in milliseconds (fractions become us/ns). */
export function formatHumantime(milliseconds: number): string {
  const totalNanos = Math.max(0, Math.round(milliseconds * 1_000_000))
  const secs = Math.floor(totalNanos / 1_000_000_000)
  const nanos = totalNanos % 1_000_000_000
  if (secs === 0 && nanos === 0) return '0s'

  const years = Math.floor(secs / secondsPerYear)
  const afterYears = secs % secondsPerYear
  const months = Math.floor(afterYears / secondsPerMonth)
  const afterMonths = afterYears % secondsPerMonth
  const days = Math.floor(afterMonths / 86_400)
  const daySecs = afterMonths % 86_400

  const parts: string[] = []
  const plural = (value: number, name: string) => {
    if (value > 0) parts.push(`${value}${name}${value > 1 ? 's' : ''}`)
  }
  const unit = (value: number, name: string) => {
    if (value > 0) parts.push(`${value}${name}`)
  }
  plural(years, 'year')
  plural(months, 'month')
  plural(days, 'day')
  unit(Math.floor(daySecs / 3600), 'h')
  unit(Math.floor((daySecs % 3600) / 60), 'm')
  unit(daySecs % 60, 's')
  unit(Math.floor(nanos / 1_000_000), 'ms')
  unit(Math.floor(nanos / 1000) % 1000, 'us')
  unit(nanos % 1000, 'ns')
  return parts.join(' ')
}

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** humansize::format_size(bytes, DECIMAL): two decimals at most, trailing zeros dropped. */
export function formatDecimalSize(bytes: number): string {
  let value = bytes
  let unitIndex = 0
  while (value >= 1000 && unitIndex < decimalUnits.length - 1) {
    value /= 1000
    unitIndex++
  }
  const text = unitIndex === 0 ? String(value) : value.toFixed(2).replace(/\.?0+$/, '')
  return `${text} ${decimalUnits[unitIndex]}`
}
