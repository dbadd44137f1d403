/**
 * The real Pulumi CLI, driven as a user's CI drives it: offline, on a file backend, with a
 * passphrase secrets provider, one scratch copy of a Pulumi program per stack. The CLI suite
 * (test/cli), the demo and the benchmark run `pulumi` through this module only.
 *
 * Where the CLI comes from ({@link findPulumiCli}): $ONTAP_ISCSI_PULUMI_BIN (a folder holding
 * `pulumi`), else this pin's build in the cache of tools/pulumi-cli/install.sh, else a
 * `pulumi` on PATH (a user's own install), else — when asked to — a fresh build by install.sh.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensurePackageLink } from "../engine/capture";
import { repoRoot } from "../paths";

/** The Pulumi CLI a run uses, and where it was found. */
export interface PulumiCli {
  /** The folder holding `pulumi` (and, for our own build, the language host and the dynamic-provider launcher). */
  binDir: string;
  /** Absolute path of the `pulumi` binary. */
  pulumi: string;
  /** What `pulumi version` prints, e.g. "v3.276.0". */
  version: string;
  /** Where it was found, for the line a run prints: "ONTAP_ISCSI_PULUMI_BIN", "cache", "PATH" or "built". */
  origin: "ONTAP_ISCSI_PULUMI_BIN" | "cache" | "PATH" | "built";
}

const INSTALL_SCRIPT = path.join(repoRoot, "tools", "pulumi-cli", "install.sh");

function cliIn(binDir: string, origin: PulumiCli["origin"]): PulumiCli | undefined {
  const pulumi = path.join(binDir, "pulumi");
  if (!fs.existsSync(pulumi)) return undefined;
  const version = execFileSync(pulumi, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  }).trim();
  return { binDir, pulumi, version, origin };
}

function fromInstallScript(cachedOnly: boolean): string | undefined {
  try {
    return execFileSync("bash", [INSTALL_SCRIPT, "--print-dir", ...(cachedOnly ? ["--cached"] : [])], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", cachedOnly ? "ignore" : "inherit"],
    }).trim();
  } catch (err) {
    if (cachedOnly) return undefined;
    throw new Error(
      `tools/pulumi-cli/install.sh could not build the Pulumi CLI (its output is above): ${err}`,
    );
  }
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, "pulumi"))) return dir;
  }
  return undefined;
}

/**
 * The Pulumi CLI to run (see the file comment for the order). With `build`, a missing CLI is
 * built by tools/pulumi-cli/install.sh (minutes on a fresh machine, seconds when Go's caches
 * are warm); without, undefined.
 */
export function findPulumiCli(options: { build?: boolean } = {}): PulumiCli | undefined {
  const explicit = process.env.ONTAP_ISCSI_PULUMI_BIN;
  if (explicit) {
    const cli = cliIn(explicit, "ONTAP_ISCSI_PULUMI_BIN");
    if (!cli) throw new Error(`ONTAP_ISCSI_PULUMI_BIN=${explicit} holds no 'pulumi'`);
    return cli;
  }
  const cached = fromInstallScript(true);
  if (cached) return cliIn(cached, "cache");
  const user = onPath();
  if (user) return cliIn(user, "PATH");
  if (!options.build) return undefined;
  const built = fromInstallScript(false);
  return built ? cliIn(built, "built") : undefined;
}

