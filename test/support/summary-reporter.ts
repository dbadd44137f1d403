import Mocha from "mocha";

/**
 * Mocha's spec output, closed by the plain `N passed, N failed` line that CI reads
 * (mocha's own "passing/failing" wording is not one CI recognizes).
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats;
      const skipped = stats?.pending ? `, ${stats.pending} skipped` : "";
      process.stdout.write(`\n${stats?.passes ?? 0} passed, ${stats?.failures ?? 0} failed${skipped}\n`);
    });
  }
}

export = SummaryReporter;
