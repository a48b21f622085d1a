// Saves text the core produced (a profile's YAML, a run report) as a file the user keeps: the
// browser's download, which Electron turns into a save dialog.
export function downloadText(fileName: string, content: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // The download has taken its copy once click() returns; revoke later all the same, for Safari's sake.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
