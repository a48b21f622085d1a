// The entry: the styles, then the app's code once the window has painted the title index.html
// holds. Running half a megabyte of script before the first frame would keep the window blank
// that long (docs/benchmarks.md, renderer). A hidden window (Electron before ready-to-show) may
// never run animation frames, so a timer starts the app too; whichever comes first does.
import '@mantine/core/styles.css'
import '@mantine/notifications/styles.css'
import '@mantine/dropzone/styles.css'

let started = false
function start(): void {
  if (started) return
  started = true
  void import('./start.tsx')
}
requestAnimationFrame(() => setTimeout(start))
setTimeout(start, 100)
