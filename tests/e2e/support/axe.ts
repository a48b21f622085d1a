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
 * The serious and critical findings on the page now, one readable line each (none: []); within the
 * elements matching `selector` only, when given.
 */
export async function seriousAxeFindings(page: Page, selector?: string): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource)
  const context = selector === undefined ? 'document' : `{ include: [${JSON.stringify(selector)}] }`
  const violations = (await page.evaluate(
    `axe.run(${context}, { resultTypes: ["violations"] }).then((results) => results.violations)`,
  )) as Violation[]
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.impact} ${violation.id} at ${node.html.slice(0, 200)}: ${violation.help}. ${node.failureSummary ?? ''}`,
      ),
    )
}
