import { describe, expect, it } from 'vitest'
import { journalReason, judgeUnitState, unitStateCommand } from './k3s-unit.ts'

describe('judgeUnitState', () => {
  it('asks systemd for the state and the restarts of the unit', () => {
    expect(unitStateCommand('k3s-agent').command).toBe(
      'systemctl show -p ActiveState -p SubState -p NRestarts k3s-agent',
    )
  })

  it('is active once K3s signalled ready, whatever the order of the lines', () => {
    expect(judgeUnitState('NRestarts=0\nSubState=running\nActiveState=active\n').outcome).toBe('active')
  })

  it('waits while the unit starts, and fails it once failed or restarting again and again', () => {
    expect(judgeUnitState('ActiveState=activating\nSubState=start\nNRestarts=0\n')).toEqual({
      outcome: 'starting',
      state: 'activating (start)',
    })
    expect(judgeUnitState('ActiveState=activating\nSubState=auto-restart\nNRestarts=2\n').outcome).toBe(
      'starting',
    )
    expect(judgeUnitState('ActiveState=activating\nSubState=auto-restart\nNRestarts=3\n')).toEqual({
      outcome: 'failed',
      state: 'activating (auto-restart), restarted 3 times',
    })
    expect(judgeUnitState('ActiveState=failed\nSubState=failed\nNRestarts=0\n')).toEqual({
      outcome: 'failed',
      state: 'failed (failed)',
    })
    expect(judgeUnitState('').outcome).toBe('starting')
  })
})

describe('journalReason', () => {
  it('names the lines K3s logged as fatal or errors, the last ones first', () => {
    const journal = [
      'Starting Lightweight Kubernetes...',
      'level=info msg="Starting k3s agent v1.36.4+k3s1"',
      'level=error msg="failed to get CA certs: Get \\"https://10.10.88.73:6443/cacerts\\": dial tcp 10.10.88.73:6443: connect: connection refused"',
      'level=fatal msg="Error: Node password rejected, duplicate hostname or contents of \'/etc/rancher/node/password\' may not match server node-passwd entry"',
      "k3s-agent.service: Failed with result 'exit-code'.",
      '',
    ].join('\n')
    expect(journalReason(journal, 2)).toBe(
      'level=error msg="failed to get CA certs: Get \\"https://10.10.88.73:6443/cacerts\\": dial tcp 10.10.88.73:6443: connect: connection refused" / level=fatal msg="Error: Node password rejected, duplicate hostname or contents of \'/etc/rancher/node/password\' may not match server node-passwd entry"',
    )
  })

  it('falls back to systemd’s own lines, then to the last lines', () => {
    expect(journalReason("Starting...\nk3s.service: Failed with result 'exit-code'.\n")).toBe(
      "k3s.service: Failed with result 'exit-code'.",
    )
    expect(journalReason('a\nb\nc\nd\n-- No entries --\n')).toBe('b / c / d')
  })
})
