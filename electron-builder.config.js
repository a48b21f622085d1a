// Packaging for Linux (AppImage, deb), macOS (dmg) and Windows (nsis). It cannot run on machines
// without internet access (electron-builder downloads Electron and its tool sets), so it is type-
// checked against electron-builder's Configuration in `npm run typecheck` and run by `npm run dist`
// where the network allows.
//
// Native modules (better-sqlite3, @napi-rs/keyring) are N-API with prebuilt binaries inside their
// npm packages: one binary serves Node and Electron, so there is no rebuild (npmRebuild: false;
// @electron/rebuild would try to download Electron headers), and they are unpacked from the asar
// because a .node file cannot be loaded from inside it.

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'dev.clusterdeck.app',
  productName: 'Clusterdeck',
  directories: { output: 'release/${version}' },
  files: ['out/**', 'package.json', '!**/*.map'],
  extraResources: [
    { from: 'resources/virtual-board', to: 'virtual-board', filter: ['**/*'] },
    { from: 'resources/virtual-talos', to: 'virtual-talos', filter: ['**/*'] },
  ],
  asar: true,
  asarUnpack: ['**/*.node'],
  npmRebuild: false,
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    // Off: --inspect would let whoever starts the app run code in its main process. Playwright's
    // _electron.launch needs it, so the smoke test drives the unpackaged Electron of node_modules
    // (fuses untouched), never a release build.
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Utility',
    maintainer: 'Clusterdeck <dev@clusterdeck.local>',
  },
  // The Secret Service keeps BMC passwords; libsecret is a default dependency of the deb already.
  deb: { recommends: ['gnome-keyring'] },
  mac: {
    target: [{ target: 'dmg', arch: ['arm64', 'x64'] }],
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
  },
  win: { target: [{ target: 'nsis', arch: ['x64', 'arm64'] }] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
}

export default config
