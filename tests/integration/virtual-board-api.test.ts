// The generic opt/type endpoints of the virtual board over real HTTPS: envelopes, error statuses
// and texts, 0-based node numbers, USB modes per board revision, UART buffers per firmware.
import { afterEach, describe, expect, it } from 'vitest'
import type { VirtualBoard, VirtualBoardOptions } from '../../src-main/virtual-board/virtual-board-server.ts'
import { startVirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { api, call, login, result } from './virtual-board-helpers.ts'

let board: VirtualBoard | undefined
afterEach(async () => {
  await board?.close()
  board = undefined
})

async function boot(options: VirtualBoardOptions): Promise<{ board: VirtualBoard; token: string }> {
  board = await startVirtualBoard({ bootDelayMs: 50, ...options })
  return { board, token: await login(board) }
}

const envelope = (value: unknown) => ({ response: [{ result: value }] })
const json = (text: string) => JSON.parse(text) as unknown

describe('generic endpoints on firmware 2.1', () => {
  it('answers every get type in the envelope', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const get = async (type: string) => {
      const response = await api(board, token, `opt=get&type=${type}`)
      expect(response.status).toBe(200)
      expect(response.headers['content-type']).toBe('application/json')
      return result(response)
    }
    expect(await get('power')).toEqual([{ node1: '0', node2: '0', node3: '0', node4: '0' }])
    expect(await get('usb')).toEqual([
      { mode: 'Device', node: 'Node 1', route: 'AlternativePort', bus_type: 'Usb hub' },
    ])
    expect(await get('usb_node1')).toBe(false)
    expect(await get('about')).toMatchObject({
      board_revision: '2.5',
      version: '2.3.4',
      build_version: '2024.05.1',
    })
    expect(await get('other')).toEqual([
      expect.objectContaining({
        api: '1.1',
        version: '2.3.4',
        buildroot: '"Buildroot 2024.05.1"',
        ip: 'Unknown',
      }),
    ])
    expect(await get('info')).toMatchObject({
      ip: [{ device: 'br0' }],
      storage: [{ name: 'BMC' }, { name: 'SD card' }],
    })
    expect(await get('sdcard')).toEqual([
      { total: expect.any(Number), use: expect.any(Number), free: expect.any(Number) },
    ])
    expect(await get('nodeinfo')).toEqual([{ node1: 0, node2: 0, node3: 0, node4: 0 }])
    expect(await get('cooling')).toEqual([{ device: 'system fan', speed: 2, max_speed: 3 }])
    expect(await get('node_info')).toEqual(
      Array(4).fill({ name: null, module_name: null, power_on_time: null, uart_baud: null }),
    )
  })

  it.each([
    ['type=power', 400, 'Missing `opt` parameter'],
    ['opt=put&type=power', 400, 'Missing `opt` parameter'],
    ['opt=get', 400, 'Missing `type` parameter'],
    ['opt=get&type=bogus', 400, 'Invalid `type` parameter bogus'],
    ['opt=set&type=about', 400, 'Invalid `type` parameter about'],
    ['opt=get&type=uart', 400, 'Missing `node` parameter'],
    ['opt=get&type=uart&node=one', 400, 'Parameter `node` is not a number'],
    ['opt=get&type=uart&node=4', 400, 'Parameter `node` is out of range 0..3 of node IDs'],
    ['opt=set&type=reset&node=7', 400, 'Parameter `node` is out of range 0..3 of node IDs'],
    [
      'opt=get&type=uart&node=0&encoding=latin1',
      400,
      'Invalid `encoding` parameter. Expected: utf8, utf16, utf16le, utf16be, utf32, utf32le, utf32be',
    ],
    ['opt=set&type=power&node1=2', 400, 'Invalid value `2` for parameter `node1`'],
    ['opt=set&type=power', 500, 'Failed to set power state: Condition failed: `mask != 0`'],
    [
      'opt=set&type=usb&node=0&mode=0',
      500,
      'Failed to set USB mode: Selecting one of the nodes as USB Host role is not supported by the current hardware',
    ],
    ['opt=set&type=usb&node=0', 400, 'Missing `mode` parameter'],
    ['opt=set&type=usb&node=0&mode=x', 400, 'Parameter `mode` is not a number'],
    ['opt=set&type=cooling&speed=1', 400, 'Missing `device` parameter'],
    ['opt=set&type=cooling&device=system%20fan&speed=fast', 400, '`speed` parameter is not a number'],
    [
      'opt=set&type=cooling&device=system%20fan&speed=9',
      500,
      'Failed to set Cooling state: speed 9 exceeds the maximum 3 of `system fan`',
    ],
    ['opt=set&type=sdcard', 501, 'microSD card formatting is not implemented'],
    ['opt=set&type=nodeinfo', 501, 'Method type `set` on parameter `nodeinfo` is deprecated'],
  ])('answers %s with %i "%s"', async (query, status, message) => {
    const { board, token } = await boot({ firmware: '2.1' })
    const response = await api(board, token, query)
    expect(response.status).toBe(status)
    expect(json(response.text)).toEqual(envelope(message))
  })

  it('switches power by 1-based names and keeps reset out of the persisted state', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    expect(json((await api(board, token, 'opt=set&type=power&node1=1&node3=1')).text)).toEqual(envelope('ok'))
    expect(result(await api(board, token, 'opt=get&type=power'))).toEqual([
      { node1: '1', node2: '0', node3: '1', node4: '0' },
    ])
    await api(board, token, 'opt=set&type=reset&node=1')
    expect(result(await api(board, token, 'opt=get&type=power'))).toEqual([
      { node1: '1', node2: '0', node3: '1', node4: '0' },
    ])
    expect(board.state.snapshot().nodes.map((node) => node.running)).toEqual([true, true, true, false])
    const infos = result(await api(board, token, 'opt=get&type=node_info')) as Array<{
      power_on_time: number | null
    }>
    expect(infos.map((info) => info.power_on_time)).toEqual([0, 0, 0, null])
  })

  it('sets USB modes, usb_node1 and usbboot pins', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    await api(board, token, 'opt=set&type=usb&node=2&mode=6')
    expect(result(await api(board, token, 'opt=get&type=usb'))).toEqual([
      { mode: 'Flash', node: 'Node 3', route: 'Bmc', bus_type: 'Usb hub' },
    ])
    expect(board.state.snapshot().nodes[2]!.usbBoot).toBe(true)
    await api(board, token, 'opt=set&type=usb&node=1&mode=1')
    expect(board.state.snapshot().nodes[2]!.usbBoot).toBe(false)
    await api(board, token, 'opt=set&type=usb_node1&alternative_port')
    expect(result(await api(board, token, 'opt=get&type=usb_node1'))).toBe(true)
    await api(board, token, 'opt=set&type=usb_node1')
    expect(result(await api(board, token, 'opt=get&type=usb_node1'))).toBe(false)
    // Modes 3 and 7 make bmcd panic: the connection drops.
    await expect(api(board, token, 'opt=set&type=usb&node=0&mode=3')).rejects.toThrow()
  })

  it('stores node_info posted as JSON and answers with an empty 200', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const post = (body: string, contentType = 'application/json') =>
      call(board, '/api/bmc?opt=set&type=node_info', { method: 'POST', token, body, contentType })
    expect(
      await post('{"Node1":{"name":"cp-1","module_name":"RK1","uart_baud":115200},"Node3":{"name":"w-1"}}'),
    ).toMatchObject({
      status: 200,
      text: '',
    })
    const infos = result(await api(board, token, 'opt=get&type=node_info')) as Array<Record<string, unknown>>
    expect(infos[0]).toMatchObject({ name: 'cp-1', module_name: 'RK1', uart_baud: 115200 })
    expect(infos[2]).toMatchObject({ name: 'w-1', module_name: null })
    expect(await post('{}', 'text/plain')).toMatchObject({ status: 400, text: 'Content type error' })
    expect((await post('{"Node5":{}}')).text).toMatch(/^Json deserialize error: unknown variant `Node5`/)
  })

  it('fills the UART buffer after power-on and returns it whole on every read', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const uart = async () =>
      (json((await api(board, token, 'opt=get&type=uart&node=0')).text) as { response: [{ uart: string }] })
        .response[0].uart
    expect(await uart()).toBe('')
    await api(board, token, 'opt=set&type=power&node1=1')
    expect(await uart()).toBe('')
    await new Promise((resolve) => setTimeout(resolve, 120))
    const first = await uart()
    expect(first).toContain('U-Boot')
    expect(first).toMatch(/login: $/)
    expect(first.length).toBeLessThanOrEqual(16 * 1024)
    expect(await uart()).toBe(first)
    await api(board, token, 'opt=set&type=uart&node=0&cmd=uname%20-a')
    expect(await uart()).toBe(`${first}uname -a\r\n`)
  })

  it('serves the serial status and a backup archive', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const status = await call(board, '/api/bmc/serial/status', { method: 'POST', token })
    expect(json(status.text)).toEqual(['Running', 'Running', 'Running', 'Running'])
    const backup = await call(board, '/api/bmc/backup', { token })
    expect(backup.status).toBe(200)
    expect(backup.headers['content-disposition']).toMatch(
      /^attachment; filename="tp2-backup-\d\d-\d\d-\d{4}\.tar\.gz"$/,
    )
    expect((await call(board, '/api/bmc/nothing', { token })).status).toBe(404)
  })
})

