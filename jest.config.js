// Jest configuration: TypeScript through ts-jest (type checking runs separately via `tsc --noEmit`).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // test/long/ holds tests of minutes (the kernel's limits reached): NODE_CFFI_LONG=1 runs them, with the long versions of the others.
  testPathIgnorePatterns: process.env.NODE_CFFI_LONG === '1' ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/long/'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  // A hang fails at this point; a slow run on a loaded machine does not.
  testTimeout: 300000,
  // Two workers on two cores: many tests wait on a compiler or another child process, which one worker leaves a core idle for.
  maxWorkers: 2,
};
