import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { capture, ensurePackageLink } from "../engine/capture";
import { repoRoot } from "../paths";
import type { SerializeReply } from "./serialize-child";

/** The program whose `__provider` is measured. */
export const BASIC_EXAMPLE = path.join(repoRoot, "examples", "basic");
const RESOURCE_TYPE = "pulumi-nodejs:dynamic/ontap:IscsiService";

/** The `__provider` of examples/basic, and whether rebuilding the same code changes it. */
export interface ProviderBytes {
  /** Length of the `__provider` string the program registers (captured under Pulumi mocks). */
  bytes: number;
  /** The captured string. */
  text: string;
  /** Lengths of the strings serialized from two fresh compilations of sdk/provider-stub.ts. */
  rebuildBytes: [number, number];
  /** Both rebuilds serialize to exactly the captured string. */
  identicalAcrossBuilds: boolean;
}

/**
 * Captures examples/basic's real `__provider` with the engine harness (the program runs
 * under `pulumi.runtime.setMocks`, `.ts` transpiled as Pulumi's Node.js host does), then
 * compiles sdk/provider-stub.ts twice, with the project's tsconfig, into two temporary
 * directories and serializes each build exactly as `pulumi.dynamic.Resource` does.
 */
export async function measureProviderBytes(): Promise<ProviderBytes> {
  ensurePackageLink(BASIC_EXAMPLE, "pulumi-ontap-iscsi", repoRoot);
  const program = await capture({
    programDir: BASIC_EXAMPLE,
    config: { "ontap-iscsi-basic:svmName": "svm1" },
  });
  const resource = program.resources.find((r) => r.type === RESOURCE_TYPE);
  const text = resource?.inputs.__provider;
  if (typeof text !== "string")
    throw new Error(`examples/basic registered no ${RESOURCE_TYPE} with a __provider`);

  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "bench-stub-")));
  try {
    const stubs = dirs.map((dir) => compileStub(dir));
    const [a, b] = await serializeStubs(stubs, BASIC_EXAMPLE);
    return {
      bytes: Buffer.byteLength(text),
      text,
      rebuildBytes: [Buffer.byteLength(a), Buffer.byteLength(b)],
      identicalAcrossBuilds: a === text && b === text,
    };
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles sdk/provider-stub.ts with the project's compiler options into `outDir`; returns the .js path. */
function compileStub(outDir: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(repoRoot, "tsconfig.json"),
    { outDir, rootDir: repoRoot, declaration: false },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) },
  );
  if (!parsed) throw new Error("cannot read tsconfig.json");
  const program = ts.createProgram({
    rootNames: [path.join(repoRoot, "sdk", "provider-stub.ts")],
    options: parsed.options,
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error("compiling sdk/provider-stub.ts emitted nothing");
  return path.join(outDir, "sdk", "provider-stub.js");
}

function fail(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

/** Serializes each compiled stub in a child process whose cwd is the program's directory. */
function serializeStubs(stubPaths: string[], programDir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "serialize-child.js"), [JSON.stringify(stubPaths)], {
      cwd: programDir,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      execArgv: [],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let reply: SerializeReply | undefined;
    child.on("message", (message: SerializeReply) => {
      reply = message;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (reply?.ok) resolve(reply.texts);
      else reject(new Error(`serializing the stubs failed (exit ${code}): ${reply?.error ?? stderr}`));
    });
  });
}
