/**
 * The explorer's command line (npm run explore -- …):
 *
 *   --schedules N --seed S [--json] [--no-shrink] [--verbose]   explore; prints the rate and
 *       each violation with the command that replays it. `--json`: one line per finding
 *       (`{"finding": …}`), then one last line `{"schedules", "violations", "seconds", "seed"}`.
 *   --replay <seed>:<path> [--save <file> --name <n> --about <text>]   one case of a search,
 *       as a finding prints it; `--save` keeps it as a regression case (./cases).
 *   --case <file> [--json]   a kept case under its recorded schedule.
 *   --cases fixed|open [--json]   every kept case of a folder, one JSON line each with --json.
 *   --help   the flags ({@link USAGE}).
 *
 * Exit code 1 when a violation was found (known limits do not count), 2 on a usage error.
 */
import { type CommandLine, parseFlags, readCommandLine, wholeNumber } from "../command-line";
import { type RegressionCase, readCase, readCases, writeCase } from "./cases";
import { explore, type Finding, kindOf, replay, replayCase } from "./explore";
import { INVARIANTS } from "./invariants";
import type { StoryResult } from "./run-story";

interface Args {
  schedules: number;
  seed: number;
  json: boolean;
  shrink: boolean;
  verbose: boolean;
  replay?: { seed: number; path: string };
  save?: string;
  name?: string;
  about?: string;
  case?: string;
  cases?: "fixed" | "open";
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** What `--help` prints, and what follows a refused command line. */
const USAGE = [
  "usage: npm run explore -- [flags]",
  "",
  "  --schedules N --seed S [--json] [--no-shrink] [--verbose]",
  "      explore N schedules (default 1000) from seed S (default: from the clock); prints the rate",
  "      and each violation with the command that replays it. --json: one line per finding",
  '      ({"finding": …}), then one last line {"schedules", "violations", "seconds", "seed"}.',
  "      --no-shrink: report each finding as found; --verbose: the story and transcript of each.",
  "  --replay <seed>:<path> [--save <file> --name <n> --about <text>]",
  "      one case of a search, as a finding prints it; --save keeps it as a regression case.",
  "  --case <file> [--json]        a kept case under its recorded schedule",
  "  --cases fixed|open [--json]   every kept case of a folder, one JSON line each with --json",
  "  --help                        this text",
  "",
  "Exit code 1 when a violation was found (known limits do not count), 2 on a usage error.",
].join("\n");

/** The flags, as node:util's parseArgs takes them. */
const FLAGS = {
  schedules: { type: "string" },
  seed: { type: "string" },
  json: { type: "boolean" },
  "no-shrink": { type: "boolean" },
  verbose: { type: "boolean" },
  replay: { type: "string" },
  save: { type: "string" },
  name: { type: "string" },
  about: { type: "string" },
  case: { type: "string" },
  cases: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line; throws with a message for anything it does not accept. */
function parse(argv: string[]): CommandLine<Args> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) return { help: true };
  const args: Args = {
    schedules: values.schedules === undefined ? 1000 : wholeNumber("--schedules", values.schedules),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : wholeNumber("--seed", values.seed),
    json: values.json === true,
    shrink: values["no-shrink"] !== true,
    verbose: values.verbose === true,
    save: values.save,
    name: values.name,
    about: values.about,
    case: values.case,
  };
  if (values.cases !== undefined) {
    if (values.cases !== "fixed" && values.cases !== "open") throw new Error("--cases takes fixed or open");
    args.cases = values.cases;
  }
  if (values.replay !== undefined) {
    const m = /^(-?\d+):([\d:]+)$/.exec(values.replay);
    if (!m) throw new Error("--replay takes <seed>:<path>, as a finding prints it");
    args.replay = { seed: Number(m[1]), path: m[2] };
  }
  return { help: false, options: args };
}

/** Violations that count: known limits (./limits) do not. */
function counted(result: StoryResult | undefined) {
  return (result?.violations ?? []).filter((v) => v.limit === undefined);
}

