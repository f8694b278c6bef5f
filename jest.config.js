/**
 * Two projects: `unit` (*.spec.ts, no servers) and `integration` (*.it.spec.ts, real
 * servers started by libs/testing). `npm test` runs both; the integration project runs
 * files one at a time (maxWorkers is global, so it is limited through --runInBand-like
 * settings per project below) because each file starts its own processes.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true } }];
const moduleNameMapper = {
  '^@millrace/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@millrace/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
module.exports = {
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts', '!**/*.it.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['**/*.it.spec.ts'], testTimeout: 180000, slowTestThreshold: 60 },
  ],
};
