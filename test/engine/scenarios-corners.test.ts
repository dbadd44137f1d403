import { expect } from "chai";
import type { Engine } from "../../tools/engine/engine";
import { FACES } from "../../tools/engine/faces";
import type { HostCallError } from "../../tools/engine/host";
import {
  faceSuffix,
  failureOf,
  purgeNextPolledJob,
  SERVICE_TYPE,
  SERVICES_PATH,
  type StackResource,
  setStackResources,
  stackEngine,
  startHttpsSimulator,
  writes,
} from "../../tools/engine/scenario";
import type { Simulator } from "../../tools/simulator/types";

const PASSWORD = "Corners-8mW!pw-17cd";

type Resource = StackResource;

/**
 * The corners where services were lost (issue 19), through the real host: a pending
 * create whose job failed and was purged, a refresh that follows a finishing job, the guard
 * and the announcements around a disable. Time is driven: jobs end when the test says so.
 */
for (const face of FACES)
  describe(`engine scenarios: nothing lost in the corners, through the real host${faceSuffix(face)}`, function () {
    this.timeout(120_000);
    let sim: Simulator;
    let engine: Engine | undefined;

    function stack(resources: Resource[], config: Record<string, string> = {}): Engine {
      engine = stackEngine(sim, PASSWORD, resources, config, face);
      return engine;
    }
    const program = setStackResources;

    beforeEach(async () => {
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD });
    });

    afterEach(async () => {
      await engine?.stop();
      engine = undefined;
      await sim.stop();
    });

    /** A create left pending: one POST whose held job outlasts ontap:jobTimeoutMs; returns the job's UUID. */
    async function pendingCreate(e: Engine): Promise<string> {
      sim.setAsyncJobs(true, 0, { held: true });
      const first = await failureOf(e.up());
      const job = /ONTAP job ([0-9a-f-]{36})/.exec((first.cause as HostCallError).details)?.[1];
      expect(job).to.be.a("string");
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ pendingJob: job });
      return job as string;
    }

    describe("a pending create whose job failed and was purged, and a service made by hand", () => {
      let e: Engine;
      let job: string;
      beforeEach(async () => {
        e = stack([{ name: "db", args: { svmName: "svm1", targetAlias: "db" } }], {
          "ontap:jobTimeoutMs": "500",
        });
        job = await pendingCreate(e);
        // An administrator creates the service by hand while the job runs: the job then fails (5374077).
        sim.outOfBand.createService("svm1", { enabled: false, alias: "by-hand" });
        expect(sim.finishJobs()).to.equal(1);
        expect(sim.purgeJobs()).to.equal(1);
        sim.setAsyncJobs(false);
        sim.clearRequests();
      });

      it("the preview fails naming the job and the choices, and nothing is written", async () => {
        const err = await failureOf(e.preview());
        const details = (err.cause as HostCallError).details;
        expect(details).to.include(`ONTAP job ${job}`).and.include("purges finished jobs");
        expect(details).to.include("adopt: true").and.include("pulumi state delete");
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.service("svm1")).to.include({ enabled: false, alias: "by-hand" });
      });

      it("up refuses too; refresh refuses; destroy refuses with the ways on (the service may be the stack's), and goes once it is deleted by hand", async () => {
        await failureOf(e.up());
        await failureOf(e.refresh());
        const err = await failureOf(e.destroy());
        const details = (err.cause as HostCallError).details;
        expect(details).to.include("purges finished jobs").and.include("vserver iscsi delete -vserver svm1");
        expect(details).to.include("pulumi state delete");
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.service("svm1")).to.include({ enabled: false, alias: "by-hand" });
        expect(e.state.size).to.equal(1);
        // The first way on: the service deleted by hand, the destroy then has nothing left to settle.
        sim.outOfBand.deleteService("svm1");
        await e.destroy();
        expect(e.state.size).to.equal(0);
        expect(writes(sim)).to.deep.equal([]);
      });

      it("with adopt: true, up takes it over and brings it to the program", async () => {
        program(e, [{ name: "db", args: { svmName: "svm1", targetAlias: "db", adopt: true } }]);
        await e.up();
        expect(writes(sim)).to.deep.equal([
          `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db"}} → 200`,
          `PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`,
        ]);
        expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ adopted: true, enabled: true });
        expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.not.have.property("pendingJob");
      });
    });

    it("a pending create whose job succeeded but was purged before the next run: unknown outcome, so the preview asks for adopt", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1" } }], { "ontap:jobTimeoutMs": "500" });
      await pendingCreate(e);
      sim.finishJobs();
      sim.purgeJobs();
      sim.setAsyncJobs(false);
      sim.clearRequests();
      // Purged: the outcome is unknown, and the preview has no proof the service is this create's.
      const err = await failureOf(e.preview());
      expect((err.cause as HostCallError).details).to.include("purges finished jobs");
    });

    it("a destroy of a pending create with adopt: true whose job failed leaves the service someone else made: a delete takes over nothing", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1", adopt: true } }], {
        "ontap:jobTimeoutMs": "500",
      });
      await pendingCreate(e);
      // Someone else makes the service while the job runs: the job then fails (5374077).
      sim.outOfBand.createService("svm1", { enabled: true, alias: "theirs" });
      expect(sim.finishJobs()).to.equal(1);
      sim.setAsyncJobs(false);
      sim.clearRequests();
      await e.destroy();
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")).to.include({ enabled: true, alias: "theirs" });
      expect(e.state.size).to.equal(0);
      expect(e.hostOutput).to.include("that job failed").and.include("left in place, untouched");
    });

    it("a create sent again after a lost answer, whose job fails because the first POST made the service: destroy refuses with the ways on, adopt: true takes it", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1" } }], { "ontap:jobTimeoutMs": "500" });
      sim.setAsyncJobs(true, 0, { held: true });
      // The first POST is applied (a held job) and its answer lost; the read finds nothing yet, so it is sent again.
      sim.injectFault({ kind: "reset-after", method: "POST", path: SERVICES_PATH });
      await failureOf(e.up());
      const recorded = e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs;
      expect(recorded).to.include({ pendingJobReposted: true });
      // Both jobs end: the first makes the service, the second fails on it (5374077).
      expect(sim.finishJobs()).to.equal(2);
      sim.setAsyncJobs(false);
      sim.clearRequests();

      const err = await failureOf(e.destroy());
      expect((err.cause as HostCallError).details)
        .to.include("an earlier POST of this create, whose answer was lost, may have made it")
        .and.include("vserver iscsi delete -vserver svm1");
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")).to.include({ enabled: true });

      program(e, [{ name: "db", args: { svmName: "svm1", adopt: true } }]);
      await e.up();
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.not.have.property("pendingJob");
    });

    it("a hand-over whose leaving resource's new create is left pending: recorded with its job; the next run settles it and its old resource's delete leaves the adopter's service", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm2" } }], { "ontap:jobTimeoutMs": "500" });
      await e.up();
      // db moves to svm1 (create first: by name alone the provider would delete first, as the
      // name could be the same SVM renamed); app takes db's service on svm2 over in the same run.
      const moved: Resource[] = [
        { name: "db", args: { svmName: "svm1" }, opts: { deleteBeforeReplace: false } },
        { name: "app", args: { svmName: "svm2", adopt: true } },
      ];
      program(e, moved);
      sim.setAsyncJobs(true, 0, { held: true });
      const err = await failureOf(e.up());
      const job = /ONTAP job ([0-9a-f-]{36})/.exec((err.cause as HostCallError).details)?.[1];
      expect(job).to.be.a("string");
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({
        svmName: "svm1",
        pendingJob: job,
      });
      expect(e.state.get(e.urn(SERVICE_TYPE, "app"))?.outputs).to.include({ svmName: "svm2", adopted: true });
      expect(sim.finishJobs()).to.equal(1);
      sim.setAsyncJobs(false);
      sim.clearRequests();

      // The same program: db's job made its service; db's old resource, deleted last, leaves app's alone.
      await e.up();
      expect(
        writes(sim).filter((w) => w.startsWith("DELETE") || w.includes('"enabled":false')),
      ).to.deep.equal([]);
      expect(sim.service("svm2")).to.include({ enabled: true });
      expect(sim.service("svm1")).to.include({ enabled: true });
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ svmName: "svm1" });
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.not.have.property("pendingJob");
      expect(e.state.get(e.urn(SERVICE_TYPE, "app"))?.outputs).to.include({ svmName: "svm2" });
    });

    it("a hand-over in a create-first replacement whose run fails before the old resource's delete: the next up deletes it at its end, after every Check, and leaves the adopter's service with its hosts", async () => {
      sim.addSvm({ name: "svm3" });
      // logs says more than the others, so the SDK registers it last (it serializes the
      // properties of each registration one by one): with --parallel 1 its step runs last.
      const logs = { svmName: "svm3", enabled: true, protectActiveSessions: false };
      const e = stack([
        { name: "db", args: { svmName: "svm2", targetAlias: "db" } },
        { name: "logs", args: { ...logs, targetAlias: "logs" } },
      ]);
      await e.up();
      sim.outOfBand.addSessions({ svm2: 1 });
      // db moves to svm1 (create first); app takes db's service on svm2 over; logs' update
      // fails: Pulumi keeps db's old resource in the state, marked for deletion.
      program(e, [
        { name: "db", args: { svmName: "svm1", targetAlias: "db" }, opts: { deleteBeforeReplace: false } },
        { name: "app", args: { svmName: "svm2", targetAlias: "app", adopt: true } },
        { name: "logs", args: { ...logs, targetAlias: "logs-2" } },
      ]);
      sim.injectFault({
        kind: "http-error",
        status: 500,
        method: "PATCH",
        path: `${SERVICES_PATH}/${sim.svm("svm3")?.uuid}`,
      });
      const failed = await failureOf(e.up({ parallel: 1 }));
      expect(
        failed.result.steps.map((s) => [s.op, s.urn.split("::").pop(), s.error === undefined]),
      ).to.deep.equal([
        ["replace", "db", true],
        ["create", "app", true],
        ["update", "logs", false],
      ]);
      expect(e.state.get(e.urn(SERVICE_TYPE, "app"))?.outputs).to.include({ svmName: "svm2", adopted: true });
      expect(sim.service("svm1")).to.include({ enabled: true });
      sim.clearRequests();

      const next = await e.up({ parallel: 1 });
      expect(next.steps.map((s) => [s.op, s.urn.split("::").pop()])).to.deep.equal([
        ["same", "db"],
        ["same", "app"],
        ["update", "logs"],
        ["delete", "db"],
      ]);
      expect(
        writes(sim).filter((w) => w.startsWith("DELETE") || w.includes('"enabled":false')),
      ).to.deep.equal([]);
      expect(sim.service("svm2")).to.include({ enabled: true, alias: "app" });
      expect(sim.sessions("svm2")).to.have.length(1);
      expect(sim.service("svm3")).to.include({ alias: "logs-2" });
    });

    it("an update whose job was purged before it was polled records the service as read back: a program that goes back to the old alias then changes it back", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1", targetAlias: "db" } }]);
      await e.up();
      program(e, [{ name: "db", args: { svmName: "svm1", targetAlias: "web" } }]);
      sim.setAsyncJobs(true, 0);
      purgeNextPolledJob(sim);
      const err = await failureOf(e.up());
      expect(JSON.stringify(err.cause)).to.include("was read back after the failure");
      expect(sim.service("svm1")).to.include({ alias: "web" });
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ targetAlias: "web" });
      sim.setAsyncJobs(false);
      sim.clearRequests();

      program(e, [{ name: "db", args: { svmName: "svm1", targetAlias: "db" } }]);
      await e.up();
      expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db"}} → 200`]);
      expect(sim.service("svm1")).to.include({ alias: "db" });
    });

    it("a create left pending that cannot be recorded (its SVM lookup refused) says how to take over what the job makes", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1" } }], {
        "ontap:jobTimeoutMs": "500",
        "ontap:preflight": "false",
      });
      sim.setAsyncJobs(true, 0, { held: true });
      sim.injectFault({ kind: "http-error", status: 403, method: "GET", path: "/api/svm/svms", times: 20 });
      const err = await failureOf(e.up());
      const details = (err.cause as HostCallError).details;
      expect(details).to.include("could not be recorded");
      expect(details)
        .to.include('on SVM "svm1", set adopt: true')
        .and.include("vserver iscsi delete -vserver svm1");
      expect(e.state.has(e.urn(SERVICE_TYPE, "db"))).to.equal(false);

      // The way back works: the job made the service; adopt: true takes it over.
      sim.clearFaults();
      expect(sim.finishJobs()).to.equal(1);
      sim.setAsyncJobs(false);
      program(e, [{ name: "db", args: { svmName: "svm1", adopt: true } }]);
      await e.up();
      expect(e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs).to.include({ adopted: true, enabled: true });
    });

    describe("a pending create of a disabled service, enabled by hand with a host logged in before the next up", () => {
      async function enabledByHand(args: Record<string, unknown>): Promise<Engine> {
        const e = stack([{ name: "db", args: { svmName: "svm1", enabled: false, ...args } }], {
          "ontap:jobTimeoutMs": "500",
        });
        await pendingCreate(e);
        expect(sim.finishJobs()).to.equal(1);
        sim.setAsyncJobs(false);
        sim.outOfBand.setEnabled("svm1", true);
        sim.outOfBand.addSessions({ svm1: 1 });
        expect(sim.sessions("svm1")).to.have.length(1);
        sim.clearRequests();
        return e;
      }

      it("the up that finishes it warns naming the host before it disables (Check, reading state, saw no disable)", async () => {
        const e = await enabledByHand({});
        await e.up();
        expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`]);
        expect(e.hostOutput).to.match(
          /Disabling the iSCSI service on SVM "svm1" \(cluster [^)]+\) ends 1 active/,
        );
      });

      it("with protectActiveSessions the up refuses, nothing written, the host keeps its session", async () => {
        const e = await enabledByHand({ protectActiveSessions: true });
        const err = await failureOf(e.up());
        expect((err.cause as HostCallError).details).to.include("Refused: protectActiveSessions is true");
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.sessions("svm1")).to.have.length(1);
      });
    });

    it("a refresh after the pending job ended reads the service by a targeted GET, never an older snapshot", async () => {
      const e = stack(
        [
          { name: "db", args: { svmName: "svm1" } },
          { name: "other", args: { svmName: "svm2" } },
        ],
        { "ontap:jobTimeoutMs": "500" },
      );
      sim.setAsyncJobs(true, 0, { held: true });
      await failureOf(e.up());
      sim.setAsyncJobs(false);
      expect(sim.finishJobs()).to.be.at.least(1);
      sim.clearRequests();
      await e.refresh();
      const db = e.state.get(e.urn(SERVICE_TYPE, "db"))?.outputs;
      expect(db, "the resource whose job finished is kept").to.not.equal(undefined);
      expect(db).to.not.have.property("pendingJob");
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).to.include(
        `GET ${SERVICES_PATH}/${sim.svm("svm1")?.uuid}`,
      );
    });

    describe("an SVM renamed outside Pulumi, named by its old name in one resource and its new name in another", () => {
      for (const newFirst of [false, true])
        it(`the preview reports the duplicate (the resource naming the new name registered ${newFirst ? "first" : "second"}) and nothing is written`, async () => {
          const e = stack([{ name: "db", args: { svmName: "svm1" } }]);
          await e.up();
          sim.outOfBand.renameSvm("svm1", "svm1-dr");
          sim.clearRequests();
          const stale = { name: "db", args: { svmName: "svm1" } };
          const renamed = { name: "dr", args: { svmName: "svm1-dr", adopt: true } };
          program(e, newFirst ? [renamed, stale] : [stale, renamed]);
          const err = await failureOf(e.preview());
          expect(JSON.stringify(err.cause)).to.include(
            "Another IscsiService resource in this stack names the same SVM",
          );
          // The harness's up is the update without its preview (as --skip-preview): registered
          // first, the new name's adopt could act before the old one's Diff (docs/iscsi-service.md).
          if (!newFirst) {
            await failureOf(e.up());
            expect(e.state.has(e.urn(SERVICE_TYPE, "dr"))).to.equal(false);
          }
          expect(writes(sim)).to.deep.equal([]);
        });
    });

    describe("guards that hold", () => {
      const others: Simulator[] = [];
      afterEach(async () => {
        for (const other of others.splice(0)) await other.stop();
      });
      /** The host prints the provider's log lines asynchronously: wait for one to arrive. */
      async function printed(e: Engine, text: string): Promise<void> {
        for (let i = 0; i < 100 && !e.hostOutput.includes(text); i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(e.hostOutput).to.include(text);
      }

      it("a replacement that lifts the guard for svm1 on one cluster keeps it for svm1 on another", async () => {
        const east = await startHttpsSimulator({ svms: ["svm1"], sessions: { svm1: 2 }, password: PASSWORD });
        others.push(east);
        const clusters = JSON.stringify({
          east: { host: east.host, username: "admin", password: PASSWORD, caCert: east.caCert },
        });
        const e = stack(
          [
            { name: "west-db", args: { svmName: "svm1", protectActiveSessions: true } },
            { name: "east-db", args: { svmName: "svm1", cluster: "east", protectActiveSessions: true } },
          ],
          { "ontap:clusters": clusters },
        );
        await e.up();
        expect(east.sessions("svm1")).to.have.length(2);
        east.clearRequests();

        // West's resource moves to svm2 with its guard off; east's is removed, its guard on.
        program(e, [{ name: "west-db", args: { svmName: "svm2", protectActiveSessions: false } }]);
        await failureOf(e.up());

        expect(east.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
        expect(east.service("svm1")).to.include({ enabled: true });
        expect(east.sessions("svm1")).to.have.length(2);
        expect(e.state.has(e.urn(SERVICE_TYPE, "east-db"))).to.equal(true);
      });

      it("a replacement onto another SVM that turns the guard on refuses the old delete while hosts are logged in, with preflight off too", async () => {
        await sim.stop();
        sim = await startHttpsSimulator({
          svms: ["svm1", "svm2"],
          sessions: { svm1: 2 },
          password: PASSWORD,
        });
        const e = stack([{ name: "db", args: { svmName: "svm1" } }], { "ontap:preflight": "false" });
        await e.up();
        sim.clearRequests();

        // Check does not look (preflight off): the delete itself applies the program's guard.
        program(e, [{ name: "db", args: { svmName: "svm2", protectActiveSessions: true } }]);
        const err = await failureOf(e.up());
        expect(err.step?.op).to.equal("replace");
        expect((err.cause as HostCallError).details)
          .to.include('Deleting the iSCSI service on SVM "svm1"')
          .and.include("Refused: protectActiveSessions is true");
        expect(writes(sim).filter((w) => !w.startsWith("POST"))).to.deep.equal([]);
        expect(sim.service("svm1")).to.include({ enabled: true });
        expect(sim.sessions("svm1")).to.have.length(2);
      });

      it("a disable of an SVM renamed outside Pulumi finds its sessions by UUID: warned, and refused with the guard", async () => {
        await sim.stop();
        sim = await startHttpsSimulator({
          svms: ["svm1", "svm2"],
          sessions: { svm1: 3 },
          password: PASSWORD,
        });
        // adopt: true makes the rename in the program an update without a refresh (docs/iscsi-service.md).
        const e = stack([{ name: "db", args: { svmName: "svm1", adopt: true } }]);
        await e.up();
        sim.outOfBand.renameSvm("svm1", "svm1-new");
        sim.clearRequests();

        program(e, [{ name: "db", args: { svmName: "svm1-new", enabled: false, adopt: true } }]);
        await e.preview();
        await printed(e, 'Disabling the iSCSI service on SVM "svm1-new"');
        expect(e.hostOutput).to.include("ends 3 active iSCSI sessions");

        program(e, [
          {
            name: "db",
            args: { svmName: "svm1-new", enabled: false, adopt: true, protectActiveSessions: true },
          },
        ]);
        const err = await failureOf(e.preview());
        expect((err.cause as HostCallError).details)
          .to.include("Refused: protectActiveSessions is true")
          .and.include("vserver iscsi session show -vserver svm1-new");
        expect(writes(sim)).to.deep.equal([]);
        expect(sim.sessions("svm1-new")).to.have.length(3);
      });

      it("a delete whose state says disabled, of a service enabled by hand with hosts logged in, warns before it disables", async () => {
        await sim.stop();
        sim = await startHttpsSimulator({
          svms: ["svm1", "svm2"],
          sessions: { svm1: 2 },
          password: PASSWORD,
        });
        const e = stack([{ name: "db", args: { svmName: "svm1", enabled: false } }]);
        await e.up();
        sim.outOfBand.setEnabled("svm1", true);
        expect(sim.sessions("svm1")).to.have.length(2);
        sim.clearRequests();

        program(e, []);
        await e.up();

        await printed(e, 'Deleting the iSCSI service on SVM "svm1"');
        expect(e.hostOutput).to.include("ends 2 active iSCSI sessions");
        expect(writes(sim)).to.deep.equal([
          `DELETE ${SERVICES_PATH}/{svm1} → 409`,
          `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
          `DELETE ${SERVICES_PATH}/{svm1} → 200`,
        ]);
      });
    });

    describe("a hand-over of one SVM between two resources in one run", () => {
      /** Invariant: every resource in state has its service, as recorded. */
      function stateMatchesCluster(e: Engine): void {
        for (const [urn, r] of e.state) {
          if (!urn.includes("IscsiService")) continue;
          const live = sim.service(String(r.outputs.svmUuid));
          expect(live, `${urn}'s service`).to.not.equal(undefined);
          expect(live).to.include({ enabled: r.outputs.enabled, alias: r.outputs.targetAlias });
        }
      }

      for (const preflight of ["true", "false"]) {
        it(`a swap of two adopting resources between svm1 and svm2 (preflight ${preflight}) ends with both services and state that matches`, async () => {
          const e = stack(
            [
              { name: "a", args: { svmName: "svm1", targetAlias: "a", adopt: true } },
              { name: "b", args: { svmName: "svm2", targetAlias: "b", adopt: true } },
            ],
            { "ontap:preflight": preflight },
          );
          await e.up();
          // The race a hand-over allows: b's delete of svm2 starts (a's delete of svm1 is slowed),
          // then a's create meets svm2's live service and adopts it while b's disable waits.
          // 503 with Retry-After orders the two; the cluster's answers, not timers, are the test.
          const slow = (svm: string, seconds: number) =>
            sim.injectFault({
              kind: "http-error",
              status: 503,
              retryAfter: seconds,
              method: "PATCH",
              path: `${SERVICES_PATH}/${sim.svm(svm)?.uuid}`,
            });
          slow("svm1", 1);
          slow("svm2", 3);
          program(e, [
            { name: "a", args: { svmName: "svm2", targetAlias: "a", adopt: true } },
            { name: "b", args: { svmName: "svm1", targetAlias: "b", adopt: true } },
          ]);
          await e.up();

          expect(
            sim
              .services()
              .map((x) => [x.svmName, x.enabled, x.alias])
              .sort(),
          ).to.deep.equal([
            ["svm1", true, "b"],
            ["svm2", true, "a"],
          ]);
          stateMatchesCluster(e);
          expect(e.state.get(e.urn(SERVICE_TYPE, "a"))?.outputs.svmName).to.equal("svm2");
          expect(e.state.get(e.urn(SERVICE_TYPE, "b"))?.outputs.svmName).to.equal("svm1");
        });
      }
    });

    it("another cluster behind the same address: refresh and destroy refuse, naming both UUIDs, and never drop the resource", async () => {
      const e = stack([{ name: "db", args: { svmName: "svm1" } }]);
      await e.up();
      const recorded = sim.svm("svm1")?.uuid ?? "";
      // The address now reaches a DR cluster with the same SVM names and other UUIDs.
      const port = sim.port;
      await sim.stop();
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], port, password: PASSWORD });
      const found = sim.svm("svm1")?.uuid ?? "";

      for (const operation of [() => e.refresh(), () => e.destroy()]) {
        const err = await failureOf(operation());
        expect((err.cause as HostCallError).details)
          .to.include(recorded)
          .and.include(found)
          .and.include("another cluster now answers at this address");
      }
      // Destroy's first PATCH names the recorded UUID, which no SVM there has: ONTAP answers 404, nothing changes.
      expect(sim.requests.filter((q) => q.method !== "GET" && q.applied)).to.deep.equal([]);
      expect(sim.services()).to.deep.equal([]);
      expect(e.state.has(e.urn(SERVICE_TYPE, "db"))).to.equal(true);
    });
  });
