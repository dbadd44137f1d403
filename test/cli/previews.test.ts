import * as fs from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import * as path from "node:path";
import { expect } from "chai";
import {
  BASIC_PROGRAM,
  SERVICES_PATH,
  STACK_PROGRAM,
  stackConfig,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import { type CliResult, CliStack } from "../../tools/pulumi-cli/cli";
import { certsDir } from "../../tools/simulator/certs";
import type { Simulator } from "../../tools/simulator/types";
import { pulumiCli, resourceSummary, simulatorStack } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Previews-7tN!pw-52hx";

type Resource = { name: string; args: Record<string, unknown>; opts?: Record<string, unknown> };

/** The heading the CLI's "Diagnostics:" block gives an IscsiService resource. */
const service = (name: string) => `pulumi-nodejs:dynamic/ontap:IscsiService (${name})`;

/** The heading of the stack resource, where the provider's warnings (Pulumi's log, `[runtime]`) land. */
const stackResource = (project: string) => `pulumi:pulumi:Stack (${project}-dev)`;

/**
 * The last "Diagnostics:" block of what the CLI printed, as heading → text with the block's
 * indentation removed (lines joined by "\n"); {} when there is none. `up` and `destroy`
 * print one block for the preview and one for the update: this is the update's.
 */
function diagnostics(output: string): Record<string, string> {
  const sections = output.split(/^Diagnostics:$/m);
  if (sections.length < 2) return {};
  const block = (sections.at(-1) ?? "").split(/^\S/m)[0];
  const found: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of block.split("\n")) {
    const heading = /^ {2}(\S.*):$/.exec(line);
    if (heading) found[heading[1]] = current = [];
    else if (current && (line.startsWith("    ") || line === "")) current.push(line.slice(4));
  }
  return Object.fromEntries(Object.entries(found).map(([k, lines]) => [k, lines.join("\n").trim()]));
}

/** What the CLI printed, for assertion messages. */
const printed = (result: CliResult) =>
  `${result.command} exited ${result.code}\n${result.stdout}${result.stderr}`;

/** A stack of STACK_PROGRAM (its own package.json names index.js) with these resources. */
async function stackProgramStack(sim: Simulator, resources: Resource[]): Promise<CliStack> {
  const stack = await simulatorStack(sim, PASSWORD, STACK_PROGRAM);
  await stack.setConfigs(stackConfig(resources));
  return stack;
}

/** The first line of the Check failure the CLI prints for a property of a resource. */
const checkFailure = (name: string, property: string, value: string) =>
  `error: pulumi-nodejs:dynamic/ontap:IscsiService resource '${name}': property ${property} value {${value}} has a problem: `;

const PREFLIGHT =
  "Preflight (a read-only lookup; nothing was changed) shows that creating this service would fail:";

/**
 * What a reviewer reads in `pulumi preview` on a pull request, through the real CLI: the
 * failures that stop a change before merge (docs/preflight.md, one owner per SVM), who a
 * change cuts off (docs/ci.md "What a reviewer sees"), and one release of the matrix.
 * Each test asserts the exit code, the CLI's "Diagnostics:" block and the writes the
 * simulator saw.
 */
