import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files left out of the quick tier (`npm run test:quick`, i.e. `vitest run --mode quick`, for the edit loop):
 * those whose tests take seconds (model-zoo checks against independent implementations, simulations at d ~ 1000,
 * threshold scans) or that start worker threads, child processes or a browser.
 * The quick tier also shares modules between test files in a worker (no isolation): most of a file's time is
 * importing the pipeline, not testing it. `npm test` (`vitest run`, what CI runs) runs every file, each isolated.
 */
const SLOW_FILES = [
  'test/cli/cli.test.ts',
  'test/cli/verify-gamp.test.ts',
  'test/cli/verify-spiked.test.ts',
  'test/cli/verify.test.ts',
  'test/fuzz/**',
  'test/glm/lowrank.test.ts',
  'test/glm/nishimori.test.ts',
  'test/glm/state-evolution.test.ts',
  'test/models/hinge.test.ts',
  'test/models/huber.test.ts',
  'test/models/lasso.test.ts',
  'test/models/logistic.test.ts',
  'test/models/perceptron-binary-bayes.test.ts',
  'test/models/published-references.test.ts',
  'test/models/rf-hinge.test.ts',
  'test/models/rf-logistic.test.ts',
  'test/models/robust-tukey.test.ts',
  'test/models/rules-facts-capacity-simulation.test.ts',
  'test/models/spiked-wigner.test.ts',
  'test/phase/phase.test.ts',
  'test/report/browser.test.ts',
  'test/security/injection.test.ts',
  'test/simulate/gamp.test.ts',
  'test/simulate/observables.test.ts',
  'test/simulate/spiked.test.ts',
  'test/simulate/theory.test.ts',
  'test/transitions/threshold.test.ts',
  'test/verify/zoo.test.ts',
];

export default defineConfig(({ mode }) => ({
  test: {
    ...(mode === 'quick' && { isolate: false }),
    // Not vitest's 5 s: on a busy machine (parallel CI jobs, other test runs) a test that takes 1 s alone can take
    // several times as long. Tests that take seconds alone carry their own, larger timeouts (at least 10x).
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    exclude: [...configDefaults.exclude, ...(mode === 'quick' ? SLOW_FILES : [])],
  },
}));
