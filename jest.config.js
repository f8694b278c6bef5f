/**
 * Two projects: `unit` (*.spec.ts, no servers) and `integration` (*.it.spec.ts, real
 * servers started by libs/testing). `npm test` runs both, two files at a time (the
 * machine has 2 cores); each integration file starts its own servers on free ports.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true } }];
// The @millrace/* aliases have one source of truth: tsconfig.json's `paths` (also read by
// scripts/register-paths.js for the compiled tree and by eslint's import resolver).
const { compilerOptions } = require('./tsconfig.json');
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) =>
    alias.endsWith('/*')
      ? [`^${escape(alias.slice(0, -2))}/(.*)$`, `<rootDir>/${target.slice(0, -2)}/$1`]
      : [`^${escape(alias)}$`, `<rootDir>/${target}`],
  ),
);
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // hexy (a node-opcua dependency) ships only an ES module, which Node 20 requires
  // natively but jest's module runtime cannot: it alone is compiled to CommonJS.
  transform: { '^.+\\.ts$': swc, '/node_modules/hexy/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!hexy/)'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
module.exports = {
  maxWorkers: 2,
  // testTimeout is global in jest (not a project option); integration tests need minutes.
  testTimeout: 180000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts', '!**/*.it.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['**/*.it.spec.ts'], slowTestThreshold: 60 },
  ],
};
