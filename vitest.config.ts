import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/idp/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: each file gets its own database, but too many parallel sidecars thrash.
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
