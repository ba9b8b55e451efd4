// Prints vitest's JSON results as the one line CI reads: "N passed, N failed". Arguments: the
// number of failed checks (formatter, linter, types), then the result files of each test run.
import { readFileSync } from 'node:fs';

const [checks, ...files] = process.argv.slice(2);
let passed = 0;
let failed = Number(checks ?? 0);
let skipped = 0;
for (const file of files) {
  let results;
  try {
    results = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // A run that wrote no results did not finish: one failure.
    failed += 1;
    continue;
  }
  // A suite that fails to load has no tests of its own; count it as one failure.
  const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  passed += results.numPassedTests;
  failed += results.numFailedTests + brokenSuites;
  skipped += results.numPendingTests + results.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
