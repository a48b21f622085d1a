// The import-boundary rules of eslint.config.js, tried on code placed in each layer: a cross-layer
// import must fail the lint, an allowed one must pass.
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layering rules', () => {
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
  ])('allows %s its own imports', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([])
  })
})
