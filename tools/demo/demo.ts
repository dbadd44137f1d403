/**
 * `npm run demo`: the life of an examples/basic stack against the embedded ONTAP simulator,
 * through the real Pulumi CLI when one is built (cli-demo.ts), else through Pulumi's real
 * dynamic-provider host driven by tools/engine (this file): preview → up →
 * out-of-band drift → refresh → update → replace → destroy. Each step prints what Pulumi
 * would show (the operation, the resource, the properties that changed), every request
 * the provider sent to ONTAP, and the result. Exits 0, or 1 naming the step that failed.
 */

import {
  CheckFailedError,
  DeploymentError,
  type Engine,
  type OperationResult,
  type Step,
} from "../engine/engine";
import { HostCallError } from "../engine/host";
import { programConfig, requestLine, scenarioEngine, startHttpsSimulator } from "../engine/scenario";
import type { PropertyMap, WireValue } from "../engine/wire";
import { findPulumiCli, type PulumiCli } from "../pulumi-cli/cli";
import type { Simulator } from "../simulator/types";
import { runCliDemo } from "./cli-demo";
import { CHAPTERS, DEMO_PASSWORD, DemoError, type Printer, seconds } from "./story";

const PASSWORD = DEMO_PASSWORD;

/** The outputs a step shows, in this order. */
const SHOWN = ["svmName", "svmUuid", "enabled", "targetAlias", "targetName", "host"];

const format = (value: WireValue | undefined): string =>
  value === undefined ? "(none)" : typeof value === "string" ? JSON.stringify(value) : String(value);

/** Pulumi's symbols and past-tense verbs for each kind of step. */
const STEP_SHAPES: Record<string, { symbol: string; preview: string; done: string }> = {
  create: { symbol: "+ ", preview: "create", done: "created" },
  update: { symbol: "~ ", preview: "update", done: "updated" },
  replace: { symbol: "+-", preview: "replace", done: "replaced" },
  delete: { symbol: "- ", preview: "delete", done: "deleted" },
  refresh: { symbol: "~ ", preview: "refresh", done: "refreshed" },
  same: { symbol: "  ", preview: "unchanged", done: "unchanged" },
  check: { symbol: "x ", preview: "invalid", done: "invalid" },
};

/** Tells the story of one stack, printing as it goes. Throws a {@link DemoError} on the first failure. */
export async function runDemo(print: Printer): Promise<void> {
  // Three sessions of two database hosts log in to svm1 whenever its service is enabled.
  const sim = await startHttpsSimulator({
    svms: ["svm1", "svm2"],
    sessions: { svm1: 3 },
    sessionsRelogin: true,
    password: PASSWORD,
  });
  let engine: Engine | undefined;
  try {
    engine = scenarioEngine(sim, { password: PASSWORD, config: { svmName: "svm1" } });
    await tell(print, sim, engine);
  } finally {
    await engine?.stop();
    await sim.stop();
  }
}

