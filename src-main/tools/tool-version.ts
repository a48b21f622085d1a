// How each tool tells its own version. helm prints it through a Go template; talosctl prints a
// "Client:" block whose tag line is `Tag: v1.13.7` (long form) or `Talos v1.13.7` (--short).
import type { ToolName } from './tool-manifest.ts'

export function versionArgs(tool: ToolName): string[] {
  return tool === 'helm' ? ['version', '--template', '{{.Version}}'] : ['version', '--client']
}

const versionPattern = /v\d+\.\d+\.\d+(?:-[\w.]+)?/

export function parseToolVersion(tool: ToolName, output: string): string | null {
  if (tool === 'helm') return versionPattern.exec(output.trim())?.[0] ?? null
  const client = output.split(/^Server:/m)[0] ?? ''
  const line = /^\s*(?:Tag:\s*|Talos\s+)(\S+)/m.exec(client)
  return line ? (versionPattern.exec(line[1]!)?.[0] ?? null) : null
}
