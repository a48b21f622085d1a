// Time for the parts of the board whose behaviour depends on elapsed time that tests must control
// (login lockout, token expiry, node uptime). Pacing of flash writes uses real time on purpose:
// it shapes real TCP back-pressure.

/** A monotonic millisecond clock; fractions are allowed and show up in humantime-style messages. */
export interface VirtualBoardClock {
  now(): number
}

export const systemClock: VirtualBoardClock = { now: () => performance.now() }
