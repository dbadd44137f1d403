import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { requestLine, SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import { CliStack } from "../../tools/pulumi-cli/cli";
import { INTERVALS, sample } from "../../tools/simulator/metrics";
import type { Simulator } from "../../tools/simulator/types";
import { type FleetCluster, FleetExample, fleetSummary, linesOf } from "./examples-fleet";
import { pulumiCli, resourceSummary } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Examples-3pZ!pw-70ka";

const example = (name: string) => path.join(repoRoot, "examples", name);
const postLine = (svm: string, body: Record<string, unknown>, status: number) =>
  `POST ${SERVICES_PATH}?return_records=true ${JSON.stringify({ svm: { name: svm }, ...body })} → ${status}`;

/** A stack of an example, with nothing configured yet: each suite sets what its README says. */
function exampleStack(name: string, stack: string): Promise<CliStack> {
  return CliStack.create({ cli: pulumiCli(), programDir: example(name), stack });
}

/** `pulumi config set [--secret] --path <key> -- <value>`, as the READMEs write profile keys. */
async function setPath(stack: CliStack, key: string, value: string, secret = false): Promise<void> {
  await stack.run(["config", "set", ...(secret ? ["--secret"] : []), "--path", key, "--", value]);
}

/** A PEM file beside the stack, as the READMEs' `/etc/ontap/<cluster>-ca.pem`. */
function caFile(stack: CliStack, name: string, sim: Simulator): string {
  const file = path.join(stack.scratch, `${name}-ca.pem`);
  fs.writeFileSync(file, sim.caCert ?? "");
  return file;
}

describe("CLI: examples/multi-cluster — services on two clusters through `ontap:clusters` profiles", function () {
  this.timeout(180_000);
  let east: Simulator;
  let west: Simulator;
  let stack: CliStack;
  const clusters = () => ({ east, west });

  before(async () => {
    east = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
    west = await startHttpsSimulator({ svms: ["svm1"], password: PASSWORD });
    stack = await exampleStack("multi-cluster", "prod");
    // The README's commands, with each cluster's address and CA.
    for (const [name, sim] of Object.entries(clusters())) {
      await setPath(stack, `ontap:clusters.${name}.host`, sim.host);
      await setPath(stack, `ontap:clusters.${name}.username`, "admin");
      await setPath(stack, `ontap:clusters.${name}.password`, PASSWORD, true);
      await setPath(stack, `ontap:clusters.${name}.caCert`, caFile(stack, name, sim));
    }
    await setPath(stack, "placements[0].cluster", "east");
    await setPath(stack, "placements[0].svms[0]", "svm1");
    await setPath(stack, "placements[1].cluster", "west");
    await setPath(stack, "placements[1].svms[0]", "svm1");
  });
  after(async () => {
    await stack?.dispose();
    await east?.stop();
    await west?.stop();
  });
  beforeEach(() => {
    east.clearRequests();
    west.clearRequests();
  });

  it("`pulumi preview` shows a service on each cluster and writes to neither", async () => {
    const result = await stack.run(["preview"]);

    expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService east-svm1 create/);
    expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService west-svm1 create/);
    expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 3 });
    for (const sim of [east, west]) {
      expect(sim.requests).to.not.be.empty; // each cluster's preflight
      expect(writes(sim)).to.deep.equal([]);
    }
  });

  it("`pulumi up` POSTs once to each cluster with the profile's alias, and prints each target's host and IQN", async () => {
    const result = await stack.run(["up", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 3 });
    for (const [name, sim] of Object.entries(clusters())) {
      expect(writes(sim), name).to.deep.equal([
        postLine("svm1", { enabled: true, target: { alias: `${name}-svm1` } }, 201),
      ]);
      const live = sim.service("svm1");
      expect(live, name).to.include({ enabled: true, alias: `${name}-svm1` });
      expect(result.stdout).to.include(`host: "${sim.host}"\n            iqn : "${live?.iqn}"`);
    }
    expect(east.service("svm2")).to.equal(undefined);
  });

  it("a second `pulumi up --expect-no-changes` writes nothing: each cluster is asked for its SVM list only", async () => {
    const result = await stack.run(["up", "--yes", "--expect-no-changes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ unchanged: 3 });
    // Resources on two clusters: the one-owner-per-SVM check resolves their names to UUIDs
    // through each cluster's SVM list (docs/iscsi-service.md, "One owner per service"), once
    // in the preview and once in the update.
    for (const [name, sim] of Object.entries(clusters())) {
      expect(
        sim.requests.map((r) => `${r.method} ${r.path}`),
        name,
      ).to.deep.equal(["GET /api/svm/svms", "GET /api/svm/svms"]);
    }
  });

  it("`pulumi destroy` disables, then deletes, the service on each cluster", async () => {
    const result = await stack.run(["destroy", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 3 });
    for (const [name, sim] of Object.entries(clusters())) {
      expect(writes(sim), name).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      ]);
      expect(sim.services(), name).to.deep.equal([]);
    }
  });
});

