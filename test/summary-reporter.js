// Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI
// tooling reads whatever the runner.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    const broken = results.numFailedTestSuites - results.testResults.filter((r) => r.numFailingTests > 0).length;
    process.stdout.write(`\njest: ${passed} passed, ${failed + Math.max(0, broken)} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
