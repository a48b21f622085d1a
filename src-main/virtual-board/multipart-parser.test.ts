import { describe, expect, it } from 'vitest'
import { MultipartError, multipartBoundary, openFirstPart } from './multipart-parser.ts'

async function* chunksOf(text: Buffer, size: number) {
  for (let offset = 0; offset < text.length; offset += size) yield text.subarray(offset, offset + size)
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of body) parts.push(chunk)
  return Buffer.concat(parts)
}

function multipart(payload: Buffer, boundary = 'XyZ'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.img"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    payload,
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\nignored\r\n--${boundary}--\r\n`,
    ),
  ])
}

describe('multipartBoundary', () => {
  it('reads plain and quoted boundaries and rejects other types', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc')
    expect(multipartBoundary('multipart/form-data; charset=x; boundary="a b"')).toBe('a b')
    expect(multipartBoundary('application/octet-stream')).toBeUndefined()
    expect(multipartBoundary(undefined)).toBeUndefined()
  })
})

describe('openFirstPart', () => {
  // Payload bytes that look like parts of a delimiter must survive any chunking.
  const payload = Buffer.concat([
    Buffer.from('\r\n--Xy\r\n-'),
    Buffer.alloc(3000, 7),
    Buffer.from('\r\n--XyY\r\n--Xy'),
  ])

  it.each([1, 2, 7, 64, 100_000])('returns exactly the first part with chunks of %i bytes', async (size) => {
    const source = chunksOf(multipart(payload), size)
    const part = await openFirstPart(source, 'XyZ')
    expect(part.headers).toContain('filename="a.img"')
    expect((await collect(part.body)).equals(payload)).toBe(true)
  })

  it('handles a part without headers and an empty part', async () => {
    const body = Buffer.from('preamble\r\n--b\r\n\r\n\r\n--b--\r\n')
    const part = await openFirstPart(chunksOf(body, 3), 'b')
    expect((await collect(part.body)).length).toBe(0)
  })

  it('rejects a body without parts', async () => {
    await expect(openFirstPart(chunksOf(Buffer.from('--b--\r\n'), 4), 'b')).rejects.toThrow(MultipartError)
    await expect(openFirstPart(chunksOf(Buffer.from('nothing'), 4), 'b')).rejects.toThrow(MultipartError)
  })

  it('throws when the body ends inside the part', async () => {
    const cut = multipart(payload).subarray(0, 500)
    const part = await openFirstPart(chunksOf(cut, 64), 'XyZ')
    await expect(collect(part.body)).rejects.toThrow(/ended before the part was complete/)
  })
})
