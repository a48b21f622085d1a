// talosctl kubeconfig expects the node to stream a gzipped tar holding one file named
// `kubeconfig` (it extracts exactly that entry). One ustar header, the content padded to 512
// bytes, two zero blocks to end the archive.
import { gzipSync } from 'node:zlib'

const block = 512

export function kubeconfigArchive(kubeconfig: string, modifiedAt = new Date()): Buffer {
  const content = Buffer.from(kubeconfig, 'utf8')
  const header = Buffer.alloc(block)
  header.write('kubeconfig', 0, 'utf8')
  writeOctal(header, 100, 8, 0o600)
  writeOctal(header, 108, 8, 0)
  writeOctal(header, 116, 8, 0)
  writeOctal(header, 124, 12, content.length)
  writeOctal(header, 136, 12, Math.floor(modifiedAt.getTime() / 1000))
  header.write('0', 156, 'latin1')
  header.write('ustar\u000000', 257, 'latin1')
  // The checksum is computed with its own field read as spaces.
  header.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of header) sum += byte
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1')
  const padding = Buffer.alloc((block - (content.length % block)) % block)
  return gzipSync(Buffer.concat([header, content, padding, Buffer.alloc(2 * block)]))
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'latin1')
}
