// Whether a process of this machine still runs. The app and the CLI share one data directory, so
// work they leave behind (a download's staging file, an import's temporary folder, a lifecycle run)
// is claimed by a process id, and only abandoned when that process is gone.
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
