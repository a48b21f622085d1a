import { describe, expect, it } from 'vitest'
import { newBufferText, UartTranscript } from './uart-transcript.ts'

describe('newBufferText', () => {
  it('returns what was appended while the buffer grows', () => {
    expect(newBufferText('', 'U-Boot\n')).toEqual({ text: 'U-Boot\n', gap: false })
    expect(newBufferText('U-Boot\n', 'U-Boot\nKernel\n')).toEqual({ text: 'Kernel\n', gap: false })
    expect(newBufferText('same', 'same')).toEqual({ text: '', gap: false })
  })

  it('finds the new tail once the ring buffer drops its front', () => {
    const before = 'abcdefghij'.repeat(40)
    const after = before.slice(100) + 'NEW TEXT'
    expect(newBufferText(before, after)).toEqual({ text: 'NEW TEXT', gap: false })
  })

  it('is not fooled when the new text repeats the old ending', () => {
    const before = 'x'.repeat(300) + 'login: '
    const after = before.slice(50) + 'login: '
    expect(newBufferText(before, after)).toEqual({ text: 'login: ', gap: false })
  })

  it('reports a gap when nothing is shared', () => {
    expect(newBufferText('old old old', 'entirely new')).toEqual({ text: 'entirely new', gap: true })
  })
})

describe('UartTranscript', () => {
  it('lets each reader see every byte once, from its own offset', () => {
    const transcript = new UartTranscript()
    transcript.record('boot 1\n', false)
    const first = transcript.readFrom(0)
    expect(first).toEqual({ text: 'boot 1\n', offset: 7, gap: false })
    transcript.record('boot 1\nboot 2\n', false)
    expect(transcript.readFrom(first.offset)).toEqual({ text: 'boot 2\n', offset: 14, gap: false })
    expect(transcript.readFrom(0).text).toBe('boot 1\nboot 2\n')
  })

  it('appends every read when the firmware drains the buffer', () => {
    const transcript = new UartTranscript()
    transcript.record('a', true)
    transcript.record('a', true)
    expect(transcript.readFrom(0).text).toBe('aa')
  })

  it('marks a gap for readers behind lost text', () => {
    const transcript = new UartTranscript()
    transcript.record('first', false)
    transcript.record('second', false)
    expect(transcript.readFrom(0)).toEqual({ text: 'firstsecond', offset: 11, gap: true })
    expect(transcript.readFrom(11)).toEqual({ text: '', offset: 11, gap: false })
  })
})
