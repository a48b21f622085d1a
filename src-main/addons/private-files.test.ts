import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withPrivateFiles } from './private-files.ts'

describe('withPrivateFiles', () => {
  it('writes files only the user can read, in a directory only the user can enter, and removes them', async () => {
    let path = ''
    await withPrivateFiles(async (files) => {
      path = await files.write('kubeconfig', 'apiVersion: v1')
      expect(await readFile(path, 'utf8')).toBe('apiVersion: v1')
      if (process.platform !== 'win32') {
        expect(statSync(path).mode & 0o777).toBe(0o600)
        expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
      }
    })
    expect(existsSync(dirname(path))).toBe(false)
  })

  it('removes them when the work fails too, and never overwrites a file', async () => {
    let path = ''
    await expect(
      withPrivateFiles(async (files) => {
        path = await files.write('values.json', '{}')
        await files.write('values.json', '{"again": true}')
      }),
    ).rejects.toThrow(/EEXIST/)
    expect(existsSync(dirname(path))).toBe(false)
  })
})
