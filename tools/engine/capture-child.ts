/**
 * Child-process half of `capture()` (./capture.ts): runs one Pulumi program under
 * `pulumi.runtime.setMocks` and sends back, over the IPC channel, every resource
 * registration exactly as the resource monitor received it. Mocks are process-global,
 * hence one process per program run.
 *
 * argv[2] is a JSON {@link CaptureChildSpec}; the stack config comes in the environment
 * (PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS), as the engine gives it to a program.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumiModule from "@pulumi/pulumi";
import type * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import type * as tsModule from "typescript";

/** What the parent asks for. */
export interface CaptureChildSpec {
  programDir: string;
  project: string;
  stack: string;
  preview: boolean;
}

/** One `RegisterResource` request, as received by the (mock) resource monitor. */
export interface RawRegistration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  provider: string;
  /** The request's `object` Struct as JavaScript: secrets wrapped, unknowns as the sentinel. */
  object: Record<string, unknown>;
  deleteBeforeReplace: boolean;
  /** Whether the program set the `deleteBeforeReplace` option at all (false and unset both send false). */
  deleteBeforeReplaceDefined: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
}

/** The one message the child sends before it exits. */
export type CaptureChildMessage =
  | { ok: true; registrations: RawRegistration[] }
  | { ok: false; error: string };

type RegisterCallback = (err: unknown, resp?: resourceProto.RegisterResourceResponse) => void;
interface MonitorLike {
  registerResource(req: resourceProto.RegisterResourceRequest, callback: RegisterCallback): void;
}
interface CompilableModule {
  _compile(code: string, filename: string): void;
}

let sent = false;

/** Sends the one result and exits; anything after the first result is ignored. */
function send(message: CaptureChildMessage): void {
  if (sent) return;
  sent = true;
  if (!process.send) {
    throw new Error("capture-child must be started with an IPC channel (child_process.fork)");
  }
  process.send(message, () => process.exit(message.ok ? 0 : 1));
}

function fail(err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  send({ ok: false, error: text });
}

/**
 * Lets `require` load the program's `.ts` files, transpiled without type checking: what
 * Pulumi's Node.js language host does through ts-node (transpile-only). The TypeScript
 * compiler is the one the program resolves, else the harness's own.
 */
function registerTypeScript(programRequire: NodeJS.Require): void {
  let ts: typeof tsModule | undefined;
  require.extensions[".ts"] = (module, filename) => {
    if (!ts) {
      try {
        ts = programRequire("typescript") as typeof tsModule;
      } catch {
        ts = require("typescript") as typeof tsModule;
      }
    }
    const source = fs.readFileSync(filename, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
      },
    });
    (module as unknown as CompilableModule)._compile(outputText, filename);
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "") as CaptureChildSpec;
  const programRequire = createRequire(path.join(spec.programDir, "__capture__.js"));
  const pulumi = programRequire("@pulumi/pulumi") as typeof pulumiModule;
  const settings = programRequire("@pulumi/pulumi/runtime/settings") as { getMonitor(): MonitorLike };
  const log = programRequire("@pulumi/pulumi/log") as { hasErrors(): boolean };

  await pulumi.runtime.setMocks(
    {
      // Outputs echo the inputs; in a preview, everything else a resource would output is unknown.
      newResource: (args) => ({ id: spec.preview ? undefined : `${args.name}-mock-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    spec.project,
    spec.stack,
    spec.preview,
  );

  const registrations: RawRegistration[] = [];
  const pending = new Set<RawRegistration>();
  const monitor = settings.getMonitor();
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const registration: RawRegistration = {
      urn: "",
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      provider: req.getProvider(),
      object: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
    };
    registrations.push(registration);
    pending.add(registration);
    registerResource(req, (err, resp) => {
      pending.delete(registration);
      registration.urn = resp?.getUrn() ?? "";
      callback(err, resp);
    });
  };

  // The result waits until nothing is left to run: `settings.waitForRPCs()` can resolve
  // before a registration starts, and a failed one (e.g. a provider closure that cannot be
  // serialized) surfaces only later, as an unhandled rejection.
  process.once("beforeExit", () => {
    if (log.hasErrors()) fail(new Error("the program logged errors (see its stderr)"));
    else if (pending.size > 0) {
      fail(
        new Error(
          `registration never completed: ${[...pending].map((r) => `${r.type} ${r.name}`).join(", ")}`,
        ),
      );
    } else send({ ok: true, registrations });
  });
  registerTypeScript(programRequire);
  programRequire(spec.programDir);
}

// Only as a forked child: test runners given the whole directory load this module too.
if (require.main === module) {
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  main().catch(fail);
}
