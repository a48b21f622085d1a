// A run as a report to keep or share: per phase, each step with its state, duration and last
// message. Markdown for Git and chat, HTML for a browser. Logs are already redacted.
import { formatDuration } from '../progress/progress.ts'
import { operationTitles, phaseTitles, planPhases } from './plan.ts'
import type { Run } from './run-schema.ts'

interface ReportRow {
  title: string
  state: string
  duration: string
  message: string
}

function rowsByPhase(run: Run): Array<{ phase: string; rows: ReportRow[] }> {
  const states = new Map(run.steps.map((step) => [step.stepId, step]))
  return planPhases(run.plan)
    .map((phase) => ({
      phase: phaseTitles[phase],
      rows: run.plan.steps
        .filter((step) => step.phase === phase)
        .map((step) => {
          const state = states.get(step.id)!
          const seconds =
            state.startedAt && state.finishedAt
              ? (Date.parse(state.finishedAt) - Date.parse(state.startedAt)) / 1000
              : null
          return {
            title: step.title,
            state: state.state,
            duration: seconds === null ? '' : formatDuration(seconds),
            message: state.message ?? '',
          }
        }),
    }))
    .filter((phase) => phase.rows.length > 0)
}

function totalDuration(run: Run): string {
  return run.finishedAt
    ? formatDuration((Date.parse(run.finishedAt) - Date.parse(run.createdAt)) / 1000)
    : 'still running'
}

export function runReportMarkdown(run: Run): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const lines = [
    `# Clusterdeck run: ${run.profileName}`,
    '',
    `- Run: \`${run.id}\` (${operationTitles[run.operation].toLowerCase()})`,
    `- Distribution: ${run.distribution}`,
    `- Through phase: ${phaseTitles[run.throughPhase]}`,
    `- State: **${run.state}**${run.message ? ` — ${run.message}` : ''}`,
    `- Started: ${run.createdAt}`,
    `- Finished: ${run.finishedAt ?? '—'} (${totalDuration(run)})`,
  ]
  for (const { phase, rows } of rowsByPhase(run)) {
    lines.push('', `## ${phase}`, '', '| Step | State | Duration | Message |', '|---|---|---|---|')
    for (const row of rows)
      lines.push(`| ${cell(row.title)} | ${row.state} | ${row.duration} | ${cell(row.message)} |`)
  }
  return `${lines.join('\n')}\n`
}

export function runReportHtml(run: Run): string {
  const escape = (text: string) =>
    text.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
    )
  const sections = rowsByPhase(run)
    .map(
      ({ phase, rows }) =>
        `<h2>${escape(phase)}</h2>\n<table>\n<tr><th>Step</th><th>State</th><th>Duration</th><th>Message</th></tr>\n${rows
          .map(
            (row) =>
              `<tr class="${escape(row.state)}"><td>${escape(row.title)}</td><td>${escape(row.state)}</td><td>${escape(row.duration)}</td><td>${escape(row.message)}</td></tr>`,
          )
          .join('\n')}\n</table>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clusterdeck run: ${escape(run.profileName)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}tr.done td:nth-child(2),tr.skipped td:nth-child(2){color:#2b8a3e}tr.failed td:nth-child(2),tr.blocked td:nth-child(2){color:#c92a2a}tr.not-run{color:#888}</style>
</head><body>
<h1>Clusterdeck run: ${escape(run.profileName)}</h1>
<p>${operationTitles[run.operation]} run <code>${escape(run.id)}</code> · ${escape(run.distribution)} · through ${escape(phaseTitles[run.throughPhase])}<br>
State: <strong>${escape(run.state)}</strong>${run.message ? ` — ${escape(run.message)}` : ''}<br>
Started ${escape(run.createdAt)} · finished ${escape(run.finishedAt ?? '—')} (${escape(totalDuration(run))})</p>
${sections}
</body></html>
`
}
