// Prints the totals of vitest JSON reports as one line, `N passed, N failed`, after a line for each
// failed test or file, so that the tail of a CI log says what failed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const firstLine = (text) => String(text ?? '').split('\n').find((line) => line.trim())?.trim().slice(0, 300) ?? '';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`no report in ${file}`);
    failed += 1;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  for (const suite of report.testResults ?? []) {
    const path = relative(process.cwd(), suite.name ?? '');
    const failures = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failures) console.log(`FAILED ${path} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (suite.status === 'failed' && failures.length === 0) console.log(`FAILED ${path}: ${firstLine(suite.message)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
