/**
 * `npm run explore -- --schedules N --seed S [--json] [--no-shrink] [--verbose]` and
 * `npm run explore -- --replay <seed>:<path>`. Prints the rate and each violation found
 * (with the command that replays it); `--json` ends with one line
 * `{"schedules", "violations", "seconds", "seed"}`. Exit code 1 when a violation was found.
 */
import { explore, type Finding, kindOf, replay } from "./explore";
import { INVARIANTS } from "./invariants";

interface Args {
  schedules: number;
  seed: number;
  json: boolean;
  shrink: boolean;
  verbose: boolean;
  replay?: { seed: number; path: string };
}

function parse(argv: string[]): Args {
  const args: Args = {
    schedules: 1000,
    seed: Date.now() % 2 ** 31,
    json: false,
    shrink: true,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--schedules") args.schedules = wholeNumber(flag, value());
    else if (flag === "--seed") args.seed = wholeNumber(flag, value());
    else if (flag === "--json") args.json = true;
    else if (flag === "--no-shrink") args.shrink = false;
    else if (flag === "--verbose") args.verbose = true;
    else if (flag === "--replay") {
      const m = /^(-?\d+):([\d:]+)$/.exec(value());
      if (!m) throw new Error("--replay takes <seed>:<path>, as a finding prints it");
      args.replay = { seed: Number(m[1]), path: m[2] };
    } else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`${flag} takes a whole number, got ${text}`);
  return n;
}

function printFinding(f: Finding, verbose: boolean): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `\nviolation of invariant ${f.violation.invariant}: ${INVARIANTS[f.violation.invariant as 1] ?? "the run ends"}`,
  );
  out(`  ${f.violation.message}`);
  out(
    `  found after ${f.foundAfter} schedules; ${f.shrunk ? "shrunk" : "not shrunk (same kind as an earlier one)"}`,
  );
  out(`  replay: npm run explore -- --replay ${f.seed}:${f.path}`);
  if (f.shrunk || verbose) {
    out(`  story: ${JSON.stringify(f.story)}`);
    for (const line of f.transcript) out(`  | ${line}`);
  }
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.replay) {
    const { story, result, schedule } = await replay(args.replay.seed, args.replay.path);
    process.stdout.write(`story: ${JSON.stringify(story)}\n`);
    for (const line of result?.transcript ?? []) process.stdout.write(`| ${line}\n`);
    process.stdout.write(`schedule: ${JSON.stringify(schedule)}\n`);
    const violations = result?.violations.length ?? 0;
    process.stdout.write(`${violations} violation(s)\n`);
    return violations > 0 ? 1 : 0;
  }
  const result = await explore({
    schedules: args.schedules,
    seed: args.seed,
    shrink: args.shrink,
    progress: (n) => {
      if (!args.json) process.stderr.write(`  ${n} schedules\n`);
    },
  });
  for (const f of result.findings) printFinding(f, args.verbose);
  const kinds = new Set(result.findings.map((f) => kindOf(f.violation)));
  const rate = result.schedules / Math.max(result.seconds, 1e-9);
  process.stdout.write(
    `\n${result.schedules} schedules in ${result.seconds.toFixed(1)} s (${rate.toFixed(1)} schedules/s), seed ${result.seed}: ` +
      `${result.findings.length} violation(s) of ${kinds.size} kind(s); ${result.knownLimits} known limit(s) met (tools/explore/limits.ts)\n`,
  );
  if (args.json)
    process.stdout.write(
      `${JSON.stringify({ schedules: result.schedules, violations: result.findings.length, seconds: Number(result.seconds.toFixed(2)), seed: result.seed })}\n`,
    );
  return result.findings.length > 0 ? 1 : 0;
}