describe("CLI: examples/adopt-existing — services created by hand come under management", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1", "svm2", "svm3"], password: PASSWORD });
    sim.outOfBand.createService("svm1", { enabled: true });
    sim.outOfBand.createService("svm2", { enabled: false, alias: "legacy-svm2" });
    stack = await exampleStack("adopt-existing", "prod");
    // The README's commands.
    await stack.setConfigs({ "ontap:host": sim.host, "ontap:username": "admin" });
    await stack.setConfig("ontap:password", PASSWORD, { secret: true });
    await stack.setConfig("ontap:caCert", caFile(stack, "cluster1", sim));
    await setPath(stack, "svmNames[0]", "svm1");
    await setPath(stack, "svmNames[1]", "svm2");
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("`pulumi preview` shows each adoption as a create and writes nothing", async () => {
    const result = await stack.run(["preview"]);

    expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService svm1 create/);
    expect(result.stdout).to.match(/\+\s+pulumi-nodejs:dynamic\/ontap:IscsiService svm2 create/);
    expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 3 });
    expect(writes(sim)).to.deep.equal([]);
  });

  it("`pulumi up` adopts both: each POST meets its service (409), then svm2 gets the SVM name as alias and is enabled", async () => {
    const iqns = ["svm1", "svm2"].map((svm) => sim.service(svm)?.iqn);

    const result = await stack.run(["up", "--yes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 3 });
    for (const svm of ["svm1", "svm2"]) {
      expect(result.stdout).to.include(`Adopted the existing iSCSI service on SVM "${svm}"`);
    }
    const lines = writes(sim);
    expect([...lines].sort()).to.deep.equal(
      [
        postLine("svm1", { enabled: true }, 409),
        postLine("svm2", { enabled: true }, 409),
        `PATCH ${SERVICES_PATH}/{svm2} {"target":{"alias":"svm2"}} → 200`,
        `PATCH ${SERVICES_PATH}/{svm2} {"enabled":true} → 200`,
      ].sort(),
    );
    expect(sim.services().map((s) => [s.svmName, s.enabled, s.alias, s.iqn])).to.have.deep.members([
      ["svm1", true, "svm1", iqns[0]],
      ["svm2", true, "svm2", iqns[1]],
    ]);
    expect(result.stdout).to.include(`[0]: "${iqns[0]}"\n        [1]: "${iqns[1]}"`);
  });

  it("a second `pulumi up --expect-no-changes` sends not one request", async () => {
    const result = await stack.run(["up", "--yes", "--expect-no-changes"]);

    expect(resourceSummary(result.stdout)).to.deep.equal({ unchanged: 3 });
    expect(sim.requests).to.deep.equal([]);
  });

  it("`pulumi destroy` leaves both services on the cluster (retainOnDelete) and sends not one request", async () => {
    const result = await stack.run(["destroy", "--yes"]);

    expect(result.stdout).to.match(/-\s+pulumi-nodejs:dynamic\/ontap:IscsiService svm1 deleted .*\[retain\]/);
    expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 3 });
    expect(sim.requests).to.deep.equal([]);
    expect(sim.services().map((s) => [s.svmName, s.enabled])).to.have.deep.members([
      ["svm1", true],
      ["svm2", true],
    ]);
  });
});

