// Page objects for one board's view: the four node slots, the board-wide actions, the
// confirmations, and a node's serial console.
import type { Download, Locator, Page } from 'playwright-core'
import { dropFile } from './drag-and-drop.ts'

export type PowerState = 'on' | 'off' | 'unknown'

/** The browser globals the in-page helpers use (these tests compile without the DOM library). */
interface PageGlobals {
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void }
  [recording: `phases-${number}`]: string[] | undefined
}

export class BoardViewPage {
  readonly page: Page
  readonly root: Locator
  readonly slots: Locator
  readonly bmcInfo: Locator
  readonly boardError: Locator
  /** Why the board's actions are disabled, when they are. */
  readonly actionsUnavailable: Locator
  /** The warning that profiles claim the same slots. */
  readonly slotConflicts: Locator
  readonly console: UartConsole

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('board-view')
    this.slots = page.getByTestId('node-slot')
    this.bmcInfo = page.getByTestId('bmc-info')
    this.boardError = page.getByTestId('board-error')
    this.actionsUnavailable = page.getByTestId('board-actions-unavailable')
    this.slotConflicts = page.getByTestId('slot-conflicts')
    this.console = new UartConsole(page)
  }

  async waitFor(boardName: string): Promise<void> {
    await this.page.locator(`[data-testid="board-view"][data-board-name="${boardName}"]`).waitFor()
  }

  slot(node: number): NodeSlot {
    return new NodeSlot(this.page, this.page.locator(`[data-testid="node-slot"][data-node="${node}"]`), node)
  }

  /** The open confirmation with this title. */
  dialog(title: string): ConfirmDialog {
    return new ConfirmDialog(this.page.getByRole('dialog', { name: title }))
  }

  /** A board-wide action button ("Power all on", "Reboot BMC", …). */
  action(name: string): Locator {
    return this.root.getByRole('button', { name, exact: true })
  }

  async powerAll(action: 'on' | 'off'): Promise<ConfirmDialog> {
    await this.root.getByRole('button', { name: action === 'on' ? 'Power all on' : 'Power all off' }).click()
    const dialog = this.dialog(action === 'on' ? 'Power on all nodes?' : 'Power off all nodes?')
    await dialog.root.waitFor()
    return dialog
  }
}

export class ConfirmDialog {
  readonly root: Locator

  constructor(root: Locator) {
    this.root = root
  }

  async text(): Promise<string> {
    return this.root.innerText()
  }

  switch(label: string): Locator {
    return this.root.getByRole('switch', { name: label })
  }

  async confirm(label: string): Promise<void> {
    await this.root.getByRole('button', { name: label, exact: true }).click()
    await this.root.waitFor({ state: 'hidden' })
  }

  /** Takes the safe choice, named for what it keeps ("Keep it running"). */
  async keep(label: string): Promise<void> {
    await this.root.getByRole('button', { name: label, exact: true }).click()
    await this.root.waitFor({ state: 'hidden' })
  }

  /** The label of the button that has the focus. */
  async focusedButton(): Promise<string> {
    return this.root.locator('button:focus').innerText()
  }
}

export class NodeSlot {
  readonly page: Page
  readonly root: Locator
  readonly node: number
  readonly dropzone: Locator
  readonly progress: Locator
  readonly result: Locator
  readonly rejection: Locator
  readonly uploadProgress: Locator

  constructor(page: Page, root: Locator, node: number) {
    this.page = page
    this.root = root
    this.node = node
    this.dropzone = root.getByTestId('slot-dropzone')
    this.progress = root.getByTestId('flash-progress')
    this.result = root.getByTestId('flash-result')
    this.rejection = root.getByTestId('flash-rejection')
    this.uploadProgress = root.getByTestId('upload-progress')
  }

  async power(): Promise<PowerState> {
    return (await this.root.getAttribute('data-power')) as PowerState
  }

  async waitForPower(state: PowerState, timeout = 10_000): Promise<void> {
    await this.page
      .locator(`[data-testid="node-slot"][data-node="${this.node}"][data-power="${state}"]`)
      .waitFor({ timeout })
  }

  /** The cluster nodes the saved profiles put in this slot, as the slot names them. */
  async clusterNodes(): Promise<string[]> {
    return this.root.getByTestId('slot-cluster-node').allInnerTexts()
  }

  get conflict(): Locator {
    return this.root.getByTestId('slot-conflict')
  }