describe("CLI: what a reviewer sees in `pulumi preview` before merge", function () {
  this.timeout(180_000);

  describe("previews that fail before merge", () => {
    let sim: Simulator;
    let stack: CliStack;
    let legacyIqn: string | undefined;

    before(async () => {
      sim = await startHttpsSimulator({
        svms: [
          "svm1",
          { name: "svm2", state: "stopped" },
          { name: "svm3", service: { enabled: false, alias: "legacy" } },
        ],
        password: PASSWORD,
      });
      legacyIqn = sim.service("svm3")?.iqn;
      stack = await simulatorStack(sim, PASSWORD, BASIC_PROGRAM);
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });
    beforeEach(() => sim.clearRequests());

    /** The preview failed, looked the cluster up with GETs only, and created nothing. */
    function expectRefusedReadOnly(result: CliResult): void {
      expect(result.code, printed(result)).to.not.equal(0);
      expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 1, errored: 1 });
      expect(sim.requests).to.not.be.empty;
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.services().map((s) => s.svmName)).to.deep.equal(["svm3"]);
    }

    it("a stopped SVM fails the preview under the resource and svmName, with the `vserver start` advice", async () => {
      await stack.setConfig("svmName", "svm2");
      const result = await stack.run(["preview"], { check: false });

      expectRefusedReadOnly(result);
      expect(diagnostics(result.stdout)).to.deep.equal({
        [service("iscsi")]: [
          checkFailure("iscsi", "svmName", "svm2") + PREFLIGHT,
          `ONTAP refused to create the iSCSI service on SVM "svm2" (cluster ${sim.host}): the SVM is stopped [ONTAP 5374893, POST ${SERVICES_PATH}].`,
          `SVM "svm2" on cluster ${sim.host} is stopped; ONTAP creates its iSCSI service only while it runs.`,
          "Fix: vserver start -vserver svm2",
        ].join("\n"),
      });
    });

    it("a cluster without an iSCSI licence fails the preview under the resource, with the `system license add` advice", async () => {
      await stack.setConfig("svmName", "svm1");
      sim.outOfBand.setIscsiLicensed(false);
      try {
        const result = await stack.run(["preview"], { check: false });

        expectRefusedReadOnly(result);
        expect(diagnostics(result.stdout)).to.deep.equal({
          [service("iscsi")]: [
            `error: pulumi-nodejs:dynamic/ontap:IscsiService resource 'iscsi' has a problem: ${PREFLIGHT}`,
            `ONTAP refused to create the iSCSI service on SVM "svm1" (cluster ${sim.host}): the cluster has no valid iSCSI license [ONTAP 1115127, POST ${SERVICES_PATH}].`,
            `Cluster ${sim.host} has no valid iSCSI license, so no SVM on it, SVM "svm1" included, can serve iSCSI.`,
            "Fix: system license add -license-code <iSCSI license key>   (check with: system license show)",
          ].join("\n"),
        });
      } finally {
        sim.outOfBand.setIscsiLicensed(true);
      }
    });

    it("an SVM that already has a service fails the preview under `adopt`, with the adopt advice; with adopt: true it previews a create", async () => {
      await stack.setConfig("svmName", "svm3");
      const refused = await stack.run(["preview"], { check: false });

      expectRefusedReadOnly(refused);
      const text = diagnostics(refused.stdout)[service("iscsi")] ?? "";
      expect(Object.keys(diagnostics(refused.stdout))).to.deep.equal([service("iscsi")]);
      // The CLI prints an unset input as {<nil>}.
      expect(text.split("\n").slice(0, 2)).to.deep.equal([
        checkFailure("iscsi", "adopt", "<nil>") + PREFLIGHT,
        `ONTAP refused to create the iSCSI service on SVM "svm3" (cluster ${sim.host}): the SVM already has an iSCSI service [ONTAP 5374077, POST ${SERVICES_PATH}].`,
      ]);
      expect(text)
        .to.include("inspect it with: vserver iscsi show -vserver svm3")
        .and.include('aliases: [{ name: "old-name" }]')
        .and.include(
          'Only when no stack manages the service on SVM "svm3": set `adopt: true` on the IscsiService resource',
        );

      await stack.setConfig("adopt", "true");
      sim.clearRequests();
      const adopting = await stack.run(["preview"]);

      expect(adopting.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi create/);
      expect(resourceSummary(adopting.stdout)).to.deep.equal({ "to create": 2 });
      expect(diagnostics(adopting.stdout)).to.deep.equal({});
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm3")).to.include({ enabled: false, alias: "legacy", iqn: legacyIqn });
    });
  });

  // Which of the two the CLI refuses is whichever it checks first: the engine checks
  // resources as their registrations arrive, which is not always program order.
  describe("two resources naming one SVM", () => {
    let sim: Simulator;
    let stack: CliStack;

    before(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
      stack = await stackProgramStack(sim, []);
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });
    beforeEach(() => sim.clearRequests());

    const cases: Array<[string, (uuid: string) => Resource[]]> = [
      [
        "by name twice",
        () => [
          { name: "a", args: { svmName: "svm1" } },
          { name: "b", args: { svmName: "svm1" } },
        ],
      ],
      [
        "by name and by UUID",
        (uuid) => [
          { name: "a", args: { svmName: "svm1" } },
          { name: "b", args: { svmUuid: uuid } },
        ],
      ],
    ];
    for (const [what, resources] of cases) {
      it(`${what}: the preview fails on one of them, naming the SVM, with zero writes`, async () => {
        const program = resources(sim.svm("svm1")?.uuid ?? "");
        await stack.setConfigs(stackConfig(program));
        const result = await stack.run(["preview"], { check: false });

        expect(result.code, printed(result)).to.not.equal(0);
        const found = diagnostics(result.stdout);
        const refused = program.filter((r) => found[service(r.name)] !== undefined);
        expect(refused, printed(result)).to.have.length(1);
        const [{ name, args }] = refused;
        const [property, value] = Object.entries(args)[0] as [string, string];
        expect(Object.keys(found)).to.deep.equal([service(name)]);
        expect(found[service(name)]).to.equal(
          [
            `${checkFailure(name, property, value)}Another IscsiService resource in this stack names the same SVM "svm1" (cluster ${sim.host}). An SVM has one iSCSI service, and two resources managing it would undo each other's changes; deleting either would delete it.`,
            'Fix: keep one resource for this SVM. If you renamed a resource or moved it into a component, give it `aliases: [{ name: "<old name>" }]` (or run `pulumi state rename`) instead of keeping the old one.',
          ].join("\n"),
        );
        const other = program.find((r) => r.name !== name)?.name;
        expect(result.stdout).to.match(
          new RegExp(`\\+\\s+pulumi-nodejs:dynamic/ontap:IscsiService ${other} create`),
        );
        expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 2, errored: 1 });
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.services()).to.deep.equal([]);
      });
    }
  });

  /**
   * Who a change cuts off (twin of test/engine/scenarios-sessions.test.ts): svm1 serves
   * 3 sessions of 2 hosts (svm1-host01 multipathed, svm1-host02), svm2 nobody. The steps
   * share one stack of resources "db" (svm1) and "idle" (svm2), so they run in order.
   */
  describe("previews that show who gets cut off", () => {
    let sim: Simulator;
    let stack: CliStack;
    const STACK = stackResource("ontap-iscsi-stack");
    const guard = { protectActiveSessions: true };
    const svm1Hosts =
      "3 active iSCSI sessions of 2 hosts: svm1-host01 (iqn.1994-05.com.redhat:svm1-host01), svm1-host02 (iqn.1994-05.com.redhat:svm1-host02).";
    const loseLuns = "They lose their LUNs on this SVM until it serves iSCSI again.";
    const program = (resources: Resource[]) => stack.setConfigs(stackConfig(resources));
    const stateNames = async () =>
      ((await stack.exportStack()).deployment.resources ?? [])
        .filter((r) => r.type === "pulumi-nodejs:dynamic/ontap:IscsiService")
        .map((r) => r.urn.split("::").at(-1));

    before(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], sessions: { svm1: 3 }, password: PASSWORD });
      stack = await stackProgramStack(sim, [
        { name: "db", args: { svmName: "svm1" } },
        { name: "idle", args: { svmName: "svm2" } },
      ]);
      await stack.run(["up", "--yes"]);
      expect(sim.sessions("svm1")).to.have.length(3);
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });
    beforeEach(() => sim.clearRequests());

    it("a disable of a service with 3 sessions of 2 hosts previews as an update, with a warning naming both hosts under the stack", async () => {
      await program([
        { name: "db", args: { svmName: "svm1", enabled: false } },
        { name: "idle", args: { svmName: "svm2" } },
      ]);
      const result = await stack.run(["preview"]);

      expect(result.stdout).to.match(
        /~\s+pulumi-nodejs:dynamic\/ontap:IscsiService db update \[diff: ~enabled\]/,
      );
      expect(resourceSummary(result.stdout)).to.deep.equal({ "to update": 1, unchanged: 2 });
      expect(diagnostics(result.stdout)).to.deep.equal({
        [STACK]: `warning: [runtime] Disabling the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends ${svm1Hosts} ${loseLuns}`,
      });
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.sessions("svm1")).to.have.length(3);
    });

    it("a disable of a service without sessions previews as an update with no diagnostics at all", async () => {
      await program([
        { name: "db", args: { svmName: "svm1" } },
        { name: "idle", args: { svmName: "svm2", enabled: false } },
      ]);
      const result = await stack.run(["preview"]);

      expect(result.stdout).to.match(
        /~\s+pulumi-nodejs:dynamic\/ontap:IscsiService idle update \[diff: ~enabled\]/,
      );
      expect(resourceSummary(result.stdout)).to.deep.equal({ "to update": 1, unchanged: 2 });
      expect(result.stdout).to.not.include("Diagnostics:");
      expect(writes(sim)).to.deep.equal([]);
    });

    it("with protectActiveSessions: true the disabling preview fails under the resource and `enabled`, listing the hosts and the ways out", async () => {
      await program([
        { name: "db", args: { svmName: "svm1", enabled: false, ...guard } },
        { name: "idle", args: { svmName: "svm2", enabled: false, ...guard } },
      ]);
      const result = await stack.run(["preview"], { check: false });

      expect(result.code, printed(result)).to.not.equal(0);
      const found = diagnostics(result.stdout);
      expect(Object.keys(found)).to.deep.equal([service("db")]);
      expect(found[service("db")].split("\n")).to.deep.equal([
        `${checkFailure("db", "enabled", "false")}Disabling the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends ${svm1Hosts} ${loseLuns}`,
        "Refused: protectActiveSessions is true on this resource, and nothing was changed.",
        "Ways out: move the hosts off this SVM or log them out first (on each host, e.g. iscsiadm -m node --logout; check with: vserver iscsi session show -vserver svm1), then run again; or set protectActiveSessions: false for this change.",
      ]);
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.sessions("svm1")).to.have.length(3);
    });

    it("removing a guarded service with sessions previews as a plain delete; `pulumi up` refuses it under the resource with zero writes", async () => {
      await program([
        { name: "db", args: { svmName: "svm1", ...guard } },
        { name: "idle", args: { svmName: "svm2", ...guard } },
      ]);
      await stack.run(["up", "--yes"]);
      expect(writes(sim), "turning the guard on writes nothing").to.deep.equal([]);

      await program([{ name: "idle", args: { svmName: "svm2", ...guard } }]);
      // Pulumi calls no provider method for a removed resource in a preview: the reviewer
      // sees the `-` line and nothing of the hosts; the guard acts at apply.
      const preview = await stack.run(["preview"]);
      expect(preview.stdout).to.match(/-\s+pulumi-nodejs:dynamic\/ontap:IscsiService db delete/);
      expect(resourceSummary(preview.stdout)).to.deep.equal({ "to delete": 1, unchanged: 2 });
      expect(preview.stdout).to.not.include("Diagnostics:");

      const result = await stack.run(["up", "--yes"], { check: false });

      expect(result.code, printed(result)).to.not.equal(0);
      expect(result.stdout).to.match(
        /-\s+pulumi-nodejs:dynamic\/ontap:IscsiService db \*\*deleting failed\*\*/,
      );
      expect(diagnostics(result.stdout)[service("db")]?.split("\n")).to.deep.equal([
        `error: Deleting the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends ${svm1Hosts} ${loseLuns}`,
        "Refused: protectActiveSessions is true on this resource, and nothing was changed.",
        "Ways out: move the hosts off this SVM or log them out first (on each host, e.g. iscsiadm -m node --logout; check with: vserver iscsi session show -vserver svm1), then run again; or set protectActiveSessions: false for this change.",
      ]);
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")).to.include({ enabled: true });
      expect(sim.sessions("svm1")).to.have.length(3);
      expect(await stateNames()).to.have.members(["db", "idle"]);
    });

    it("`pulumi destroy` of guarded services with sessions refuses each under its resource, with zero writes", async () => {
      sim.outOfBand.addSessions({ svm2: 1 });
      expect(sim.sessions("svm2")).to.have.length(1);
      sim.clearRequests();
      const result = await stack.run(["destroy", "--yes"], { check: false });

      expect(result.code, printed(result)).to.not.equal(0);
      const found = diagnostics(result.stdout);
      expect(found[service("db")]).to.include(
        `error: Deleting the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends ${svm1Hosts}`,
      );
      expect(found[service("idle")])
        .to.include(
          `error: Deleting the iSCSI service on SVM "svm2" (cluster ${sim.host}) ends 1 active iSCSI session of 1 host: svm2-host01 (iqn.1994-05.com.redhat:svm2-host01).`,
        )
        .and.include("Refused: protectActiveSessions is true on this resource, and nothing was changed.");
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.services().map((s) => [s.svmName, s.enabled])).to.have.deep.members([
        ["svm1", true],
        ["svm2", true],
      ]);
      expect(await stateNames()).to.have.members(["db", "idle"]);
    });

    it("without the guard, removing the service warns under the stack naming the hosts, then disables and deletes it", async () => {
      await program([
        { name: "db", args: { svmName: "svm1" } },
        { name: "idle", args: { svmName: "svm2" } },
      ]);
      await stack.run(["up", "--yes"]);
      expect(writes(sim), "turning the guard off writes nothing").to.deep.equal([]);

      await program([{ name: "idle", args: { svmName: "svm2" } }]);
      const result = await stack.run(["up", "--yes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 1, unchanged: 2 });
      expect(diagnostics(result.stdout)).to.deep.equal({
        [STACK]: `warning: [runtime] Deleting the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends ${svm1Hosts} ${loseLuns}`,
      });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      ]);
      expect(sim.service("svm1")).to.equal(undefined);
      expect(sim.sessions("svm1")).to.deep.equal([]);
    });

    it("without the guard, `pulumi destroy` warns under the stack naming the host, then disables and deletes", async () => {
      const result = await stack.run(["destroy", "--yes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 2 });
      expect(diagnostics(result.stdout)).to.deep.equal({
        [STACK]: `warning: [runtime] Deleting the iSCSI service on SVM "svm2" (cluster ${sim.host}) ends 1 active iSCSI session of 1 host: svm2-host01 (iqn.1994-05.com.redhat:svm2-host01). ${loseLuns}`,
      });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm2} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm2} → 200`,
      ]);
      expect(sim.services()).to.deep.equal([]);
    });
  });

  /**
   * One run of the release matrix (twin of test/engine/scenarios-releases.test.ts): ONTAP 9.6
   * as the SVM-scoped account vsadmin of svm1, which may not read the cluster or its
   * licenses, nor see svm2 (stopped). svm1 serves 2 sessions of one host.
   */
  describe("ONTAP 9.6 as the SVM-scoped account vsadmin:svm1", () => {
    let sim: Simulator;
    let stack: CliStack;
    const STACK = stackResource("ontap-iscsi-basic");

    before(async () => {
      sim = await startHttpsSimulator({
        ontapVersion: "9.6",
        account: "vsadmin:svm1",
        svms: ["svm1", { name: "svm2", state: "stopped" }],
        sessions: { svm1: 2 },
        password: PASSWORD,
      });
      stack = await simulatorStack(sim, PASSWORD, BASIC_PROGRAM);
      await stack.setConfigs({ svmName: "svm1", targetAlias: "db" });
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });
    beforeEach(() => sim.clearRequests());

    it("`pulumi preview` shows the create and warns under the stack what the preflight cannot check; zero writes", async () => {
      const result = await stack.run(["preview"]);

      expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi create/);
      expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 2 });
      const warnings = diagnostics(result.stdout)[STACK]?.split("\n") ?? [];
      expect(warnings).to.have.length(2);
      expect(warnings[0])
        .to.match(/^warning: \[runtime\] Preflight on cluster \S+ skips ASA r2 and the iSCSI license/)
        .and.include("an SVM-scoped account such as vsadmin never may");
      expect(warnings[1]).to.match(
        /^warning: \[runtime\] Preflight on cluster \S+ \(ONTAP before 9\.9\.1\) cannot check whether iSCSI is among an SVM's allowed protocols \(2621507\)/,
      );
      expect(writes(sim)).to.deep.equal([]);
    });

    it("`pulumi up` creates the service with one POST; a second `up --expect-no-changes` sends not one request", async () => {
      const up = await stack.run(["up", "--yes"]);

      expect(resourceSummary(up.stdout)).to.deep.equal({ created: 2 });
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db"}} → 201`,
      ]);
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "db" });
      sim.clearRequests();

      const again = await stack.run(["up", "--yes", "--expect-no-changes"]);

      expect(resourceSummary(again.stdout)).to.deep.equal({ unchanged: 2 });
      expect(again.stdout).to.not.include("Diagnostics:");
      expect(sim.requests).to.deep.equal([]);
    });

    it("a move onto the stopped svm2 fails the preview: not visible to this SVM-scoped account (not 'create the SVM'); zero writes", async () => {
      await stack.setConfig("svmName", "svm2");
      try {
        const result = await stack.run(["preview"], { check: false });

        expect(result.code, printed(result)).to.not.equal(0);
        const text = diagnostics(result.stdout)[service("iscsi")] ?? "";
        expect(text.split("\n").slice(0, 2)).to.deep.equal([
          checkFailure("iscsi", "svmName", "svm2") + PREFLIGHT,
          `ONTAP refused to create the iSCSI service on SVM "svm2" (cluster ${sim.host}): the SVM does not exist [ONTAP 2621462, POST ${SERVICES_PATH}].`,
        ]);
        expect(text).to.not.include("vserver start");
        expect(text)
          .to.include('SVM "svm2" is not visible to this account')
          .and.not.include("vserver create");
        expect(writes(sim)).to.deep.equal([]);
      } finally {
        await stack.setConfig("svmName", "svm1");
      }
    });

    it("`pulumi destroy` warns under the stack naming the host, then disables and deletes", async () => {
      const result = await stack.run(["destroy", "--yes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 2 });
      expect(diagnostics(result.stdout)).to.deep.equal({
        [STACK]: `warning: [runtime] Deleting the iSCSI service on SVM "svm1" (cluster ${sim.host}) ends 2 active iSCSI sessions of 1 host: svm1-host01 (iqn.1994-05.com.redhat:svm1-host01). They lose their LUNs on this SVM until it serves iSCSI again.`,
      });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      ]);
      expect(sim.services()).to.deep.equal([]);
    });
  });
});

