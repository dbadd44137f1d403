/**
 * Regression cases: a story and the schedule it ran under (the labels released, in
 * order), kept as JSON under tools/explore/cases/ — `fixed/` (the explorer must find no
 * violation: test/explore/regressions.test.ts) and `open/` (a provider bug today, listed
 * for the lead engineer: `npm run explore -- --case <file>` shows it). Each records how the
 * search found it (seed and path, and the provider commit it ran against).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths";
import type { Violation } from "./records";
import type { Story } from "./story";

/** One kept case. */
export interface RegressionCase {
  name: string;
  /** What it shows, in a sentence (the issue item, or the finding). */
  about: string;
  /** The invariant it broke when found. */
  invariant: Violation["invariant"];
  /** The shapes of its violations (./explore kindOf): the short run tolerates the open cases'. */
  kinds: string[];
  /** How the search found it: `npm run explore -- --replay <seed>:<path>` against `provider`. */
  seed: number;
  path: string;
  /** The provider it was found against (a commit), and after how many schedules. */
  found: string;
  story: Story;
  /** The labels released, in order (./replay ReplayScheduler). */
  schedule: string[];
}

/** Where the cases live. */
export const CASES_DIR = join(repoRoot, "tools", "explore", "cases");

/** The cases of one folder ("fixed" or "open"), by file name. */
export function readCases(folder: "fixed" | "open"): Array<{ file: string; case: RegressionCase }> {
  const dir = join(CASES_DIR, folder);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.sort().map((file) => ({
    file: join(dir, file),
    case: JSON.parse(readFileSync(join(dir, file), "utf8")) as RegressionCase,
  }));
}

/** Reads one case file. */
export function readCase(file: string): RegressionCase {
  return JSON.parse(readFileSync(file, "utf8")) as RegressionCase;
}

/** Writes a case file (pretty, one schedule label per line). */
export function writeCase(file: string, value: RegressionCase): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
