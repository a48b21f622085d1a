import { describe, expect, it } from 'vitest'
import { upgradeSkewProblem } from './version-skew.ts'

describe('upgradeSkewProblem', () => {
  it('allows a patch release, the next minor release and the same version', () => {
    expect(upgradeSkewProblem('Talos', 'v1.12.0', 'v1.12.3')).toBeNull()
    expect(upgradeSkewProblem('Talos', 'v1.12.4', 'v1.13.0')).toBeNull()
    expect(upgradeSkewProblem('Talos', 'v1.12.0', 'v1.12.0')).toBeNull()
  })

  it('refuses a downgrade and a jump over a minor release, saying what to do', () => {
    expect(upgradeSkewProblem('Talos', 'v1.12.1', 'v1.12.0')).toMatch(/older than the cluster’s v1\.12\.1/)
    expect(upgradeSkewProblem('Talos', 'v1.11.5', 'v1.13.0')).toMatch(
      /go to v1\.12\.x first, then to v1\.13\.0/,
    )
    expect(upgradeSkewProblem('Kubernetes', 'v1.35.0', 'v2.0.0')).toMatch(/^Kubernetes moves one minor/)
  })

  it('refuses a target that is no version, and allows any when the current one is unknown', () => {
    expect(upgradeSkewProblem('Talos', 'v1.12.0', 'latest')).toMatch(/"latest" is not a version/)
    expect(upgradeSkewProblem('Talos', undefined, 'v1.14.0')).toBeNull()
  })

  it('checks K3s releases by their Kubernetes version, then their K3s build', () => {
    expect(upgradeSkewProblem('K3s', 'v1.36.4+k3s1', 'v1.37.0+k3s1')).toBeNull()
    expect(upgradeSkewProblem('K3s', 'v1.36.4+k3s1', 'v1.36.4+k3s2')).toBeNull()
    expect(upgradeSkewProblem('K3s', 'v1.36.4+k3s2', 'v1.36.4+k3s1')).toMatch(/downgrades are not supported/)
    expect(upgradeSkewProblem('K3s', 'v1.36.4+k3s1', 'v1.38.0+k3s1')).toMatch(
      /^K3s moves one minor release at a time: from v1\.36\.4 go to v1\.37\.x first/,
    )
    expect(upgradeSkewProblem('K3s', 'v1.36.4+k3s1', 'v1.37.0')).toMatch(/not a K3s release/)
    expect(upgradeSkewProblem('K3s', undefined, 'v1.38.0+k3s1')).toBeNull()
  })
})
