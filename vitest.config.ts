// Test tiers: unit tests sit next to the code; integration tests start real peers on loopback
// (SQLite files, the Secret Service, HTTPS servers, the CLI as a process); end-to-end tests drive
// Debian's Chromium against the WebSocket host; the Electron smoke test needs an Electron binary;
// fault tests replay what fault injection and hostile input broke; peers tests run the real
// Kubernetes control plane and helm that scripts/peers.sh builds (docs/test-peers.md).
//
// The tiers that run real processes on a shared, busy machine give a failed test one more try; a
// test that passes only then is named as flaky at the end of `npm test` (scripts/test.sh), so it is
// seen and fixed rather than hidden (docs/architecture.md, "Test tiers").
import { defineConfig } from 'vitest/config'

const retry = 1

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src-main/**/*.test.ts',
            'src-shared/**/*.test.ts',
            'src-renderer/**/*.test.ts',
            'tests/lint/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          retry,
          hookTimeout: 60_000,
        },
      },
      {
        // Fault injection and hostile input: BMC faults on both firmware versions, malformed and
        // flooding WebSocket clients, fuzzed profile files and CLI arguments; bounded in count and time.
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          retry,
          hookTimeout: 60_000,
        },
      },
      {
        // One loopback Kubernetes cluster (kwokctl, binary runtime) for the whole run, started by
        // the globalSetup; the tests report themselves skipped where the peers are not built.
        test: {
          name: 'peers',
          include: ['tests/peers/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          retry,
          hookTimeout: 60_000,
          fileParallelism: false,
          globalSetup: ['tests/peers/support/cluster-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts', 'tests/electron/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          retry,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['tests/e2e/support/build-renderer.ts'],
        },
      },
    ],
  },
})
