#!/usr/bin/env node
// Adds up the vitest JSON reports of every workspace package (reports/vitest.json), prints the
// core's coverage, and ends with one line "N passed, N failed". Exits 1 when a test failed or
// when no report was found.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;

// Workspace packages: every folder of packages/ and examples/, and bench/ itself.
const packageDirs = ['packages', 'examples'].flatMap((group) => {
  const dir = join(root, group);
  return existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((name) => [group, name])
    : [];
});
packageDirs.push(['.', 'bench']);

for (const [group, name] of packageDirs) {
  const file = join(root, group, name, 'reports', 'vitest.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  reports++;
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(
    `${group === '.' ? '' : `${group}/`}${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      (report.numFailedTestSuites ? `, ${report.numFailedTestSuites} suites failed to run` : ''),
  );
  if (report.numFailedTestSuites) failed += report.numFailedTestSuites;
}

const coverage = join(root, 'packages', 'core', 'reports', 'coverage', 'coverage-summary.json');
if (existsSync(coverage)) {
  const { total } = JSON.parse(readFileSync(coverage, 'utf8'));
  const pct = (key) => `${total[key].pct}%`;
  console.log(
    `@org/auth-core coverage: lines ${pct('lines')}, branches ${pct('branches')}, functions ${pct('functions')}, statements ${pct('statements')}`,
  );
}

if (reports === 0) {
  console.log('no test report found');
  failed++;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
