#!/usr/bin/env node
// The `clusterdeck` command. The CLI runs from its TypeScript sources with Node's built-in type
// stripping (Node >= 22.18), so it needs no build step.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `clusterdeck: Node ${process.versions.node} is too old; Node 22.19 or newer is needed (Node 24 recommended).`,
  )
  process.exit(1)
}
const { main } = await import('../src-main/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