/** What one `pulumi` command did. */
export interface CliResult {
  /** The command line, for messages: `pulumi up --yes ...`. */
  command: string;
  /** Exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A command that exited otherwise than expected; the message carries all it printed. */
export class CliCommandError extends Error {
  constructor(readonly result: CliResult) {
    super(
      `${result.command} exited ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
    this.name = "CliCommandError";
  }
}

/** Options of `CliStack.create`. */
export interface CliStackOptions {
  cli: PulumiCli;
  /** The Pulumi program (a folder with Pulumi.yaml); copied, never run in place. */
  programDir: string;
  /** Default "dev". */
  stack?: string;
  /** A folder whose `node` runs the program and the provider (first on PATH); default: the `node` on PATH. */
  nodeBinDir?: string;
  /** Extra environment for every command. */
  env?: Record<string, string>;
  /**
   * Provider plugins the program's Pulumi.yaml names by path (`plugins.providers`), as a
   * user installs a plugin that is not in a registry: name → folder of `pulumi-resource-<name>`.
   */
  plugins?: Record<string, string>;
}

/** Options of one command. */
export interface RunOptions {
  /** Written to the command's standard input. */
  input?: string;
  env?: Record<string, string>;
  /** Default: the command must exit 0 ({@link CliCommandError} otherwise); false: any exit is returned. */
  check?: boolean;
  /** Default 180 s; then the command's process group is killed and the run fails. */
  timeoutMs?: number;
}

const SCRATCH_ROOT = path.join(repoRoot, ".tmp", "cli");

/**
 * One stack of one program on a file backend of its own. The program is copied to a scratch
 * folder under .tmp/cli (inside the repository, so that it resolves the repository's
 * node_modules, @pulumi/pulumi included), with `node_modules/pulumi-ontap-iscsi` linked to
 * the repository as `npm install` of a `file:` dependency does.
 */
export class CliStack {
  /** The program's copy: the CLI's working directory, where Pulumi.<stack>.yaml lives. */
  readonly dir: string;
  readonly stack: string;
  /** PULUMI_HOME, the backend and the program copy are all below this folder. */
  readonly scratch: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly running = new Set<ChildProcess>();

  private constructor(
    readonly cli: PulumiCli,
    options: CliStackOptions,
  ) {
    fs.mkdirSync(SCRATCH_ROOT, { recursive: true });
    this.scratch = fs.mkdtempSync(path.join(SCRATCH_ROOT, `${path.basename(options.programDir)}-`));
    this.dir = path.join(this.scratch, "program");
    this.stack = options.stack ?? "dev";
    copyProgram(options.programDir, this.dir);
    if (options.plugins) addPluginPaths(path.join(this.dir, "Pulumi.yaml"), options.plugins);
    ensurePackageLink(this.dir, "pulumi-ontap-iscsi", repoRoot);
    this.env = {
      ...offlineEnvironment(cli, this.scratch, "cli-suite-passphrase", options.nodeBinDir),
      ...options.env,
    };
  }

  /** Copies the program, makes the backend, and runs `pulumi stack init`. */
  static async create(options: CliStackOptions): Promise<CliStack> {
    const stack = new CliStack(options.cli, options);
    await stack.run(["stack", "init", stack.stack]);
    return stack;
  }

  /** The environment every command gets (PATH with the CLI, the file backend, no ONTAP_* of the caller's). */
  get environment(): Readonly<NodeJS.ProcessEnv> {
    return this.env;
  }

  /** Runs `pulumi <args> --non-interactive --color never` in the program's copy. */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const full = withGlobalFlags(args);
    const child = this.spawn(full, options);
    return this.finish(child, full, options);
  }

  /**
   * Starts `pulumi <args>` and returns at once: the caller may `kill` it (as a CI runner's
   * time-out or a lost machine ends a run) and then `await result`.
   */
  start(args: string[], options: RunOptions = {}): { child: ChildProcess; result: Promise<CliResult> } {
    const full = withGlobalFlags(args);
    const child = this.spawn(full, options);
    return { child, result: this.finish(child, full, { ...options, check: false }) };
  }

  /**
   * SIGKILL to the command's process group, as a CI runner's time-out or a second Ctrl-C
   * ends a run: the CLI, its language host and the program. Pulumi starts each plugin in a
   * process group of its own, so a dynamic provider outlives this (test/cli/interrupted
   * shows it); `killSession` ends those too.
   */
  static kill(child: ChildProcess): void {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  }

  /** SIGKILL to every process of the command's session (its plugins' groups included), as a lost machine ends them. */
  static killSession(child: ChildProcess): void {
    if (child.pid === undefined) return;
    for (const { pid } of sessionProcesses(child.pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  /** `pulumi config set [--secret] <key> -- <value>`: `--` so that a PEM is not read as a flag. */
  async setConfig(key: string, value: string, options: { secret?: boolean } = {}): Promise<void> {
    await this.run(["config", "set", ...(options.secret ? ["--secret"] : []), key, "--", value]);
  }

  /** Sets each key with `setConfig`; `undefined` runs `pulumi config rm`. */
  async setConfigs(
    values: Record<string, string | undefined>,
    options: { secret?: boolean } = {},
  ): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) await this.run(["config", "rm", key]);
      else await this.setConfig(key, value, options);
    }
  }

  /** `pulumi stack export`, parsed. */
  async exportStack(): Promise<StackExport> {
    const result = await this.run(["stack", "export"]);
    return JSON.parse(result.stdout) as StackExport;
  }

  /** Every file of the backend (state, history, backups), for secret scans. */
  backendFiles(): string[] {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(path.join(this.scratch, "backend"));
    return files;
  }

  /** Kills what is still running and removes the scratch folder. */
  async dispose(): Promise<void> {
    for (const child of this.running) CliStack.killSession(child);
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private spawn(args: string[], options: RunOptions): ChildProcess {
    const child = spawn(this.cli.pulumi, args, {
      cwd: this.dir,
      env: { ...this.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true, // its own process group, so that kill reaches the CLI's children too
    });
    this.running.add(child);
    child.stdin?.end(options.input ?? "");
    return child;
  }

  private async finish(child: ChildProcess, args: string[], options: RunOptions): Promise<CliResult> {
    const command = `pulumi ${args.join(" ")}`;
    try {
      const { code, signal, stdout, stderr } = await collect(child, command, options.timeoutMs ?? 180_000);
      const result: CliResult = { command, code, signal, stdout, stderr };
      if (options.check !== false && code !== 0) throw new CliCommandError(result);
      return result;
    } finally {
      this.running.delete(child);
    }
  }
}

/**
 * What a detached child printed and how it ended; after `timeoutMs` its process group is
 * killed and the promise rejects with what it printed so far. The one way the CLI suites
 * wait for a command, a script or a program that drives the CLI.
 * @internal test-only
 */
export function collect(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      CliStack.kill(child);
      reject(new Error(`${what} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The environment of a CLI run as a user's CI without Pulumi Cloud has it: `cli` first on
 * PATH (after `nodeBinDir`, when given), a file backend and PULUMI_HOME below `scratch`
 * (made here), a passphrase, no update check, no plugin or registry downloads, no color,
 * and none of the caller's PULUMI_* or ONTAP_* variables.
 * @internal test-only
 */
export function offlineEnvironment(
  cli: PulumiCli,
  scratch: string,
  passphrase: string,
  nodeBinDir?: string,
): NodeJS.ProcessEnv {
  const backend = path.join(scratch, "backend");
  const home = path.join(scratch, "home");
  fs.mkdirSync(backend, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  return {
    ...withoutPulumiOrOntapVariables(process.env),
    PATH: [nodeBinDir, cli.binDir, process.env.PATH].filter(Boolean).join(path.delimiter),
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    NO_COLOR: "1",
  };
}

/**
 * The processes of a session (Linux /proc): a command started `detached` leads its own
 * session, and everything it starts stays in it, whatever process group it makes.
 * @internal test-only
 */
export function sessionProcesses(sessionId: number): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp session ...
      const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
      if (session !== sessionId) continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

/** The parts of `pulumi stack export` the suite reads. */
export interface StackExport {
  version: number;
  deployment: {
    resources?: Array<{
      urn: string;
      type: string;
      id?: string;
      custom?: boolean;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
      [key: string]: unknown;
    }>;
    pending_operations?: Array<{ type: string; resource: { urn: string; [key: string]: unknown } }>;
    [key: string]: unknown;
  };
}

/** `--non-interactive --color never`, before a `--` that ends the flags. */
function withGlobalFlags(args: string[]): string[] {
  const end = args.indexOf("--");
  const at = end === -1 ? args.length : end;
  return [...args.slice(0, at), "--non-interactive", "--color", "never", ...args.slice(at)];
}

/** Appends `plugins.providers` entries to a Pulumi.yaml that has no `plugins:` of its own. */
function addPluginPaths(file: string, plugins: Record<string, string>): void {
  const text = fs.readFileSync(file, "utf8");
  if (/^plugins:/m.test(text)) throw new Error(`${file} already has plugins: the fixture should not`);
  const entries = Object.entries(plugins).map(([name, dir]) => `    - name: ${name}\n      path: ${dir}\n`);
  fs.writeFileSync(file, `${text.trimEnd()}\nplugins:\n  providers:\n${entries.join("")}`);
}

function copyProgram(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !/(^|[\\/])(node_modules|bin|Pulumi\.[^.\\/]+\.yaml)$/.test(path.relative(from, src)),
  });
  // examples/* share examples/tsconfig.json, one folder up; ts-node looks in the program's folder.
  const sharedTsconfig = path.join(from, "..", "tsconfig.json");
  const ownTsconfig = path.join(to, "tsconfig.json");
  if (
    fs.existsSync(path.join(to, "index.ts")) &&
    !fs.existsSync(ownTsconfig) &&
    fs.existsSync(sharedTsconfig)
  ) {
    const tsconfig = JSON.parse(fs.readFileSync(sharedTsconfig, "utf8"));
    delete tsconfig.include;
    fs.writeFileSync(ownTsconfig, JSON.stringify(tsconfig, null, 2));
  }
}

function withoutPulumiOrOntapVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(PULUMI_|ONTAP_)/.test(k)));
}
