/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // No wall-clock limit that a slow or busy machine could hit: every test's work is bounded by count
  // (jest needs a number; this one is about 24 days).
  testTimeout: 2 ** 31 - 1,
  // Native tensors and training are memory- and CPU-heavy: run files one at a time.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
