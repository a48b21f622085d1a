// Reads a file as a stream of chunks from a small ring of reused buffers. Streaming gigabytes
// through fresh 1 MiB buffers keeps the garbage collector busy (about half a second of CPU per GiB
// on these machines), CPU that on a small machine the upload itself needs.
//
// A chunk must be consumed before the ring comes round to its buffer again: the upload writes each
// chunk and waits for the socket to drain before asking for the next, so at most one chunk is in
// flight; the ring leaves three more as margin. Integrity is checked end to end by the tests
// (the bytes the board receives hash to the file's SHA-256).
import { open } from 'node:fs/promises'

export async function* readChunks(path: string, chunkBytes = 1 << 20, ringSize = 4): AsyncGenerator<Buffer> {
  const file = await open(path, 'r')
  const ring = Array.from({ length: ringSize }, () => Buffer.allocUnsafeSlow(chunkBytes))
  try {
    for (let turn = 0; ; turn++) {
      const buffer = ring[turn % ringSize]!
      const { bytesRead } = await file.read(buffer, 0, chunkBytes, null)
      if (bytesRead === 0) return
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await file.close()
  }
}