async function tell(print: Printer, sim: Simulator, engine: Engine): Promise<void> {
  const started = performance.now();
  const uuid = (svm: string) => sim.svm(svm)?.uuid ?? "?";
  print(`  ONTAP simulator  ${sim.url} (SVMs svm1 ${uuid("svm1")}, svm2 ${uuid("svm2")})`);
  print(`  program          examples/basic (project ${engine.project}, stack ${engine.stack})`);
  print(`  stack config     ontap:host ${sim.host}, ontap:username admin, ontap:password [secret],`);
  print("                   ontap:caCert <the simulator's CA: TLS is verified>, svmName svm1");

  let number = 0;
  /** One step of the story: what Pulumi shows, the requests ONTAP received, the result. */
  const chapter = async (title: string, story: string, body: () => Promise<OperationResult | undefined>) => {
    number += 1;
    print("");
    print(`${number}. ${title}`);
    print(`   ${story}`);
    sim.clearRequests();
    const hostOutputBefore = engine.hostOutput.length;
    const t0 = performance.now();
    let op: OperationResult | undefined;
    try {
      op = await body();
    } catch (e) {
      throw e instanceof DemoError ? e : new DemoError(title, describeError(e));
    }
    const ms = performance.now() - t0;
    if (op) for (const step of op.steps) for (const line of describeStep(op, step)) print(`   ${line}`);
    // What the host printed (the provider's warnings), without the port line of a new host.
    for (const line of engine.hostOutput.slice(hostOutputBefore).split("\n")) {
      if (line.trim() !== "" && !/^\d+$/.test(line.trim())) print(`   host   ${line.trimEnd()}`);
    }
    const requests = sim.requests.map((r) => requestLine(sim, r, { literal: true }));
    if (requests.length === 0) print("   ONTAP  (no request from Pulumi)");
    for (const line of requests) print(`   ONTAP  ${line}`);
    if (op) print(`   Resources: ${summary(op)}. Duration: ${seconds(ms)}`);
  };
  const expectThat = (title: string, ok: boolean, what: string) => {
    if (!ok) throw new DemoError(title, what);
  };

  await chapter(CHAPTERS.preview.title, CHAPTERS.preview.story, async () => {
    const op = await engine.preview();
    expectThat(
      "preview",
      sim.requests.every((r) => r.method === "GET"),
      "the preview wrote to the cluster",
    );
    return op;
  });

  await chapter(CHAPTERS.up.title, CHAPTERS.up.story, async () => {
    const op = await engine.up();
    expectThat("up", sim.service("svm1")?.enabled === true, "svm1 has no enabled iSCSI service");
    return op;
  });

  await chapter(CHAPTERS.drift.title, CHAPTERS.drift.story, async () => {
    sim.outOfBand.setEnabled("svm1", false);
    sim.outOfBand.setAlias("svm1", "legacy");
    return undefined;
  });

  await chapter(CHAPTERS.refresh.title, CHAPTERS.refresh.story, async () => {
    const op = await engine.refresh();
    const recorded = [...engine.state.values()][0];
    expectThat(
      "refresh",
      recorded?.outputs.enabled === false && recorded.inputs.enabled === false,
      "refresh did not record the disable in the outputs and the inputs",
    );
    return op;
  });

  await chapter(CHAPTERS.update.title, CHAPTERS.update.story, async () => {
    engine.setConfig(programConfig(engine, { targetAlias: "db-target" }));
    const op = await engine.up();
    const live = sim.service("svm1");
    expectThat(
      "update",
      live?.enabled === true && live.alias === "db-target",
      "svm1 is not enabled with db-target",
    );
    return op;
  });

  await chapter(
    CHAPTERS.pullRequest.title,
    `${CHAPTERS.pullRequest.story} (${sim.sessions("svm1").length} sessions logged in now).`,
    async () => {
      engine.setConfig(programConfig(engine, { enabled: "false" }));
      const op = await engine.preview();
      await hostPrinted(engine, "active iSCSI session");
      expectThat(
        "pull request",
        sim.requests.every((r) => r.method === "GET"),
        "the preview wrote to the cluster",
      );
      return op;
    },
  );

  await chapter(CHAPTERS.guarded.title, CHAPTERS.guarded.story, async () => {
    engine.setConfig(programConfig(engine, { enabled: "false", protectActiveSessions: "true" }));
    let op: OperationResult | undefined;
    try {
      await engine.preview();
    } catch (e) {
      if (!(e instanceof DeploymentError)) throw e;
      op = e.result;
    }
    expectThat("guard", op !== undefined, "the guarded preview did not fail");
    expectThat(
      "guard",
      sim.requests.every((r) => r.method === "GET"),
      "the guarded preview wrote to the cluster",
    );
    engine.setConfig(programConfig(engine, { enabled: undefined, protectActiveSessions: undefined }));
    return op;
  });

  await chapter(CHAPTERS.replace.title, CHAPTERS.replace.story, async () => {
    engine.setConfig(programConfig(engine, { svmName: "svm2" }));
    const op = await engine.up();
    expectThat(
      "replace",
      sim.service("svm1") === undefined && sim.service("svm2")?.alias === "db-target",
      "the service did not move from svm1 to svm2",
    );
    return op;
  });

  await chapter(CHAPTERS.destroy.title, CHAPTERS.destroy.story, async () => {
    const op = await engine.destroy();
    expectThat("destroy", sim.services().length === 0, "the cluster still has an iSCSI service");
    return op;
  });

  const leaks = [
    JSON.stringify([...engine.state.values()]),
    JSON.stringify(engine.transcript),
    engine.hostOutput,
    JSON.stringify(engine.operations.map((op) => op.program)),
  ].some((text) => text.includes(PASSWORD));
  expectThat(
    "the end",
    !leaks,
    "the stack's password appears in the state, the transcript or the host output",
  );
  const calls = new Map<string, number>();
  for (const call of engine.transcript) calls.set(call.method, (calls.get(call.method) ?? 0) + 1);
  print("");
  print("The stack is empty, and so is the cluster: no iSCSI service on svm1 or svm2.");
  print(
    `${engine.transcript.length} gRPC calls to the host (${[...calls].map(([m, n]) => `${m} ${n}`).join(", ")}); ` +
      "the stack's password appears in no state, gRPC call or host output.",
  );
  print(`Done in ${seconds(performance.now() - started)}.`);
}

