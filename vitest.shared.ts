import { defineConfig } from 'vitest/config';

/**
 * The vitest setup every package shares: run against `src/` through the `source` export condition
 * (no build needed) and leave a JSON report that `.ci/summary.mjs` totals.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    testTimeout: 60_000,
  },
});
