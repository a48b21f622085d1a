// Typed events from the core to whichever clients are connected (Electron windows, WebSocket
// clients). Listeners that throw do not stop the others.
import type { EventName, EventPayload } from '../../src-shared/contract/index.ts'

type AnyListener = (name: EventName, payload: unknown) => void

export class EventBus {
  private readonly listeners = new Set<AnyListener>()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload)
      } catch {
        // A broken client connection must not break the core operation that raised the event.
      }
    }
  }

  /** One kind of event, with its payload typed. Returns the unsubscribe function. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.onAny((eventName, payload) => {
      if (eventName === name) listener(payload as EventPayload<E>)
    })
  }

  /** Every event, for transports that forward them all. Returns the unsubscribe function. */
  onAny(listener: AnyListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
