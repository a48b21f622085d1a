import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kubeconfigArchive } from './kubeconfig-archive.ts'

describe('kubeconfigArchive', () => {
  it('is a gzipped tar holding exactly the file kubeconfig, which GNU tar reads back', () => {
    const kubeconfig = `apiVersion: v1\nkind: Config\n# ${'x'.repeat(700)}\n`
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-archive-'))
    try {
      const path = join(dir, 'kubeconfig.tar.gz')
      writeFileSync(path, kubeconfigArchive(kubeconfig))
      expect(execFileSync('tar', ['-tzf', path], { encoding: 'utf8' })).toBe('kubeconfig\n')
      expect(execFileSync('tar', ['-xzOf', path, 'kubeconfig'], { encoding: 'utf8' })).toBe(kubeconfig)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