describe('generic endpoints on firmware 2.0.5', () => {
  it('has the older shapes and lacks the 2.1 types', async () => {
    const { board, token } = await boot({ firmware: '2.0.5' })
    expect(result(await api(board, token, 'opt=get&type=about'))).toEqual({
      api: '1.1',
      version: '2.0.5',
      buildtime: expect.any(String),
      buildroot: 'Buildroot 2023.08',
      build_version: '2023.08',
    })
    expect(result(await api(board, token, 'opt=get&type=usb'))).toEqual([
      { mode: 'Device', node: 'Node 1', route: 'UsbA' },
    ])
    for (const type of ['usb_node1', 'node_info', 'cooling']) {
      expect(json((await api(board, token, `opt=get&type=${type}`)).text)).toEqual(
        envelope(`Invalid \`type\` parameter ${type}`),
      )
    }
    // A v2.4 board can make a node the USB host.
    expect(json((await api(board, token, 'opt=set&type=usb&node=1&mode=4')).text)).toEqual(envelope('ok'))
    expect(result(await api(board, token, 'opt=get&type=usb'))).toEqual([
      { mode: 'Host', node: 'Node 2', route: 'Bmc' },
    ])
  })

  it('drains the UART buffer on every read', async () => {
    const { board, token } = await boot({ firmware: '2.0.5' })
    const uart = async () =>
      (json((await api(board, token, 'opt=get&type=uart&node=3')).text) as { response: [{ uart: string }] })
        .response[0].uart
    await api(board, token, 'opt=set&type=power&node4=1')
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(await uart()).toContain('Starting kernel')
    expect(await uart()).toBe('')
    await api(board, token, 'opt=set&type=uart&node=3&cmd=ls')
    expect(await uart()).toBe('ls\r\n')
  })
})
