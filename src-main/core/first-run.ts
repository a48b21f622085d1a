// With no board saved, the app opens on the virtual board, so a first look shows every screen at
// work. Failing that (no keychain, say) the app still opens and says why on the boards page.
import type { AppCore } from './app-core.ts'

export async function openVirtualBoardWhenNoBoards(core: AppCore): Promise<void> {
  const boards = await core.dispatch('boards.list', {})
  if (boards.ok && Array.isArray(boards.value) && boards.value.length === 0) {
    await core.dispatch('virtualBoard.start', {})
  }
}
