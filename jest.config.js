const fs = require('node:fs');
const path = require('node:path');

function esmOnlyPackages(dir) {
  const names = [];
  const consider = (name) => {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
      if (pkg.type === 'module') names.push(name.replace(/[.+]/g, '\\$&'));
    } catch {
      // not a package
    }
  };
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('@')) {
      for (const scoped of fs.readdirSync(path.join(dir, entry))) consider(`${entry}/${scoped}`);
    } else if (!entry.startsWith('.')) {
      consider(entry);
    }
  }
  return names;
}

/** Two projects: fast unit specs beside the code, and e2e specs in test/ that run against a real PostgreSQL. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
// NestJS 12 and some of its dependencies ship ESM only; jest's CommonJS runtime needs them
// transformed (babel.config.js). The list is read from node_modules, so it follows upgrades.
const esmOnly = esmOnlyPackages(path.join(__dirname, 'node_modules'));
const esmTransform = {
  transform: { '^.+\\.ts$': tsJest, '^.+\\.m?js$': 'babel-jest' },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
module.exports = {
  // A global option (jest ignores it inside projects): e2e tests do real I/O, and CI machines
  // may be busy. Speed is measured by the benchmarks, never by timeouts.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      ...esmTransform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      ...esmTransform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
