import { writeFileSync } from "node:fs";
import Mocha from "mocha";
import type { ReportedTest, SuiteReport } from "./suite-report";

/**
 * A Mocha reporter for the docs generators: the built-in JSON reporter flattens the suite
 * titles into `fullTitle`, which loses where one `describe` ends and the next begins, and
 * the pages group tests by their outermost `describe` (whose title carries the suite's
 * counts). Writes a {@link SuiteReport} to the `output` reporter option, else to stdout.
 */
class SuiteReporter extends Mocha.reporters.Base {
  constructor(
    runner: Mocha.Runner,
    options: Mocha.MochaOptions & { reporterOption?: { output?: string } } = {},
  ) {
    super(runner, options);
    const start = new Date();
    const tests: ReportedTest[] = [];
    const record = (test: Mocha.Test, state: ReportedTest["state"]) => {
      tests.push({
        file: test.file ?? "",
        titlePath: test.titlePath(),
        state,
        durationMs: test.duration ?? 0,
      });
    };
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    runner.on(EVENT_TEST_PASS, (test) => record(test, "passed"));
    // A failing hook arrives here too, as a "test" titled after the hook.
    runner.on(EVENT_TEST_FAIL, (test) => record(test as Mocha.Test, "failed"));
    runner.on(EVENT_TEST_PENDING, (test) => record(test, "pending"));
    runner.once(EVENT_RUN_END, () => {
      const report: SuiteReport = { start: start.toISOString(), end: new Date().toISOString(), tests };
      const text = `${JSON.stringify(report)}\n`;
      const output = options.reporterOption?.output;
      if (output) writeFileSync(output, text);
      else process.stdout.write(text);
    });
  }
}

export = SuiteReporter;