describe("CLI: examples/inventory — data sources only, latency printed", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let stack: CliStack;

  /**
   * The line the program prints for a service with a year of samples, for each 5-minute
   * step the read may have fallen in between `from` and `to` (ms): `interval` 1d is the
   * 288 samples newest first, and the line gives the newest one's latency and the average.
   */
  function expectedLines(svm: string, enabled: boolean, from: number, to: number): string[] {
    const { stepMs, duration } = INTERVALS["1d"];
    const uuid = sim.svm(svm)?.uuid as string;
    const lines: string[] = [];
    for (let newest = Math.floor(from / stepMs) * stepMs; newest <= to; newest += stepMs) {
      const totals = Array.from(
        { length: 288 },
        (_, k) => (sample(uuid, newest - k * stepMs, duration, String).latency as { total: number }).total,
      );
      const average = Math.round(totals.reduce((a, b) => a + b, 0) / totals.length);
      lines.push(
        `${svm.padEnd(20)} ${enabled ? "enabled " : "disabled"} ` +
          `latency ${totals[0]} µs now, ${average} µs average over 1d (288 samples)`,
      );
    }
    return lines;
  }

  /** The program's lines in the run's diagnostics (its console.log), one per service. */
  const printed = (stdout: string) =>
    [...stdout.matchAll(/^ {4}(\S+ +(?:enabled |disabled) .*)$/gm)].map((m) => m[1].trimEnd());

  before(async () => {
    sim = await startHttpsSimulator({
      svms: [
        { name: "svm1", service: { enabled: true } },
        { name: "svm2", service: { enabled: false } },
        "svm3",
        "svm4",
        { name: "test1", service: { enabled: true } },
      ],
      password: PASSWORD,
    });
    // A service whose collector has not sampled yet, as ONTAP answers for one created moments ago (8585947).
    sim.outOfBand.createService("svm3", { enabled: true });
    sim.backfillMetrics?.("svm3", -3_600_000);
    stack = await exampleStack("inventory", "dev");
    // The README's commands.
    await stack.setConfigs({ "ontap:host": sim.host, "ontap:username": "admin" });
    await stack.setConfig("ontap:password", PASSWORD, { secret: true });
    await stack.setConfig("ontap:caCert", sim.caCert as string);
    await stack.setConfigs({ svmPattern: "svm*", interval: "1d" });
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
  });
  beforeEach(() => sim.clearRequests());

  it("`pulumi preview` prints one line per matching service, its state and latency as the cluster's samples say, with GETs only", async () => {
    const from = Date.now();
    const result = await stack.run(["preview"]);
    const to = Date.now();

    const lines = new Set(printed(result.stdout));
    expect(lines.size, result.stdout).to.equal(3);
    expect(expectedLines("svm1", true, from, to).filter((l) => lines.has(l))).to.have.length(1);
    expect(expectedLines("svm2", false, from, to).filter((l) => lines.has(l))).to.have.length(1);
    expect(lines).to.include(`${"svm3".padEnd(20)} enabled  no latency samples (ONTAP has none yet)`);
    expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 1 });

    expect(sim.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
    const collection = sim.requests.filter((r) => r.path === SERVICES_PATH);
    expect(collection.map((r) => r.query["svm.name"])).to.deep.equal(["svm*"]);
    const metrics = sim.requests.filter((r) => r.path.endsWith("/metrics"));
    expect(metrics.map((r) => requestLine(sim, r)).sort()).to.deep.equal(
      ["svm1", "svm2", "svm3"].map(
        (svm) => `GET ${SERVICES_PATH}/{${svm}}/metrics?interval=1d → ${svm === "svm3" ? 404 : 200}`,
      ),
    );
  });

  it("`pulumi up` creates only the stack; `pulumi stack output services --json` holds what the lines said", async () => {
    const from = Date.now();
    const result = await stack.run(["up", "--yes"]);
    const to = Date.now();

    expect(resourceSummary(result.stdout)).to.deep.equal({ created: 1 });
    expect(writes(sim)).to.deep.equal([]);
    const output = JSON.parse((await stack.run(["stack", "output", "services", "--json"])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(output.map((s) => s.svm)).to.have.members(["svm1", "svm2", "svm3"]);
    for (const entry of output) {
      const svm = entry.svm as string;
      const live = sim.service(svm);
      expect(entry, svm).to.include({ iqn: live?.iqn, enabled: live?.enabled });
      if (svm === "svm3") {
        expect(entry, svm).to.not.have.any.keys("latestLatencyUs", "averageLatencyUs");
        continue;
      }
      const line =
        `${svm.padEnd(20)} ${live?.enabled ? "enabled " : "disabled"} ` +
        `latency ${entry.latestLatencyUs} µs now, ${entry.averageLatencyUs} µs average over 1d (288 samples)`;
      expect(expectedLines(svm, live?.enabled as boolean, from, to)).to.include(line);
      expect(printed(result.stdout)).to.include(line);
    }
  });
});

