import { defineConfig } from 'vitest/config'

// chDB admits one data directory per process: each test file runs in its own forked worker
// with its own temporary warehouse (see infra/testing/temp-warehouse.ts).
export default defineConfig({
  test: {
    include: ['{infra,loaders,transforms,semantic,dashboards,bench}/**/*.test.ts'],
    // kho's clock at a fixed day in every test file (infra/testing/test-clock.ts says why that day).
    setupFiles: ['infra/testing/pin-clock.setup.ts'],
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
