/** The shape of what ./suite-reporter writes, for the generators that read it. */

/** One test as the suite report records it. */
export interface ReportedTest {
  /** The test file, relative to the working directory. */
  file: string;
  /** The titles from the outermost `describe` down to the test's own. */
  titlePath: string[];
  state: "passed" | "failed" | "pending";
  durationMs: number;
}

/** What `--reporter dist/tools/docs/suite-reporter.js --reporter-option output=<file>` writes. */
export interface SuiteReport {
  /** ISO 8601, when the run started and ended. */
  start: string;
  end: string;
  tests: ReportedTest[];
}
