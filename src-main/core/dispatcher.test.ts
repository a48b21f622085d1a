import { describe, expect, it, vi } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { requests } from '../../src-shared/contract/index.ts'
import { createDispatcher, type Handlers } from './dispatcher.ts'

const board = {
  id: '7a0c8f0e-3c1f-4d38-9b3e-2f5d7c1a9e11',
  name: 'rack-1',
  address: 'https://10.0.0.5',
  user: 'root',
  kind: 'bmc' as const,
  hasPassword: true,
  credentialsRefused: null,
  certificateSha256: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const unused = () => {
    throw new Error('not expected in this test')
  }
  const all = Object.fromEntries(Object.keys(requests).map((name) => [name, unused])) as unknown as Handlers
  return { ...all, 'boards.list': () => [board], ...overrides }
}

describe('dispatcher', () => {
  it('passes parsed input to the handler and wraps its value', async () => {
    const add = vi.fn(() => board)
    const dispatch = createDispatcher(handlers({ 'boards.add': add }), () => undefined)
    const result = await dispatch('boards.add', {
      name: ' rack-1 ',
      address: '10.0.0.5',
      user: 'root',
      password: 'pw',
    })
    expect(result).toEqual({ ok: true, value: board })
    expect(add).toHaveBeenCalledWith({
      name: 'rack-1',
      address: 'https://10.0.0.5',
      user: 'root',
      password: 'pw',
    })
  })

  it('refuses unknown requests by name', async () => {
    const dispatch = createDispatcher(handlers(), () => undefined)
    expect(await dispatch('boards.explode', {})).toEqual({
      ok: false,
      error: { code: 'unknown_request', message: '"boards.explode" is not a Clusterdeck request.' },
    })
  })

  it('refuses invalid input without calling the handler, naming each field', async () => {
    const add = vi.fn()
    const dispatch = createDispatcher(handlers({ 'boards.add': add }), () => undefined)
    const result = await dispatch('boards.add', { name: '', address: 'x y', user: 'root' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('invalid_input')
    expect(result.error.message).toMatch(/^name: is empty.*address: "x y" is not a BMC address.*password:/)
    expect(result.error.hint).toBeDefined()
    expect(add).not.toHaveBeenCalled()
  })

  it('treats a missing input as an empty object', async () => {
    const dispatch = createDispatcher(handlers(), () => undefined)
    expect(await dispatch('boards.list', undefined)).toEqual({ ok: true, value: [board] })
  })

  it('returns typed AppErrors as they are', async () => {
    const dispatch = createDispatcher(
      handlers({
        'boards.get': () => {
          throw new AppError('not_found', 'No board "x" is saved.', 'List the boards.')
        },
      }),
      () => undefined,
    )
    expect(await dispatch('boards.get', { ref: 'x' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No board "x" is saved.', hint: 'List the boards.' },
    })
  })

  it('reports unexpected errors as internal, without a stack, and logs them', async () => {
    const logged = vi.fn()
    const dispatch = createDispatcher(
      handlers({
        'boards.list': () => {
          throw new TypeError('boom')
        },
      }),
      logged,
    )
    const result = await dispatch('boards.list', {})
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boards.list failed unexpectedly: boom', hint: expect.any(String) },
    })
    expect(JSON.stringify(result)).not.toContain('at ')
    expect(logged).toHaveBeenCalledWith('boards.list', expect.any(TypeError))
  })
})