/** Waits until the host has printed `text` (it prints the provider's log lines asynchronously). */
async function hostPrinted(engine: Engine, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!engine.hostOutput.includes(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pulumi-style lines for one step: symbol, type, name, what happened, and what changed. */
function describeStep(op: OperationResult, step: Step): string[] {
  const shape = STEP_SHAPES[step.op] ?? STEP_SHAPES.same;
  const name = step.urn.split("::").pop() ?? step.urn;
  const verb = op.kind === "preview" ? shape.preview : shape.done;
  const details: string[] = [];
  if (step.op === "update" || step.op === "replace") {
    const inputs = { before: step.old?.inputs ?? {}, after: step.new?.inputs ?? {} };
    const sign = (k: string) => (!(k in inputs.before) ? "+" : !(k in inputs.after) ? "-" : "~");
    details.push(`[diff: ${step.changedKeys.map((k) => `${sign(k)}${k}`).join(",")}]`);
  }
  if (step.op === "replace") {
    details.push(step.deleteBeforeReplace ? "delete-before-replace" : "create-before-delete");
  }
  if (step.op === "refresh" && step.dropped) details.push("gone: removed from the stack");
  const lines = [
    `${shape.symbol} ${step.type}  ${name}  ${verb}${details.length ? ` ${details.join(" ")}` : ""}`,
  ];
  const indent = "      ";
  const old = step.old?.outputs;
  const now = step.new?.outputs;
  if (step.op === "create" && op.kind === "preview") {
    const checked = (step.calls.find((c) => c.method === "check")?.response?.inputs ?? {}) as PropertyMap;
    lines.push(...shownPairs(checked).map((pair) => `${indent}${pair}`));
  } else if (step.op === "create" && now) {
    lines.push(...shownPairs(now).map((pair) => `${indent}${pair}`));
  } else if (old && now) {
    for (const key of SHOWN) {
      if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) {
        lines.push(`${indent}~ ${key}: ${format(old[key])} => ${format(now[key])}`);
      }
    }
  }
  if (step.failures) for (const f of step.failures) lines.push(`${indent}${f.property}: ${f.reason}`);
  return lines;
}

/** `key: value` for each shown property present, the keys padded to one width. */
function shownPairs(props: PropertyMap): string[] {
  const keys = SHOWN.filter((k) => props[k] !== undefined);
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${`${k}:`.padEnd(width + 2)}${format(props[k])}`);
}

function summary(op: OperationResult): string {
  const pending = op.kind === "preview";
  const parts = Object.entries(op.summary).map(([kind, n]) => {
    const shape = STEP_SHAPES[kind] ?? STEP_SHAPES.same;
    const verb = pending ? (kind === "same" ? "unchanged" : `to ${shape.preview}`) : shape.done;
    return `${shape.symbol.trim()} ${n} ${verb}`.trim();
  });
  return parts.join(", ") || "none";
}

function describeError(e: unknown): string {
  if (e instanceof DeploymentError) {
    if (e.cause instanceof CheckFailedError) return e.message;
    if (e.cause instanceof HostCallError) return `${e.result.kind} failed: ${e.cause.details}`;
    return e.message;
  }
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * The engine the demo runs on: the real Pulumi CLI when one is found without building
 * ($ONTAP_ISCSI_PULUMI_BIN, the cache of tools/pulumi-cli/install.sh, or PATH), else the
 * dynamic-provider host harness. ONTAP_ISCSI_DEMO_ENGINE=cli|harness chooses.
 */
function chooseEngine(): PulumiCli | undefined {
  const wanted = process.env.ONTAP_ISCSI_DEMO_ENGINE;
  if (wanted !== undefined && wanted !== "cli" && wanted !== "harness") {
    throw new Error(`ONTAP_ISCSI_DEMO_ENGINE is "${wanted}": use cli or harness`);
  }
  if (wanted === "harness") return undefined;
  const cli = findPulumiCli();
  if (wanted === "cli" && !cli) {
    throw new Error(
      "ONTAP_ISCSI_DEMO_ENGINE=cli, but no Pulumi CLI is built: run bash tools/pulumi-cli/install.sh",
    );
  }
  return cli;
}

/** Runs the demo, printing to stdout; returns the exit code (errors go to stderr). */
export async function main(print: Printer = (line) => console.log(line)): Promise<number> {
  try {
    const cli = chooseEngine();
    if (cli) {
      print(
        `pulumi-ontap-iscsi demo: the life of a stack, through the Pulumi CLI ${cli.version} (${cli.origin}: ${cli.binDir})`,
      );
      await runCliDemo(print, cli);
    } else {
      print("pulumi-ontap-iscsi demo: the life of a stack, through Pulumi's real dynamic-provider host");
      print(
        "  (no Pulumi CLI found: `bash tools/pulumi-cli/install.sh` builds one, and the demo then runs through it)",
      );
      await runDemo(print);
    }
    return 0;
  } catch (e) {
    console.error(`\ndemo failed: ${e instanceof DemoError ? e.message : describeError(e)}`);
    return 1;
  }
}

if (require.main === module) {
  // Exit explicitly: nothing the demo started may keep the process alive.
  void main().then((code) => process.exit(code));
}