/** A loopback port nothing listens on: a connection to it is refused at once, without leaving the machine. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * docs/preflight.md "When the cluster cannot answer": the CI mistakes a preview must catch
 * before merge (issue 21). The create the preview shows would fail the same way, so the
 * preview fails, under the resource, with the diagnostic naming the setting and the fix; a
 * cluster that cannot be reached at all fails it too, with the preflight-off trade-off. No
 * traffic leaves the machine: a closed loopback port, and a name under `.invalid`.
 */
describe("CLI: connection problems fail `pulumi preview` of a new service", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;
  const head = (host: string) =>
    `error: pulumi-nodejs:dynamic/ontap:IscsiService resource 'iscsi' has a problem: Preflight (a read-only lookup; nothing was changed) could not ask cluster ${host} whether this service can be created, and the create would fail the same way:`;
  const OFFLINE =
    "If this runner cannot reach the cluster by design, turn the preflight off for it: pulumi config set ontap:preflight false (or ONTAP_PREFLIGHT=false).";

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
    stack = await simulatorStack(sim, PASSWORD, BASIC_PROGRAM);
    await stack.setConfig("svmName", "svm1");
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());
  afterEach(async () => {
    await stack.setConfigs({
      "ontap:host": sim.host,
      "ontap:caCert": sim.caCert,
      "ontap:preflight": undefined,
    });
    await stack.setConfig("ontap:password", PASSWORD, { secret: true });
  });

  /** The preview failed on the one resource, printed no "skipped" warning, and created nothing. */
  function failedOn(result: CliResult): string[] {
    expect(result.code, printed(result)).to.not.equal(0);
    const found = diagnostics(result.stdout);
    expect(Object.keys(found), printed(result)).to.deep.equal([service("iscsi")]);
    expect(result.stdout).to.not.include("skipped");
    expect(writes(sim)).to.deep.equal([]);
    expect(sim.services()).to.deep.equal([]);
    return found[service("iscsi")].split("\n");
  }

  it("a wrong password fails the preview with the 401 diagnostic naming ontap:username/ontap:password", async () => {
    await stack.setConfig("ontap:password", "not-the-password", { secret: true });
    const lines = failedOn(await stack.run(["preview"], { check: false }));

    expect(lines[0]).to.equal(head(sim.host));
    expect(lines[1]).to.match(
      new RegExp(
        `^ONTAP rejected the credentials while trying to run the preflight lookup on SVM "svm1" \\(cluster ${sim.host.replace(/\./g, "\\.")}\\) \\[HTTP 401, GET `,
      ),
    );
    expect(lines[2]).to.match(/^Fix: check the user name and password from ontap:username\/ontap:password /);
    expect(lines).to.not.include(OFFLINE);
  });

  it("a missing CA and a wrong CA fail the preview with the TLS diagnostic naming ontap:caCert", async () => {
    const wrongCa = fs.readFileSync(path.join(certsDir(), "client-admin.pem"), "utf8");
    for (const ca of [undefined, wrongCa]) {
      await stack.setConfigs({ "ontap:caCert": ca });
      sim.clearRequests();
      const lines = failedOn(await stack.run(["preview"], { check: false }));

      expect(lines[0]).to.equal(head(sim.host));
      expect(lines[1]).to.match(
        /^Could not verify the TLS certificate of cluster \S+ while trying to run the preflight lookup on SVM "svm1": it is signed by a CA this connection does not trust/,
      );
      expect(lines[2]).to.match(
        /^Fix: give the CA certificate .* in config ontap:caCert or environment variable ONTAP_CA_CERT/,
      );
      expect(sim.requests, "no request passes an untrusted certificate").to.deep.equal([]);
    }
  });

  it("a host name that does not resolve fails the preview at once, naming ontap:host", async () => {
    await stack.setConfig("ontap:host", "cluster1.invalid");
    const started = performance.now();
    const lines = failedOn(await stack.run(["preview"], { check: false }));

    expect(lines[0]).to.equal(head("cluster1.invalid"));
    expect(lines.join("\n"))
      .to.include("(ENOTFOUND)")
      .and.include('the host name "cluster1.invalid" does not resolve: correct ontap:host (ONTAP_HOST)');
    expect(lines).to.not.include(OFFLINE);
    // A name that does not resolve is not retried: the preview takes the CLI's own time.
    expect(performance.now() - started).to.be.below(60_000);
  });

  it("a dead address fails the preview with the preflight-off trade-off; with ontap:preflight false it previews the create", async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    await stack.setConfig("ontap:host", host);
    const lines = failedOn(await stack.run(["preview"], { check: false }));

    expect(lines[0]).to.equal(head(host));
    expect(lines[1]).to.match(
      new RegExp(
        `^Could not reach cluster ${host.replace(/\./g, "\\.")} to run the preflight lookup on SVM "svm1": .*\\(ECONNREFUSED\\)`,
      ),
    );
    expect(lines.at(-1)).to.equal(
      `${OFFLINE} The preview then checks neither the connection nor the SVM, and a problem shows only at the apply (docs/preflight.md).`,
    );

    await stack.setConfig("ontap:preflight", "false");
    const off = await stack.run(["preview"]);
    expect(off.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService iscsi create/);
    expect(off.stdout).to.not.include("Diagnostics:");
  });

  it("a broken setting of the default connection is one Check failure naming the key, without a stack trace", async () => {
    await stack.setConfigs({ "ontap:password": undefined });
    const result = await stack.run(["preview"], { check: false });
    const lines = failedOn(result);

    expect(lines).to.deep.equal([
      `error: pulumi-nodejs:dynamic/ontap:IscsiService resource 'iscsi' has a problem: Configuration error in ontap:password: user "admin" has no password.`,
      "Fix: pulumi config set --secret ontap:password <password>; or: export ONTAP_PASSWORD=<password>",
    ]);
    // A thrown error would show as "ConfigError: …" with its stack, in the block and again in the progress.
    const everything = result.stdout + result.stderr;
    expect(everything, printed(result))
      .to.not.include("ConfigError")
      .and.not.match(/^\s+at /m);
    expect(sim.requests).to.deep.equal([]);
  });
});

