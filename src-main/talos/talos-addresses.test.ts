import { describe, expect, it } from 'vitest'
import { boardOnLoopback, configuredApiAddress, consoleApiAddresses } from './talos-addresses.ts'
import { registerYamlSecrets } from './talosctl-runner.ts'

describe('where a Talos node answers', () => {
  it('reads the addresses of the last "reachable at" block of the console, logger fields and all', () => {
    const console = [
      '[talos] this machine is reachable at: {"component": "controller-runtime"}',
      '[talos] \t10.10.88.140 {"component": "controller-runtime"}',
      '[    9.120000] [talos] rebooting',
      '[   12.345678] [talos] this machine is reachable at:',
      '[   12.345679] [talos] \t10.10.88.141',
      '[   12.345680] [talos] \tfd00::5',
      '[talos] server certificate issued {"fingerprint": "abc"}',
    ].join('\r\n')
    expect(consoleApiAddresses(console)).toEqual(['10.10.88.141', 'fd00::5'])
    expect(consoleApiAddresses('[talos] entering maintenance mode')).toEqual([])
  })

  it('keeps a virtual node on its loopback address; a real one moves to its profile address', () => {
    expect(boardOnLoopback('https://127.0.0.1:8443')).toBe(true)
    expect(boardOnLoopback('https://10.10.88.10')).toBe(false)
    const profileAddress = '10.10.88.73'
    expect(configuredApiAddress({ onLoopback: true, maintenanceAddress: '127.0.0.11', profileAddress })).toBe(
      '127.0.0.11',
    )
    expect(
      configuredApiAddress({ onLoopback: false, maintenanceAddress: '10.10.88.140', profileAddress }),
    ).toBe(profileAddress)
  })

  it('registers each credential of a YAML file on its own, not its addresses or names', () => {
    const secrets: string[] = []
    registerYamlSecrets(
      'cluster:\n  id: Y2x1c3Rlci1pZA==\n  secret: c2VjcmV0LXZhbHVl\n  name: lab-cluster-name\ncerts:\n  os:\n    crt: LS0tLS1CRUdJTg==\n    key: LS0tLS1LRVk=\nendpoint: https://10.10.88.73:6443\n---\nkind: HostnameConfig\nhostname: turing-cp1\n',
      (value) => secrets.push(value),
    )
    expect(secrets).toEqual(['Y2x1c3Rlci1pZA==', 'c2VjcmV0LXZhbHVl', 'LS0tLS1CRUdJTg==', 'LS0tLS1LRVk='])
  })
})
