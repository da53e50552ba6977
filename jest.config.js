// Jest configuration: TypeScript through ts-jest (type checking runs separately via `tsc --noEmit`).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  testTimeout: 60000,
  // Two workers on two cores: many tests wait on a compiler or another child process, which one worker leaves a core idle for.
  maxWorkers: 2,
};