describe("CLI: examples/fleet — one stack per cluster through the Automation API", function () {
  this.timeout(300_000);
  const passwords = { east: "Fleet-East-pw!81", west: "Fleet-West-pw!27", north: PASSWORD };
  const specs: Record<string, FleetCluster["svms"]> = {
    east: [
      { name: "svm1", targetAlias: "east-svm1" },
      { name: "svm2", targetAlias: "east-svm2", enabled: false },
    ],
    west: [{ name: "svm1" }],
    north: [{ name: "svm1" }, { name: "svm2" }],
  };
  const sims: Record<string, Simulator> = {};
  let fleet: FleetExample;
  let fleetFile: string;
  const each = () => Object.entries(sims);

  before(async () => {
    sims.east = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: passwords.east });
    sims.west = await startHttpsSimulator({ svms: ["svm1"], password: passwords.west });
    sims.north = await startHttpsSimulator({ svms: ["svm1", "svm2", "svm3"], password: passwords.north });
    // The README's variables: a password per cluster, ONTAP_PASSWORD for the rest.
    fleet = new FleetExample(pulumiCli(), {
      ONTAP_PASSWORD_EAST: passwords.east,
      ONTAP_PASSWORD_WEST: passwords.west,
      ONTAP_PASSWORD: passwords.north,
    });
    fleetFile = fleet.writeFleet(
      "fleet",
      each().map(([name, sim]) => ({
        name,
        host: sim.host,
        username: "admin",
        caPem: sim.caCert,
        svms: specs[name],
      })),
    );
  });
  after(async () => {
    fleet?.dispose();
    for (const sim of Object.values(sims)) await sim.stop();
  });
  beforeEach(() => {
    for (const sim of Object.values(sims)) sim.clearRequests();
  });

  it("`fleet preview` with a missing SVM on one cluster: that stack fails, the others preview, exit code 1, nothing written", async () => {
    const broken = fleet.writeFleet(
      "broken",
      each().map(([name, sim]) => ({
        name,
        host: sim.host,
        caPem: sim.caCert,
        svms: name === "north" ? [{ name: "svm9" }] : specs[name],
      })),
    );

    const result = await fleet.run("preview", broken);

    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(fleetSummary(result.stdout, "east", "preview")).to.deep.equal({ create: 3 });
    expect(fleetSummary(result.stdout, "west", "preview")).to.deep.equal({ create: 2 });
    expect(result.stderr).to.match(/^north: preview FAILED: .*/m);
    expect(linesOf(result.stdout, "north").join("\n")).to.include(
      'ONTAP refused to create the iSCSI service on SVM "svm9"',
    );
    expect(linesOf(result.stdout, "north").join("\n")).to.include("the SVM does not exist [ONTAP 2621462");
    expect(result.stdout).to.match(/^3 stacks, 1 failed, \d+ s$/m);
    for (const [name, sim] of each()) expect(writes(sim), name).to.deep.equal([]);
  });

  it("`fleet preview`: each stack previews its creates in lines prefixed with its cluster; exit code 0, nothing written", async () => {
    const result = await fleet.run("preview", fleetFile);

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    for (const [name, svms] of Object.entries(specs)) {
      const lines = linesOf(result.stdout, name);
      for (const svm of svms)
        expect(lines.join("\n"), name).to.match(
          new RegExp(`\\+\\s+pulumi-nodejs:dynamic/ontap:IscsiService ${svm.name} create`),
        );
      expect(lines, name).to.include(`Previewing update (${name}):`);
      expect(fleetSummary(result.stdout, name, "preview")).to.deep.equal({ create: svms.length + 1 });
    }
    expect(result.stdout).to.match(/^3 stacks, 0 failed, \d+ s$/m);
    for (const [name, sim] of each()) expect(writes(sim), name).to.deep.equal([]);
  });

  it("`fleet up` creates each cluster's services as fleet.json says, and prints each stack's IQNs", async () => {
    const result = await fleet.run("up", fleetFile);

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(writes(sims.east).sort()).to.deep.equal(
      [
        postLine("svm1", { enabled: true, target: { alias: "east-svm1" } }, 201),
        postLine("svm2", { enabled: false, target: { alias: "east-svm2" } }, 201),
      ].sort(),
    );
    expect(writes(sims.west)).to.deep.equal([postLine("svm1", { enabled: true }, 201)]);
    expect(writes(sims.north).sort()).to.deep.equal(
      [postLine("svm1", { enabled: true }, 201), postLine("svm2", { enabled: true }, 201)].sort(),
    );
    for (const [name, sim] of each()) {
      const svms = specs[name];
      expect(fleetSummary(result.stdout, name, "up")).to.deep.equal({ create: svms.length + 1 });
      expect(sim.services().map((s) => [s.svmName, s.enabled, s.alias])).to.have.deep.members(
        svms.map((svm) => [svm.name, svm.enabled ?? true, svm.targetAlias ?? svm.name]),
      );
      for (const live of sim.services())
        expect(linesOf(result.stdout, name)).to.include(`            iqn: "${live.iqn}"`);
    }
    expect(sims.north.service("svm3")).to.equal(undefined);
  });

  it("`fleet refresh` after a change by hand on one cluster records it in that cluster's stack only, with GETs only", async () => {
    sims.west.outOfBand.setEnabled("svm1", false);

    const result = await fleet.run("refresh", fleetFile);

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(fleetSummary(result.stdout, "east", "refresh")).to.deep.equal({ same: 3 });
    expect(fleetSummary(result.stdout, "west", "refresh")).to.deep.equal({ same: 1, update: 1 });
    expect(fleetSummary(result.stdout, "north", "refresh")).to.deep.equal({ same: 3 });
    expect(linesOf(result.stdout, "west").join("\n")).to.match(
      /~\s+pulumi-nodejs:dynamic\/ontap:IscsiService svm1 updated/,
    );
    for (const [name, sim] of each()) {
      expect(sim.requests, name).to.not.be.empty;
      expect(writes(sim), name).to.deep.equal([]);
    }
  });

  it("`fleet destroy` removes every service of every cluster (the one disabled by hand with one DELETE)", async () => {
    const result = await fleet.run("destroy", fleetFile);

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    for (const [name, sim] of each()) {
      const svms = specs[name];
      expect(fleetSummary(result.stdout, name, "destroy")).to.deep.equal({ delete: svms.length + 1 });
      expect(sim.services(), name).to.deep.equal([]);
    }
    expect(writes(sims.west)).to.deep.equal([`DELETE ${SERVICES_PATH}/{svm1} → 200`]);
    expect(writes(sims.east)).to.include.members([
      `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
      `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      `DELETE ${SERVICES_PATH}/{svm2} → 200`,
    ]);
  });
});
