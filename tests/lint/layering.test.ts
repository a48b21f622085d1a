// The layering allow-lists of eslint-rules/layer-imports.js, tried on code placed in each layer: an
// import the layer does not list must fail the lint, an allowed one must pass.
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` })
  return result!.messages.filter((m) => m.ruleId === 'clusterdeck/layer-imports').map((m) => m.message)
}

// The first lint loads the TypeScript parser, which takes seconds on a busy machine.
describe('layering rules', { timeout: 60_000 }, () => {
  it.each([
    [
      'src-renderer/src/x.tsx',
      "import { openDatabase } from '../../src-main/store/database.ts'\nexport { openDatabase }",
    ],
    ['src-renderer/src/x.tsx', "import { readFileSync } from 'node:fs'\nexport { readFileSync }"],
    ['src-renderer/src/x.tsx', "import { ipcRenderer } from 'electron'\nexport { ipcRenderer }"],
    ['src-shared/x.ts', "import { readFileSync } from 'fs'\nexport { readFileSync }"],
    [
      'src-shared/x.ts',
      "import { BoardService } from '../src-main/boards/board-service.ts'\nexport { BoardService }",
    ],
    ['src-shared/x.ts', "import { useState } from 'react'\nexport { useState }"],
    ['src-main/boards/x.ts', "import { app } from 'electron'\nexport { app }"],
    [
      'src-main/boards/x.ts',
      "import { createMainWindow } from '../electron/main-window.ts'\nexport { createMainWindow }",
    ],
    ['src-main/core/x.ts', "import { App } from '../../src-renderer/src/app.tsx'\nexport { App }"],
    ['src-shared/x.ts', "import { request } from 'undici'\nexport { request }"],
    ['src-renderer/src/x.tsx', "import { KubeConfig } from '@kubernetes/client-node'\nexport { KubeConfig }"],
    ['src-renderer/src/x.tsx', "import { Client } from 'ssh2'\nexport { Client }"],
    ['src-main/lifecycle/x.ts', "import ssh2 from 'ssh2'\nexport { ssh2 }"],
    ['src-main/talos/x.ts', "import { Server } from '@grpc/grpc-js'\nexport { Server }"],
    ['src-main/virtual-board/x.ts', "import { loadSync } from '@grpc/proto-loader'\nexport { loadSync }"],
    [
      'src-main/clusters/x.ts',
      "import { X509Certificate } from '@peculiar/x509'\nexport { X509Certificate }",
    ],
    ['src-main/talos/x.ts', "import { main } from '../cli/main.ts'\nexport { main }"],
    ['src-main/talos/x.ts', "import { startWsHost } from '../transport/ws-host.ts'\nexport { startWsHost }"],
    ['src-main/boards/x.ts', "import Database from 'better-sqlite3'\nexport { Database }"],
    ['src-main/boards/x.ts', "import leftPad from 'left-pad'\nexport { leftPad }"],
    ['src-main/cli/x.ts', "import { startWsHost } from '../transport/ws-host.ts'\nexport { startWsHost }"],
  ])('fails %s importing across layers', async (file, code) => {
    expect(await boundaryErrors(file, code)).toHaveLength(1)
  })

  it.each([
    [
      'src-renderer/src/x.tsx',
      "import { addBoardInputSchema } from '../../src-shared/boards/board-schemas.ts'\nexport { addBoardInputSchema }",
    ],
    ['src-main/boards/x.ts', "import { readFileSync } from 'node:fs'\nexport { readFileSync }"],
    ['src-main/electron/x.ts', "import { app } from 'electron'\nexport { app }"],
    ['src-shared/x.ts', "import { z } from 'zod'\nexport { z }"],
    ['src-main/cli/x.ts', "import { Command } from 'commander'\nexport { Command }"],
    ['src-main/tools/x.ts', "import { redact } from '../lifecycle/redact.ts'\nexport { redact }"],
    ['src-main/store/x.ts', "import Database from 'better-sqlite3'\nexport { Database }"],
    ['src-main/virtual-talos/x.ts', "import { Server } from '@grpc/grpc-js'\nexport { Server }"],
    ['src-main/ssh/x.ts', "import ssh2 from 'ssh2'\nexport { ssh2 }"],
    [
      'src-main/transport/x.ts',
      "import { createAppCore } from '../core/app-core.ts'\nexport { createAppCore }",
    ],
  ])('allows %s its own imports', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([])
  })
})
