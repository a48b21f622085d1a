// bmcd keeps the last 16 KiB of each node's serial output in RAM. FW 2.1 returns the whole buffer
// on every read; FW 2.0.x drains it, so each read returns only what arrived since the last one.

export const uartBufferBytes = 16 * 1024

export class UartRingBuffer {
  #data = Buffer.alloc(0)
  readonly #capacity: number
  readonly #listeners = new Set<(bytes: Buffer) => void>()

  constructor(capacity = uartBufferBytes) {
    this.#capacity = capacity
  }

  append(bytes: Buffer | string): void {
    const added = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
    const joined = Buffer.concat([this.#data, added])
    this.#data = joined.length > this.#capacity ? joined.subarray(joined.length - this.#capacity) : joined
    for (const listener of this.#listeners) listener(added)
  }

  /** Every byte appended from now on, as it arrives (the serial WebSocket broadcasts them). */
  onAppend(listener: (bytes: Buffer) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  read({ drain }: { drain: boolean }): Buffer {
    const data = this.#data
    if (drain) this.#data = Buffer.alloc(0)
    return data
  }

  clear(): void {
    this.#data = Buffer.alloc(0)
  }
}

export const uartEncodings = ['utf8', 'utf16', 'utf16le', 'utf16be', 'utf32', 'utf32le', 'utf32be'] as const
export type UartEncoding = (typeof uartEncodings)[number]

export function isUartEncoding(value: string): value is UartEncoding {
  return (uartEncodings as readonly string[]).includes(value)
}

/** Lossy decoding, as bmcd does (invalid sequences become U+FFFD). */
export function decodeUart(bytes: Buffer, encoding: UartEncoding): string {
  switch (encoding) {
    case 'utf8':
      return new TextDecoder('utf-8').decode(bytes)
    case 'utf16':
    case 'utf16le':
      return new TextDecoder('utf-16le').decode(bytes)
    case 'utf16be':
      return new TextDecoder('utf-16be').decode(bytes)
    case 'utf32':
    case 'utf32le':
    case 'utf32be':
      return decodeUtf32(bytes, encoding !== 'utf32be')
  }
}

function decodeUtf32(bytes: Buffer, littleEndian: boolean): string {
  let text = ''
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
    const codePoint = littleEndian ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset)
    const valid = codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff)
    text += valid ? String.fromCodePoint(codePoint) : '\uFFFD'
  }
  return text
}