function printFinding(f: Finding, verbose: boolean): void {
  out(
    `\nviolation of invariant ${f.violation.invariant}: ${INVARIANTS[f.violation.invariant as 1] ?? "the run ends"}`,
  );
  out(`  ${f.violation.message}`);
  out(`  found after ${f.foundAfter} schedules; ${f.shrunk ? "shrunk" : "not shrunk"}`);
  out(`  replay: npm run explore -- --replay ${f.seed}:${f.path}`);
  if (f.shrunk || verbose) {
    out(`  story: ${JSON.stringify(f.story)}`);
    for (const line of f.transcript) out(`  | ${line}`);
  }
}

async function replayOne(args: Args & { replay: { seed: number; path: string } }): Promise<number> {
  const { story, result, schedule } = await replay(args.replay.seed, args.replay.path);
  out(`story: ${JSON.stringify(story)}`);
  for (const line of result?.transcript ?? []) out(`| ${line}`);
  const violations = counted(result);
  out(`${violations.length} violation(s)`);
  if (args.save && story && violations[0]) {
    const kept: RegressionCase = {
      name: args.name ?? args.save.replace(/^.*\//, "").replace(/\.json$/, ""),
      about: args.about ?? violations[0].message,
      invariant: violations[0].invariant,
      kinds: [...new Set(violations.map(kindOf))],
      seed: args.replay.seed,
      path: args.replay.path,
      found: "",
      story,
      schedule,
    };
    writeCase(args.save, kept);
    out(`saved ${args.save}`);
  }
  return violations.length > 0 ? 1 : 0;
}

async function playCases(
  files: Array<{ file: string; case: RegressionCase }>,
  json: boolean,
): Promise<number> {
  let found = 0;
  for (const { file, case: kept } of files) {
    const result = await replayCase(kept.story, kept.schedule);
    const violations = counted(result);
    found += violations.length;
    if (json)
      out(
        JSON.stringify({
          case: kept.name,
          file,
          violations: violations.map((v) => ({
            invariant: v.invariant,
            kind: kindOf(v),
            message: v.message,
          })),
        }),
      );
    else {
      out(`\n${kept.name}: ${kept.about}`);
      for (const line of result.transcript) out(`| ${line}`);
      out(`${violations.length} violation(s)`);
    }
  }
  return found > 0 ? 1 : 0;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const line = readCommandLine(argv, parse, USAGE);
  if ("exitCode" in line) return line.exitCode;
  const args = line.options;
  if (args.replay) return replayOne({ ...args, replay: args.replay });
  if (args.case) return playCases([{ file: args.case, case: readCase(args.case) }], args.json);
  if (args.cases) return playCases(readCases(args.cases), args.json);
  const result = await explore({
    schedules: args.schedules,
    seed: args.seed,
    shrink: args.shrink,
    progress: (n) => {
      if (!args.json) process.stderr.write(`  ${n} schedules\n`);
    },
  });
  const kinds = new Set(result.findings.map((f) => kindOf(f.violation)));
  if (args.json)
    for (const f of result.findings)
      out(
        JSON.stringify({
          finding: {
            invariant: f.violation.invariant,
            kind: kindOf(f.violation),
            message: f.violation.message,
            replay: `${f.seed}:${f.path}`,
            foundAfter: f.foundAfter,
          },
        }),
      );
  else for (const f of result.findings) printFinding(f, args.verbose);
  const rate = result.schedules / Math.max(result.seconds, 1e-9);
  out(
    `\n${result.schedules} schedules in ${result.seconds.toFixed(1)} s (${rate.toFixed(1)} schedules/s), seed ${result.seed}: ` +
      `${result.findings.length} violation(s) of ${kinds.size} kind(s); ${result.knownLimits} known limit(s) met (tools/explore/limits.ts)`,
  );
  if (args.json)
    out(
      JSON.stringify({
        schedules: result.schedules,
        violations: result.findings.length,
        seconds: Number(result.seconds.toFixed(2)),
        seed: result.seed,
      }),
    );
  return result.findings.length > 0 ? 1 : 0;
}
