// Firmware 2.1 answers every UART read with its whole 16 KiB ring buffer; 2.0.x drains the buffer
// on each read. Either way a console should show each byte once, and several clients should see
// the same text. So the core keeps one transcript per node (bounded), appends only what is new,
// and clients read from an offset into it.

/** The part of `current` (the BMC's buffer now) that was not in `previous` (its buffer before). */
export function newBufferText(previous: string, current: string): { text: string; gap: boolean } {
  if (current.startsWith(previous)) return { text: current.slice(previous.length), gap: false }
  // The ring buffer dropped text at its front: find where the old buffer's end sits in the new one.
  const anchor = previous.slice(-Math.min(previous.length, 256))
  for (let at = current.lastIndexOf(anchor); at >= 0; at = current.lastIndexOf(anchor, at - 1)) {
    const end = at + anchor.length
    if (previous.endsWith(current.slice(0, end))) return { text: current.slice(end), gap: false }
    if (at === 0) break
  }
  // Nothing in common: more than a whole buffer arrived between two reads, some text was lost.
  return { text: current, gap: true }
}

const maxTranscriptChars = 512 * 1024

export class UartTranscript {
  private text = ''
  /** Offset of text[0] in the whole transcript since the core started. */
  private start = 0
  private lastBuffer = ''
  private gapAt: number[] = []

  /** Adds one BMC read: a whole ring buffer (firmware 2.1) or only new bytes (2.0.x). */
  record(read: string, drainsOnRead: boolean): void {
    const { text, gap } = drainsOnRead ? { text: read, gap: false } : newBufferText(this.lastBuffer, read)
    if (!drainsOnRead) this.lastBuffer = read
    if (gap && this.end() > 0) this.gapAt.push(this.end())
    this.text += text
    if (this.text.length > maxTranscriptChars) {
      const drop = this.text.length - maxTranscriptChars
      this.text = this.text.slice(drop)
      this.start += drop
    }
  }

  end(): number {
    return this.start + this.text.length
  }

  /** Text after `since`; `gap` when some of it is missing (dropped by the BMC or by our bound). */
  readFrom(since: number): { text: string; offset: number; gap: boolean } {
    const from = Math.max(since, this.start)
    const gap = since < this.start || this.gapAt.some((at) => at > since && at <= this.end())
    return { text: this.text.slice(from - this.start), offset: this.end(), gap }
  }
}
