/**
 * Running what the docs and the CI workflows tell a user to type: a script in `bash -e`, in a
 * stack's program folder, with the stack's offline environment (the CLI on PATH, the file
 * backend, the passphrase) plus what the caller adds, and every `pulumi` invocation recorded
 * with the exact arguments bash gave it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type CliStack, collect } from "../../tools/pulumi-cli/cli";

/** What one script did. */
export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The argument vectors of each `pulumi` it ran, in order (without the leading "pulumi"). */
  pulumi: string[][];
}

/** Options of {@link runScript}. */
export interface ScriptOptions {
  /** Default: the stack's program folder. */
  cwd?: string;
  /** Added to (and overriding) the stack's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Default 300 s; then the script's process group is killed and the run fails. */
  timeoutMs?: number;
}

const ARG_END = "\0";
const CALL_END = "\x1e";

/**
 * Runs `script` with `bash -e` where `stack` runs its commands. A `pulumi` first on PATH
 * records its arguments and then executes the stack's real CLI, so that a test can compare
 * what the CLI stored with what the docs passed it.
 */
export async function runScript(
  stack: CliStack,
  script: string,
  options: ScriptOptions = {},
): Promise<ScriptResult> {
  const shimDir = fs.mkdtempSync(path.join(stack.scratch, "shim-"));
  const log = path.join(shimDir, "argv.log");
  fs.writeFileSync(log, "");
  fs.writeFileSync(
    path.join(shimDir, "pulumi"),
    [
      "#!/usr/bin/env bash",
      `{ printf '%s\\0' "$@"; printf '\\036'; } >> ${JSON.stringify(log)}`,
      `exec ${JSON.stringify(stack.cli.pulumi)} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const env: NodeJS.ProcessEnv = { ...stack.environment };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  env.PATH = [shimDir, env.PATH].join(path.delimiter);

  const child = spawn("bash", ["-e", "-c", script], {
    cwd: options.cwd ?? stack.dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: a time-out ends the CLI and its plugins too
  });
  const { code, stdout, stderr } = await collect(child, `script\n${script}\n`, options.timeoutMs ?? 300_000);
  const pulumi = fs
    .readFileSync(log, "utf8")
    .split(CALL_END)
    .filter((call) => call !== "")
    .map((call) => call.split(ARG_END).slice(0, -1));
  return { code, stdout, stderr, pulumi };
}

/** The script's output for a failure message. */
export function transcript(script: string, result: ScriptResult): string {
  return `$ bash -e <<'EOF'\n${script}\nEOF\nexit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
