/**
 * The engine harness's program run: {@link capture} runs a Pulumi program (one of
 * tools/engine/fixtures, or examples/) under `pulumi.runtime.setMocks` in a child process
 * (./capture-child.ts) and returns every resource it registered, with the inputs the
 * engine would pass to the provider, the real serialized `__provider` among them.
 *
 * Why: the inputs a dynamic resource sends, and above all its `__provider` closure, are
 * made by the program and @pulumi/pulumi, not by the provider; building them by hand in a
 * test would test a copy. Mocks are global to a process, hence one child per run.
 * {@link ensurePackageLink} links a package (this one) into a program's node_modules, as
 * `npm install` of a `file:` dependency would. Used by ./engine.ts, the benchmark's
 * `__provider` measure and the tests that read what a program sends.
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CaptureChildMessage, CaptureChildSpec, RawRegistration } from "./capture-child";
import { readProjectName } from "./pulumi-sdk";
import { containsSecret, type PropertyMap, unwrapSecrets, type WireValue } from "./wire";

/** A Pulumi program and the stack it runs in. */
export interface ProgramOptions {
  /** Directory holding Pulumi.yaml and the program (`.js` or `.ts`, found as Node finds a package's main). */
  programDir: string;
  /** Default: `name:` in Pulumi.yaml. */
  project?: string;
  /** Default "dev". */
  stack?: string;
  /** Stack config with namespaced keys ("project:key", "ontap:host"), values as the CLI stores them: strings. */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
}

export interface CaptureOptions extends ProgramOptions {
  /** Run as `pulumi preview` would (outputs of other resources unknown). Default false. */
  preview?: boolean;
  /** Extra environment for the program. */
  env?: NodeJS.ProcessEnv;
  /** Default 60 s. */
  timeoutMs?: number;
}

/** One resource the program registered, as the engine receives it. */
export interface CapturedResource {
  /** As the engine computes it: `urn:pulumi:<stack>::<project>::<parent types$><type>::<name>`. */
  urn: string;
  /** Type token, e.g. "pulumi-nodejs:dynamic/ontap:IscsiService". */
  type: string;
  name: string;
  /** False for component resources, which the engine never sends to a provider. */
  custom: boolean;
  parent: string;
  /** Explicit provider reference; "" for the default provider (all dynamic resources). */
  provider: string;
  /**
   * The inputs, `__provider` included, with secrets unwrapped as the engine does before it
   * calls the provider; preview unknowns stay as the UNKNOWN sentinel string.
   */
  inputs: PropertyMap;
  /** Top-level input keys that held a secret (the engine re-marks the same output keys secret). */
  secretKeys: string[];
  /** The resource option; undefined when the program did not set it (the provider's diff decides). */
  deleteBeforeReplace: boolean | undefined;
  ignoreChanges: string[];
  replaceOnChanges: string[];
}

/** The result of one program run. */
export interface CapturedProgram {
  project: string;
  stack: string;
  preview: boolean;
  /** In registration order. */
  resources: CapturedResource[];
  /** What the program printed. */
  stdout: string;
  stderr: string;
}

/** The program could not run, or failed. */
export class ProgramError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ProgramError";
  }
}

function toCaptured(raw: RawRegistration): CapturedResource {
  const object = raw.object as PropertyMap;
  return {
    urn: raw.urn,
    type: raw.type,
    name: raw.name,
    custom: raw.custom,
    parent: raw.parent,
    provider: raw.provider,
    inputs: unwrapSecrets(object) as PropertyMap,
    secretKeys: Object.keys(object).filter((k) => containsSecret(object[k] as WireValue)),
    deleteBeforeReplace: raw.deleteBeforeReplaceDefined ? raw.deleteBeforeReplace : undefined,
    ignoreChanges: raw.ignoreChanges,
    replaceOnChanges: raw.replaceOnChanges,
  };
}

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` in a child process (one per run:
 * mocks are global) and returns every resource it registered, with the inputs the engine
 * would pass on to the provider. The child loads `@pulumi/pulumi` and the program from the
 * program's directory, so a dynamic resource's `__provider` is the real serialized closure.
 * `.ts` programs are transpiled on the fly (transpile-only, like Pulumi's ts-node).
 *
 * Limitation: the program runs before any step, so an input computed from another
 * resource's outputs sees the mock's echo of that resource's inputs (unknown in a preview),
 * not the provider's real outputs.
 */
export async function capture(options: CaptureOptions): Promise<CapturedProgram> {
  const programDir = path.resolve(options.programDir);
  if (!fs.existsSync(path.join(programDir, "Pulumi.yaml"))) {
    throw new ProgramError(`${programDir} is not a Pulumi program directory (no Pulumi.yaml)`, "", "");
  }
  const spec: CaptureChildSpec = {
    programDir,
    project: options.project ?? readProjectName(programDir),
    stack: options.stack ?? "dev",
    preview: options.preview ?? false,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PULUMI_CONFIG: JSON.stringify(options.config ?? {}),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretKeys ?? []),
    PULUMI_NODEJS_PROJECT: spec.project,
    PULUMI_NODEJS_STACK: spec.stack,
    PULUMI_NODEJS_DRY_RUN: String(spec.preview),
  };
  const child = fork(path.join(__dirname, "capture-child.js"), [JSON.stringify(spec)], {
    cwd: programDir,
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    execArgv: [],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  let message: CaptureChildMessage | undefined;
  child.on("message", (m) => {
    message = m as CaptureChildMessage;
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exit = await new Promise<{ code: number | null; signal: string | null; timedOut: boolean }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve({ code: null, signal: "SIGKILL", timedOut: true });
      }, timeoutMs);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, timedOut: false });
      });
    },
  );

  const where = `program ${programDir} (stack ${spec.stack}${spec.preview ? ", preview" : ""})`;
  if (exit.timedOut) throw new ProgramError(`${where} did not finish within ${timeoutMs} ms`, stdout, stderr);
  if (!message) {
    throw new ProgramError(
      `${where} exited (code ${exit.code}, signal ${exit.signal}) without a result; stderr:\n${stderr}`,
      stdout,
      stderr,
    );
  }
  if (!message.ok) throw new ProgramError(`${where} failed: ${message.error}`, stdout, stderr);
  return {
    project: spec.project,
    stack: spec.stack,
    preview: spec.preview,
    resources: message.registrations.map(toCaptured),
    stdout,
    stderr,
  };
}

/**
 * Makes `<programDir>/node_modules/<packageName>` a symlink to `targetDir`, as `npm install`
 * of a `file:` dependency does, so that the program and the `require`s inside a serialized
 * `__provider` resolve the package. Idempotent; refuses to replace anything that is not
 * already a link to the same place.
 */
export function ensurePackageLink(programDir: string, packageName: string, targetDir: string): void {
  const linkPath = path.join(programDir, "node_modules", ...packageName.split("/"));
  const target = fs.realpathSync(targetDir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(linkPath);
  } catch {
    stat = undefined;
  }
  if (stat) {
    const current = realpathOrUndefined(linkPath);
    if (current === target) return;
    if (!(stat.isSymbolicLink() && current === undefined)) {
      throw new Error(
        `${linkPath} exists and is not a link to ${target}: remove it, the harness links the package`,
      );
    }
    fs.unlinkSync(linkPath); // a dangling link
  }
  fs.mkdirSync(path.dirname(linkPath), { recursive: true });
  try {
    fs.symlinkSync(target, linkPath, "dir");
  } catch (err) {
    // Another process may have created the same link in the meantime.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST" || realpathOrUndefined(linkPath) !== target)
      throw err;
  }
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
