// An xterm.js terminal living in a div: created when the div mounts, fitted to it whenever it
// resizes, disposed with it.
import '@xterm/xterm/css/xterm.css'
import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import { useEffect, useRef, useState, type RefObject } from 'react'

export function useXterm(): { container: RefObject<HTMLDivElement | null>; terminal: Terminal | undefined } {
  const container = useRef<HTMLDivElement>(null)
  const [terminal, setTerminal] = useState<Terminal>()

  useEffect(() => {
    const element = container.current
    if (!element) return
    const created = new Terminal({
      // The BMC's serial text uses bare LF as often as CR LF; xterm needs CR LF to start a line.
      convertEol: true,
      cursorBlink: true,
      fontSize: 13,
      scrollback: 5000,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      theme: { background: '#141517' },
    })
    const fit = new FitAddon()
    created.loadAddon(fit)
    created.open(element)
    const resize = new ResizeObserver(() => {
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit()
    })
    resize.observe(element)
    setTerminal(created)
    return () => {
      resize.disconnect()
      created.dispose()
      setTerminal(undefined)
    }
  }, [])

  return { container, terminal }
}
