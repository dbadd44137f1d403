/**
 * The demo's story through the real Pulumi CLI: each chapter runs the `pulumi` commands a
 * user types in a copy of examples/basic, prints what the CLI printed, every request that
 * reached the simulated cluster, and checks the outcome. Throws a {@link DemoError} on the first
 * chapter whose outcome is not the story's.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { requestLine, startHttpsSimulator } from "../engine/scenario";
import { repoRoot } from "../paths";
import { type CliResult, CliStack, type PulumiCli } from "../pulumi-cli/cli";
import type { Simulator } from "../simulator/types";
import { CHAPTERS, DEMO_PASSWORD, DemoError, type Printer, seconds } from "./story";

const BASIC_PROGRAM = path.join(repoRoot, "examples", "basic");

/** Tells the story through `cli`, printing as it goes. */
export async function runCliDemo(print: Printer, cli: PulumiCli): Promise<void> {
  // Three sessions of two database hosts log in to svm1 whenever its service is enabled.
  const sim = await startHttpsSimulator({
    svms: ["svm1", "svm2"],
    sessions: { svm1: 3 },
    sessionsRelogin: true,
    password: DEMO_PASSWORD,
  });
  let stack: CliStack | undefined;
  try {
    stack = await CliStack.create({ cli, programDir: BASIC_PROGRAM });
    await tell(print, sim, stack);
  } finally {
    await stack?.dispose();
    await sim.stop();
  }
}

async function tell(print: Printer, sim: Simulator, stack: CliStack): Promise<void> {
  const started = performance.now();
  const uuid = (svm: string) => sim.svm(svm)?.uuid ?? "?";
  print(`  ONTAP simulator  ${sim.url} (SVMs svm1 ${uuid("svm1")}, svm2 ${uuid("svm2")})`);
  print(
    `  program          a copy of examples/basic in ${path.relative(repoRoot, stack.dir)}, stack ${stack.stack}`,
  );
  print("  backend          a local folder (file://), secrets by passphrase: nothing leaves this machine");
  /** Everything the CLI printed, for the leak check at the end. */
  const printed: string[] = [];
  const pulumi = async (args: string[], options: { failing?: boolean } = {}): Promise<CliResult> => {
    print(`   $ pulumi ${args.join(" ")}`);
    const result = await stack.run(args, { check: !options.failing });
    printed.push(result.stdout, result.stderr);
    for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
      if (line.trim() !== "") print(`   │ ${line.trimEnd()}`);
    }
    if (options.failing && result.code === 0)
      throw new DemoError(args.join(" "), "the command was expected to fail");
    return result;
  };
  const config = (key: string, value: string, options: { secret?: boolean } = {}) =>
    pulumi(["config", "set", ...(options.secret ? ["--secret"] : []), key, "--", value]);

  let number = 0;
  const chapter = async (title: string, story: string, body: () => Promise<void>) => {
    number += 1;
    print("");
    print(`${number}. ${title}`);
    print(`   ${story}`);
    sim.clearRequests();
    const t0 = performance.now();
    try {
      await body();
    } catch (e) {
      throw e instanceof DemoError ? e : new DemoError(title, e instanceof Error ? e.message : String(e));
    }
    const requests = sim.requests.map((r) => requestLine(sim, r, { literal: true }));
    if (requests.length === 0) print("   ONTAP  (no request from Pulumi)");
    for (const line of requests) print(`   ONTAP  ${line}`);
    print(`   Duration: ${seconds(performance.now() - t0)}`);
  };
  const expectThat = (title: string, ok: boolean, what: string) => {
    if (!ok) throw new DemoError(title, what);
  };
  const nothingWritten = (title: string) =>
    expectThat(
      title,
      sim.requests.every((r) => r.method === "GET"),
      "the preview wrote to the cluster",
    );

  print("");
  print(
    "0. The stack's config, with the CLI (the password as a secret; the CA after `--`: a PEM starts with dashes)",
  );
  await config("ontap:host", sim.host);
  await config("ontap:username", "admin");
  await config("ontap:password", DEMO_PASSWORD, { secret: true });
  await config("ontap:caCert", sim.caCert ?? "");
  await config("svmName", "svm1");

  await chapter(CHAPTERS.preview.title, CHAPTERS.preview.story, async () => {
    await pulumi(["preview"]);
    nothingWritten("preview");
  });
  await chapter(CHAPTERS.up.title, CHAPTERS.up.story, async () => {
    await pulumi(["up", "--yes"]);
    expectThat("up", sim.service("svm1")?.enabled === true, "svm1 has no enabled iSCSI service");
  });
  await chapter(CHAPTERS.drift.title, CHAPTERS.drift.story, async () => {
    sim.outOfBand.setEnabled("svm1", false);
    sim.outOfBand.setAlias("svm1", "legacy");
  });
  await chapter(CHAPTERS.refresh.title, CHAPTERS.refresh.story, async () => {
    await pulumi(["refresh", "--yes"]);
    const outputs = (await stack.exportStack()).deployment.resources?.find((r) =>
      r.type.endsWith(":IscsiService"),
    )?.outputs;
    expectThat("refresh", outputs?.enabled === false, "refresh did not record the disable");
  });
  await chapter(CHAPTERS.update.title, CHAPTERS.update.story, async () => {
    await config("targetAlias", "db-target");
    await pulumi(["up", "--yes"]);
    const live = sim.service("svm1");
    expectThat(
      "update",
      live?.enabled === true && live.alias === "db-target",
      "svm1 is not enabled with db-target",
    );
  });
  await chapter(
    CHAPTERS.pullRequest.title,
    `${CHAPTERS.pullRequest.story} (${sim.sessions("svm1").length} sessions logged in now).`,
    async () => {
      await config("enabled", "false");
      const result = await pulumi(["preview", "--diff"]);
      nothingWritten("pull request");
      expectThat(
        "pull request",
        `${result.stdout}${result.stderr}`.includes("active iSCSI session"),
        "the preview named no sessions",
      );
    },
  );
  await chapter(CHAPTERS.guarded.title, CHAPTERS.guarded.story, async () => {
    await config("protectActiveSessions", "true");
    await pulumi(["preview", "--diff"], { failing: true });
    nothingWritten("guard");
    await pulumi(["config", "rm", "enabled"]);
    await pulumi(["config", "rm", "protectActiveSessions"]);
  });
  await chapter(CHAPTERS.replace.title, CHAPTERS.replace.story, async () => {
    await config("svmName", "svm2");
    await pulumi(["up", "--yes"]);
    expectThat(
      "replace",
      sim.service("svm1") === undefined && sim.service("svm2")?.alias === "db-target",
      "the service did not move from svm1 to svm2",
    );
  });
  await chapter(CHAPTERS.destroy.title, CHAPTERS.destroy.story, async () => {
    await pulumi(["destroy", "--yes"]);
    expectThat("destroy", sim.services().length === 0, "the cluster still has an iSCSI service");
  });

  const state = stack.backendFiles().map((f) => fs.readFileSync(f, "utf8"));
  expectThat(
    "the end",
    ![...state, ...printed].some((text) => text.includes(DEMO_PASSWORD)),
    "the stack's password appears in the state or the CLI's output",
  );
  print("");
  print("The stack is empty, and so is the cluster: no iSCSI service on svm1 or svm2.");
  print("The stack's password appears in no state file, history file or CLI output.");
  print(`Done in ${seconds(performance.now() - started)}.`);
}
