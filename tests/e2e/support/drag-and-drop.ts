// Drags as a user does, dispatched in the page: a file from the file manager (a File carried by a
// DataTransfer through dragenter, dragover and drop), or an element of the page onto another (the
// HTML5 drag the source starts itself, with the data it puts on the DataTransfer).
import type { Locator } from 'playwright-core'

/** The browser globals the in-page helpers use (these tests compile without the DOM library). */
interface PageGlobals {
  DataTransfer: new () => { items: { add(file: File): void } }
  DragEvent: new (
    type: string,
    init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown },
  ) => Event
}

export async function dropFile(target: Locator, name: string, bytes: Buffer): Promise<void> {
  await target.evaluate(
    (element, { name, base64 }) => {
      const binary = atob(base64)
      const content = new Uint8Array(binary.length)
      for (let i = 0; i < binary.length; i++) content[i] = binary.charCodeAt(i)
      const page = globalThis as unknown as PageGlobals
      const data = new page.DataTransfer()
      data.items.add(new File([content], name))
      for (const type of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(
          new page.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }),
        )
      }
    },
    { name, base64: bytes.toString('base64') },
  )
}
