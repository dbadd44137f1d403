import { expect } from "chai";
import {
  manySvmNames,
  SERVICE_TYPE,
  SERVICES_PATH,
  STACK_PROGRAM,
  stackConfig,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import { CliStack, type StackExport, sessionProcesses } from "../../tools/pulumi-cli/cli";
import type { RequestLogEntry, Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Interrupted-6tM!pw-19zx";

const SVMS = manySvmNames(8);
const urnOf = (name: string) => `urn:pulumi:dev::ontap-iscsi-stack::${SERVICE_TYPE}::${name}`;
/** iscsi-000 on svm-000, ...: the `many` fixture's names, as STACK_PROGRAM resources. */
const resourceOn = (svm: string, args: Record<string, unknown> = {}) => ({
  name: svm.replace("svm", "iscsi"),
  args: { svmName: svm, ...args },
});

/** The POSTs of the log, as `svm → entry`. */
function postsBySvm(sim: Simulator): Map<string, RequestLogEntry> {
  return new Map(
    sim.requests
      .filter((r) => r.method === "POST" && r.path === SERVICES_PATH)
      .map((r) => [(r.body as { svm: { name: string } }).svm.name, r]),
  );
}

/** The file backend's lock files of the stack (gocloud's `.attrs` sidecars left out). */
function lockFiles(stack: CliStack): string[] {
  return stack.backendFiles().filter((f) => /[\\/]\.pulumi[\\/]locks[\\/].*\.json$/.test(f));
}

/**
 * Resolves once `ready()` holds, checked every 20 ms (the request log and /proc are the
 * events: they change as the CLI acts); rejects if `ended` (the command) settles first.
 */
function when(ready: () => boolean, what: string, ended?: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setInterval(() => {
      if (ready()) {
        done = true;
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void ended?.then(() => {
      if (done) return;
      clearInterval(timer);
      reject(new Error(`the command ended before ${what}`));
    });
  });
}

/**
 * A `pulumi up` killed mid-create, as a lost machine or a CI runner's time-out ends it (SIGKILL
 * to the CLI's process group, then to the rest of its session, the provider included), through
 * the real `pulumi` CLI on a file backend, and the recovery docs/reliability.md documents: each
 * step asserts the CLI's exit code, what it printed, the pending operations `pulumi stack
 * export` shows, and the requests the cluster saw. The story: a stack of 2 services scales out
 * to 8; of the 6 creates in flight when the CLI dies, 3 POSTs never reached ONTAP (they hang)
 * and 3 were accepted as ONTAP jobs that finish after the CLI is gone — services the stack's
 * state knows nothing of. STACK_PROGRAM rather than the `many` fixture, because the recovery
 * needs `adopt: true` on some resources. The steps share the stack, so they run in order.
 */
describe("CLI: a `pulumi up` killed in the middle of creates, and the recovery", function () {
  this.timeout(240_000);
  let sim: Simulator;
  let stack: CliStack;
  /** SVMs whose POST hung (never applied) and whose POST was accepted as a job, in the killed run. */
  let hung: string[] = [];
  let accepted: string[] = [];
  /** The killed command's session: whatever of it is left when the suite ends is ended too. */
  let killedSession: number | undefined;
  const interrupted = SVMS.slice(2);
  const serviceUrns = (exported: StackExport) =>
    (exported.deployment.resources ?? []).filter((r) => r.type === SERVICE_TYPE).map((r) => r.urn);
  const pendingOf = (exported: StackExport) =>
    (exported.deployment.pending_operations ?? []).map((op) => `${op.type} ${op.resource.urn}`);

  before(async () => {
    sim = await startHttpsSimulator({ svms: SVMS, password: PASSWORD });
    stack = await simulatorStack(sim, PASSWORD, STACK_PROGRAM);
    await stack.setConfigs(stackConfig(SVMS.slice(0, 2).map((svm) => resourceOn(svm))));
    await stack.run(["up", "--yes"]);
  });
  after(async () => {
    for (const { pid } of killedSession === undefined ? [] : sessionProcesses(killedSession))
      process.kill(pid, "SIGKILL");
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("SIGKILL while 6 creates are in flight: the stack keeps its 2 services and 6 pending creates", async () => {
    await stack.setConfigs(stackConfig(SVMS.map((svm) => resourceOn(svm))));
    sim.setAsyncJobs(true, 0, { held: true });
    sim.injectFault({ kind: "hang", method: "POST", path: SERVICES_PATH, times: 3 });
    const { child, result } = stack.start(["up", "--yes"]);
    killedSession = child.pid;
    await when(() => postsBySvm(sim).size === 6, "6 POSTs reached the cluster", result);

    CliStack.kill(child);
    const killed = await result;
    expect(killed.signal).to.equal("SIGKILL");
    // Pulumi starts each plugin in a process group of its own (cmdutil.RegisterProcessGroup),
    // so the dynamic provider outlives a kill of the CLI's group. A lost machine takes it too.
    const survivors = sessionProcesses(child.pid as number);
    expect(survivors.map((p) => p.command).join("\n")).to.include("dynamic-provider");
    for (const { pid } of survivors) process.kill(pid, "SIGKILL");
    await when(() => sessionProcesses(child.pid as number).length === 0, "the run's processes ended");
    const posts = postsBySvm(sim);
    hung = [...posts].filter(([, r]) => r.fault === "hang").map(([svm]) => svm);
    accepted = [...posts].filter(([, r]) => r.status === 202).map(([svm]) => svm);
    expect([...posts.keys()].sort()).to.deep.equal(interrupted);
    expect(hung).to.have.length(3);
    expect(accepted).to.have.length(3);
    // ONTAP runs the accepted jobs to the end whoever waits for them.
    sim.clearFaults();
    expect(sim.finishJobs()).to.equal(3);
    sim.setAsyncJobs(false);
    expect(sim.services().map((s) => s.svmName)).to.have.members([...SVMS.slice(0, 2), ...accepted]);

    const exported = await stack.exportStack();
    expect(serviceUrns(exported)).to.have.members([urnOf("iscsi-000"), urnOf("iscsi-001")]);
    expect(pendingOf(exported)).to.have.members(
      interrupted.map((svm) => `creating ${urnOf(svm.replace("svm", "iscsi"))}`),
    );
    expect(lockFiles(stack)).to.have.length(1);
  });

  it("the next `pulumi up` refuses at once: the killed run's lock is still held; `pulumi cancel --yes` removes it", async () => {
    const refused = await stack.run(["up", "--yes"], { check: false });

    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.equal("");
    expect(refused.stderr).to.include(
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
    );
    expect(sim.requests).to.deep.equal([]);

    const cancel = await stack.run(["cancel", "--yes"]);

    expect(cancel.stdout.trim()).to.equal("The currently running update for 'dev' has been canceled!");
    expect(lockFiles(stack)).to.deep.equal([]);
    expect(sim.requests).to.deep.equal([]);
  });

  it("then `pulumi up` stops in the preview on a service the killed run made (5374077, `adopt`), with zero writes", async () => {
    const stopped = await stack.run(["up", "--yes"], { check: false });

    expect(stopped.code).to.equal(1);
    const named = [...stopped.stdout.matchAll(/the iSCSI service on SVM "(svm-\d+)"/g)].map((m) => m[1]);
    expect(named, stopped.stdout + stopped.stderr).to.not.be.empty;
    expect(accepted).to.include.members(named);
    expect(stopped.stdout).to.include("already has an iSCSI service [ONTAP 5374077");
    expect(stopped.stdout).to.include("set `adopt: true`");
    expect(stopped.stdout).to.not.match(/^Updating \(/m);
    // The preview fails before the update that would warn of the pending creates.
    expect(stopped.stdout + stopped.stderr).to.not.include("pending operations");
    expect(writes(sim)).to.deep.equal([]);
    expect(pendingOf(await stack.exportStack())).to.have.length(6);
  });

  it("`pulumi refresh --import-pending-creates <urn> <id>` imports nothing here: 3.276 drops that pending create, and keeps the others", async () => {
    const svm = accepted[0];
    const urn = urnOf(svm.replace("svm", "iscsi"));
    const uuid = sim.svm(svm)?.uuid as string;

    await stack.run(["refresh", "--yes", "--import-pending-creates", urn, "--import-pending-creates", uuid]);

    const exported = await stack.exportStack();
    expect(serviceUrns(exported)).to.not.include(urn);
    expect(pendingOf(exported)).to.have.length(5);
    expect(pendingOf(exported)).to.not.include(`creating ${urn}`);
    expect(writes(sim)).to.deep.equal([]);
  });

  it("with `adopt: true` on the interrupted resources, `pulumi up` warns of the pending creates and converges: one service per SVM", async () => {
    await stack.setConfigs(
      stackConfig(SVMS.map((svm) => resourceOn(svm, interrupted.includes(svm) ? { adopt: true } : {}))),
    );

    const result = await stack.run(["up", "--yes"]);

    expect(result.stdout).to.include(
      "Attempting to deploy or update resources with 5 pending operations from previous deployment.",
    );
    for (const svm of interrupted.filter((svm) => svm !== accepted[0]))
      expect(result.stdout).to.include(`* ${urnOf(svm.replace("svm", "iscsi"))}, interrupted while creating`);
    expect(result.stdout).to.include(
      "Note that `pulumi refresh` will need to be run interactively to clear pending CREATE operations.",
    );
    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 6, unchanged: 3 });
    // A create for each hung POST; each accepted one meets its own service (409, 5374077) and adopts it.
    const post = (svm: string, status: number) =>
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"${svm}"},"enabled":true} → ${status}`;
    expect(writes(sim).sort()).to.deep.equal(
      [...hung.map((svm) => post(svm, 201)), ...accepted.map((svm) => post(svm, 409))].sort(),
    );
    for (const svm of accepted)
      expect(result.stdout).to.include(`Adopted the existing iSCSI service on SVM "${svm}"`);
    expect(
      sim
        .services()
        .map((s) => s.svmName)
        .sort(),
    ).to.deep.equal(SVMS);
    expect(sim.services().every((s) => s.enabled)).to.equal(true);
  });

  it("the pending creates outlive that successful `up`; `pulumi refresh --clear-pending-creates` drops them, and state matches the cluster", async () => {
    expect(pendingOf(await stack.exportStack())).to.have.length(5);

    const refresh = await stack.run(["refresh", "--yes", "--clear-pending-creates"]);

    expect(resourceSummary(refresh.stdout)).to.deep.equal({ unchanged: 9 });
    expect(writes(sim)).to.deep.equal([]);
    const exported = await stack.exportStack();
    expect(pendingOf(exported)).to.deep.equal([]);
    const services = (exported.deployment.resources ?? []).filter((r) => r.type === SERVICE_TYPE);
    expect(services.map((r) => r.urn).sort()).to.deep.equal(
      SVMS.map((svm) => urnOf(svm.replace("svm", "iscsi"))),
    );
    for (const r of services) {
      const svm = r.outputs?.svmName as string;
      const live = sim.service(svm);
      expect(r.id, svm).to.equal(sim.svm(svm)?.uuid);
      expect(r.outputs, svm).to.include({ enabled: true, targetName: live?.iqn });
    }
  });

  it("with `adopt: true` taken out again, `pulumi up --expect-no-changes` passes: no warning, not one request", async () => {
    await stack.setConfigs(stackConfig(SVMS.map((svm) => resourceOn(svm))));

    const result = await stack.run(["up", "--yes", "--expect-no-changes"]);

    expect(result.stdout).to.not.include("pending operations");
    expect(resourceSummary(result.stdout)).to.deep.equal({ unchanged: 9 });
    expect(sim.requests).to.deep.equal([]);
  });
});
