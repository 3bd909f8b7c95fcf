import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The vitest setup every package shares: run against `src/` through the `@descent/source` export condition
 * (no build needed) and leave a JSON report that `.ci/summary.mjs` totals.
 */
const base = {
  resolve: { conditions: ['@descent/source'] },
  ssr: { resolve: { conditions: ['@descent/source'] } },
};
const reporters: NonNullable<NonNullable<Parameters<typeof defineConfig>[0]['test']>['reporters']> = [
  'default',
  ['json', { outputFile: '.vitest/report.json' }],
];

export default defineConfig({
  ...base,
  test: { include: ['src/**/*.test.ts'], reporters, testTimeout: 60_000 },
});

const setup = (name: string): string => fileURLToPath(new URL(`./tools/vitest/${name}.ts`, import.meta.url));

/**
 * The backend test matrix: the same test files run twice, once per backend, as two vitest projects
 * (`cpu` and `wasm`). Packages whose behaviour must not depend on the backend use this config.
 */
export const backendMatrix = defineConfig({
  ...base,
  test: {
    reporters,
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'cpu', include: ['src/**/*.test.ts'], setupFiles: [setup('use-cpu')] } },
      { extends: true, test: { name: 'wasm', include: ['src/**/*.test.ts'], setupFiles: [setup('use-wasm')] } },
    ],
  },
});
