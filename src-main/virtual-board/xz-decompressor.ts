// FW 2.1 decompresses `.xz` uploads on the fly. The virtual board uses the app's own streaming
// decoder (@napi-rs/lzma, no external tool, so it works on every OS) and keeps back-pressure from
// the simulated writer all the way to the upload: the decoder is only fed as fast as it is read.
import { pipeline } from 'node:stream/promises'
import { decoderFor } from '../images/decompress.ts'

export async function* decompressXz(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  const decoder = decoderFor('xz')
  let sourceFailure: { error: unknown } | undefined
  const watched = async function* () {
    try {
      yield* source
    } catch (error) {
      sourceFailure = { error }
      throw error
    }
  }
  const pumped = pipeline(watched(), decoder)
  pumped.catch(() => {})
  try {
    for await (const chunk of decoder) yield chunk as Buffer
    await pumped
  } catch (error) {
    // A cut upload or a length mismatch is reported as it is; only the decoder's own errors are
    // about the xz data.
    if (sourceFailure) throw sourceFailure.error
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`xz decompression failed: ${reason}`, { cause: error })
  } finally {
    // Stopped early (cancel, write fault): tear the decoder down, which also ends the source.
    if (!decoder.destroyed) decoder.destroy()
  }
}
