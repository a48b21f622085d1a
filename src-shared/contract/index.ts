// The one contract every transport carries: Electron IPC, the loopback WebSocket host and the CLI
// all dispatch these requests to the same core services.
import type { z } from 'zod'
import { armbianRequests } from './armbian.ts'
import { bmcEvents, bmcRequests } from './bmc.ts'
import { boardEvents, boardRequests } from './boards.ts'
import { clusterEvents, clusterRequests } from './clusters.ts'
import type { EventDefinition, RequestDefinition } from './define.ts'
import { flashEvents, flashRequests } from './flash.ts'
import { imageEvents, imageRequests } from './images.ts'
import { lifecycleEvents, lifecycleRequests } from './lifecycle.ts'
import { nodeRequests } from './nodes.ts'
import { profileEvents, profileRequests } from './profiles.ts'
import { systemRequests } from './system.ts'
import { talosFactoryRequests } from './talos-factory.ts'
import { toolsEvents, toolsRequests } from './tools.ts'
import { virtualBoardEvents, virtualBoardRequests } from './virtual-board.ts'

export const requests = {
  ...systemRequests,
  ...boardRequests,
  ...bmcRequests,
  ...flashRequests,
  ...imageRequests,
  ...armbianRequests,
  ...talosFactoryRequests,
  ...virtualBoardRequests,
  ...profileRequests,
  ...lifecycleRequests,
  ...toolsRequests,
  ...clusterRequests,
  ...nodeRequests,
} satisfies Record<string, RequestDefinition>

export const events = {
  ...bmcEvents,
  ...boardEvents,
  ...clusterEvents,
  ...flashEvents,
  ...imageEvents,
  ...lifecycleEvents,
  ...profileEvents,
  ...toolsEvents,
  ...virtualBoardEvents,
} satisfies Record<string, EventDefinition>

export type Requests = typeof requests
export type RequestName = keyof Requests
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<N extends EventName> = z.output<Events[N]['payload']>

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requests, name)
}

export { AppError, describeIssues, type AppErrorData, type ErrorCode, type Result } from './app-error.ts'
