import { describe, expect, it } from 'vitest'
import { parseChecksumFile } from './checksum-file.ts'

const a = 'a'.repeat(64)
const b = 'B'.repeat(64)

describe('parseChecksumFile', () => {
  it('reads GNU sha256sum lines, text and binary mode', () => {
    expect(parseChecksumFile(`${a}  image.img.xz\n`, 'image.img.xz')).toBe(a)
    expect(parseChecksumFile(`${a} *image.img.xz`, 'image.img.xz')).toBe(a)
  })

  it('reads a bare hash and the BSD format', () => {
    expect(parseChecksumFile(`${b}\n`, 'x.img')).toBe('b'.repeat(64))
    expect(parseChecksumFile(`SHA256 (x.img) = ${a}`, 'x.img')).toBe(a)
  })

  it('picks the line naming the file among several, ignoring directories', () => {
    const text = `${a}  other.img.xz\n${b}  ./out/image.img.xz\n`
    expect(parseChecksumFile(text, 'image.img.xz')).toBe('b'.repeat(64))
  })

  it('gives up when several hashes name other files', () => {
    expect(parseChecksumFile(`${a}  one.img\n${b}  two.img\n`, 'three.img')).toBeNull()
    expect(parseChecksumFile('<html>not found</html>', 'x.img')).toBeNull()
  })
})