/**
 * docs/ci.md: a profile of `ontap:clusters` takes its password from the CI's secret store as
 * ONTAP_CLUSTERS_<PROFILE>_PASSWORD; without it, the preview names that variable.
 */
describe("CLI: a profile's password from the environment (ONTAP_CLUSTERS_WEST_PASSWORD)", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
    stack = await CliStack.create({ cli: pulumiCli(), programDir: STACK_PROGRAM });
    const profile = { host: sim.host, username: "admin", caCert: sim.caCert ?? "" };
    for (const [field, value] of Object.entries(profile))
      await stack.run(["config", "set", "--path", `ontap:clusters.west.${field}`, "--", value]);
    await stack.setConfigs(stackConfig([{ name: "w", args: { svmName: "svm1", cluster: "west" } }]));
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("without the variable the preview fails under `cluster`, naming the config key and the variable", async () => {
    const result = await stack.run(["preview"], { check: false });

    expect(result.code, printed(result)).to.not.equal(0);
    expect(diagnostics(result.stdout)[service("w")]?.split("\n")).to.deep.equal([
      `${checkFailure("w", "cluster", "west")}Configuration error in ontap:clusters.west.password: user "admin" has no password.`,
      "Fix: pulumi config set --secret --path 'ontap:clusters.west.password' <password>; or: export ONTAP_CLUSTERS_WEST_PASSWORD=<password>",
    ]);
    expect(sim.requests).to.deep.equal([]);
  });

  it("with ONTAP_CLUSTERS_WEST_PASSWORD in the environment, `up` creates the service and `destroy` deletes it", async () => {
    const env = { ONTAP_CLUSTERS_WEST_PASSWORD: PASSWORD };
    const up = await stack.run(["up", "--yes"], { env });

    expect(resourceSummary(up.stdout)).to.deep.equal({ created: 2 });
    expect(sim.service("svm1")).to.include({ enabled: true });
    const state = JSON.stringify(await stack.exportStack());
    expect(state).to.not.include(PASSWORD);

    await stack.run(["destroy", "--yes"], { env });
    expect(sim.services()).to.deep.equal([]);
  });
});
