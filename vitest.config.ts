import { defineConfig } from 'vitest/config';

// One suite, two databases: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set
// (scripts/test.mjs runs both). Each test file gets its own database cloned from a
// template that global-setup migrates and fills with reference data once.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { seed: 20261129 },
  },
});