  /** Why no flash can start, when the slot says so. */
  get flashUnavailable(): Locator {
    return this.root.getByTestId('flash-unavailable')
  }

  fact(name: 'module' | 'uptime' | 'usb'): Promise<string> {
    return this.root.getByTestId(`slot-${name}`).innerText()
  }

  button(name: string): Locator {
    return this.root.getByRole('button', { name, exact: true })
  }

  /** Drops a file on the slot as a user dragging it from the file manager would. */
  dropFile(name: string, bytes: Buffer): Promise<void> {
    return dropFile(this.dropzone, name, bytes)
  }

  /** The confirmation a dropped image opens. */
  flashDialog(boardName: string): ConfirmDialog {
    return new ConfirmDialog(
      this.page.getByRole('dialog', { name: `Flash node ${this.node} of ${boardName}?` }),
    )
  }

  /** The flash's phase now, or null when the slot shows no flash. */
  async phase(): Promise<string | null> {
    return (await this.progress.count()) === 0 ? null : this.progress.getAttribute('data-phase')
  }

  async waitForPhase(phase: string, timeout = 30_000): Promise<void> {
    await this.root.locator(`[data-testid="flash-progress"][data-phase="${phase}"]`).waitFor({ timeout })
  }

  /**
   * Starts noting every phase the slot shows, however briefly; the returned function reads them.
   * A poll from the test could miss a phase that lasts one render.
   */
  async recordPhases(): Promise<() => Promise<string[]>> {
    const key = `phases-${this.node}` as const
    await this.root.evaluate((slot, key) => {
      const page = globalThis as unknown as PageGlobals
      const seen: string[] = []
      page[key] = seen
      const note = () => {
        const phase = slot.querySelector('[data-testid="flash-progress"]')?.getAttribute('data-phase')
        if (phase && seen.at(-1) !== phase) seen.push(phase)
      }
      note()
      new page.MutationObserver(note).observe(slot, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-phase'],
      })
    }, key)
    return () => this.page.evaluate((key) => (globalThis as unknown as PageGlobals)[key] ?? [], key)
  }

  async openConsole(): Promise<UartConsole> {
    await this.button('Console').click()
    const console = new UartConsole(this.page)
    await console.terminal.waitFor()
    return console
  }
}

export class UartConsole {
  readonly page: Page
  readonly terminal: Locator
  readonly input: Locator
  readonly sendButton: Locator
  readonly lineModeNotice: Locator
  private readonly textElement: Locator

  constructor(page: Page) {
    this.page = page
    this.terminal = page.getByTestId('uart-terminal')
    this.input = page.getByTestId('uart-input')
    this.sendButton = page.getByRole('button', { name: 'Send', exact: true })
    this.lineModeNotice = page.getByTestId('uart-line-mode')
    this.textElement = page.getByTestId('uart-text')
  }

  /** 'socket' (keys go to the node), 'lines' (line by line), once the console has connected. */
  async waitForMode(mode: 'socket' | 'lines'): Promise<void> {
    await this.page.locator(`[data-testid="uart-mode"][data-mode="${mode}"]`).waitFor()
  }

  /** Focuses the terminal and types into it as a user at the keyboard would. */
  async type(text: string): Promise<void> {
    await this.terminal.locator('.xterm').click()
    await this.page.keyboard.type(text)
  }

  /** Presses a key or chord (e.g. "Enter", "Control+C") in the terminal. */
  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key)
  }

  /** Whether the keyboard is in the terminal (its hidden input has the focus). */
  async terminalHasFocus(): Promise<boolean> {
    return this.terminal.locator('textarea').evaluate((input) => input === input.ownerDocument.activeElement)
  }

  /** Copy selection: the selected text, or the whole log when nothing is selected. */
  async copy(): Promise<void> {
    await this.page.getByRole('button', { name: 'Copy selection' }).click()
  }

  saveLog(): Promise<Download> {
    const download = this.page.waitForEvent('download')
    return this.page
      .getByRole('button', { name: 'Save log' })
      .click()
      .then(() => download)
  }

  /** Everything the console received since it opened (the terminal's own buffer is canvas-drawn). */
  async text(): Promise<string> {
    return (await this.textElement.textContent()) ?? ''
  }

  /** The rows xterm renders, to check the text really reached the terminal. */
  async terminalRows(): Promise<string> {
    return this.terminal.locator('.xterm-rows').innerText()
  }
}
