// axe-core run inside the page as the user sees it. Its source is evaluated through the DevTools
// protocol rather than added as a script tag, which the host's Content-Security-Policy refuses.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface Violation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[]; html: string; failureSummary?: string }[]
}

/**
 * The serious and critical findings on the page now (or inside the element `within` selects), one
 * readable line each (none: []). axe leaves text over a background image undecided (`incomplete`),
 * not failed: inside the elements `decideContrastIn` selects (the timeline's bars sit on its
 * grid-line gradient), background images are taken away while axe runs, so it measures the words
 * against the colour under them, and whatever it still cannot decide there is a finding too.
 */
export async function seriousAxeFindings(
  page: Page,
  within?: string,
  { decideContrastIn }: { decideContrastIn?: string } = {},
): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource)
  const context = within === undefined ? 'document' : `{ include: [${JSON.stringify(within)}] }`
  const flat = JSON.stringify(decideContrastIn ? `${decideContrastIn}, ${decideContrastIn} *` : '')
  const { violations, undecided } = (await page.evaluate(`(async () => {
    const flattened = ${flat} ? [...document.querySelectorAll(${flat})] : []
    const before = flattened.map((element) => element.style.backgroundImage)
    for (const element of flattened) element.style.backgroundImage = 'none'
    try {
      const results = await axe.run(${context}, { resultTypes: ['violations', 'incomplete'] })
      const undecided = results.incomplete
        .filter((result) => result.id === 'color-contrast')
        .map((result) => ({
          ...result,
          impact: 'serious',
          nodes: result.nodes.filter((node) => flattened.some((element) => element.matches(node.target[0]))),
        }))
      return { violations: results.violations, undecided }
    } finally {
      flattened.forEach((element, i) => (element.style.backgroundImage = before[i]))
    }
  })()`)) as { violations: Violation[]; undecided: Violation[] }
  return [...violations, ...undecided]
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.impact} ${violation.id} at ${node.html.slice(0, 200)}: ${violation.help}. ${node.failureSummary ?? ''}`,
      ),
    )
}
