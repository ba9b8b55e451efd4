// Prints vitest's JSON results as the one line CI reads: "N passed, N failed"; a second argument
// adds failed checks (formatter, linter, types) to the failures.
import { readFileSync } from 'node:fs';

let results;
try {
  results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// A suite that fails to load has no tests of its own; count it as one failure.
const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
const failed = results.numFailedTests + brokenSuites + Number(process.argv[3] ?? 0);
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || results.numPassedTests === 0 ? 1 : 0);
