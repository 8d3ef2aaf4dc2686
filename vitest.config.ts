import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: each integration file gets its own database and sidecar; more forks only thrash.
    pool: 'forks',
    // The JSON report lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-report.json' }]],
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests run beside the integration files on two cores; the first schema compile
          // (ajv, compose-spec) takes seconds when the cores are busy. Never a timing assertion.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/idp/**/*.test.ts', 'tests/conformance/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
      {
        test: {
          // The image in Docker (tests/container/container.test.ts): skipped, saying why, without an engine.
          name: 'container',
          include: ['tests/container/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          // A cold run builds the base images (debootstrap) and the image first.
          hookTimeout: 30 * 60_000,
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
