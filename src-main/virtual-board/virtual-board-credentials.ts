// The virtual board's login: the simulation's (a real BMC's factory default), kept with the
// virtual board rather than in the keychain. Its own module so the core's base can name it without
// loading the simulation.
export const virtualBoardCredentials = { username: 'root', password: 'turing' }
