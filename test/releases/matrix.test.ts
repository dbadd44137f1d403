import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../provider";
import { ReleaseLacksError } from "../../provider/errors/release";
import {
  getIscsiService,
  getIscsiServiceMetricSample,
  getIscsiServiceMetrics,
  listIscsiServices,
} from "../../sdk";
import { RELEASES } from "../../tools/simulator/releases";
import type { Account, OntapRelease } from "../../tools/simulator/types";
import { startCluster, type TestCluster } from "../support/cluster";
import { rejectionOf } from "../support/rejection";

/**
 * The release matrix: the provider's lifecycle, its preflight and the data sources against
 * every simulator personality, with the cluster administrator and with an SVM-scoped account
 * (vsadmin of svm1). Every cell runs in full; a cell takes well under a second.
 */
const ACCOUNTS: Account[] = ["admin", "vsadmin:svm1"];

/** Answers that mean "this release or account lacks that": learning them is allowed, failing on them is not. */
function gapAnswers(c: TestCluster): string[] {
  return c.sim.requests
    .filter((r) => r.status === 400 || r.status === 404 || r.status === 403)
    .map((r) => `${r.status} ${r.method} ${r.path}`);
}

const atLeast = (release: OntapRelease, since: OntapRelease) =>
  RELEASES.indexOf(release) >= RELEASES.indexOf(since);

for (const release of RELEASES) {
  for (const account of ACCOUNTS) {
    const scoped = account !== "admin";
    describe(`release matrix: ONTAP ${release}, ${scoped ? "SVM-scoped account (vsadmin)" : "cluster admin"}`, () => {
      let c: TestCluster;
      afterEach(async () => {
        pulumi.runtime.setAllConfig({});
        await c?.stop();
      });

      it("converges: check (preflight), create, refresh, update, delete", async () => {
        c = await startCluster({
          ontapVersion: release,
          account,
          svms: ["svm1", "svm2"],
          timezone: "-08:00",
        });
        const checked = await c.provider.check({}, { svmName: "svm1", targetAlias: "db" });
        expect(checked.failures).to.deep.equal([]);
        const { outs } = await c.provider.create(checked.inputs as never);
        const created = outs as IscsiServiceOutputs;
        expect(c.sim.service("svm1")).to.include({ alias: "db", enabled: true });
        await c.newRun();
        const read = await c.provider.read(created.svmUuid, created);
        expect(read.props).to.include({ svmName: "svm1", targetAlias: "db", enabled: true });
        await c.newRun();
        const updated = await c.provider.update(created.svmUuid, created, {
          svmName: "svm1",
          enabled: false,
          adopt: false,
          targetAlias: "db2",
        });
        expect(c.sim.service("svm1")).to.include({ alias: "db2", enabled: false });
        await c.newRun();
        await c.provider.delete(created.svmUuid, updated.outs as IscsiServiceOutputs);
        expect(c.sim.service("svm1")).to.equal(undefined);
        // Only the lookups that learn what the release or the account lacks were refused, once each.
        const gaps = gapAnswers(c);
        const expected: string[] = [];
        if (scoped) expected.push("403 GET /api/cluster", "403 GET /api/cluster/licensing/licenses");
        else if (!atLeast(release, "9.16.1")) expected.push("400 GET /api/cluster");
        if (!atLeast(release, "9.9.1")) expected.push("400 GET /api/svm/svms");
        expect(gaps.sort()).to.deep.equal(expected.sort());
      });

      it("fails a preview of a create on a stopped SVM with the vserver start advice", async () => {
        c = await startCluster({
          ontapVersion: release,
          account,
          svms: [{ name: "svm1", state: "stopped" }, "svm2"],
        });
        const { failures } = await c.provider.check({}, { svmName: "svm1" });
        expect(failures?.map((f) => f.property)).to.deep.equal(["svmName"]);
        expect(failures?.[0]?.reason)
          .to.match(/5374893/)
          .and.match(/Fix: vserver start -vserver svm1/);
        expect(c.sim.requests.every((r) => r.method === "GET")).to.equal(true);
      });

      it("says once per cluster and run what it could not check, naming the release or the role", async () => {
        c = await startCluster({ ontapVersion: release, account, svms: ["svm1", "svm2", "svm3"] });
        expect((await c.provider.check({}, { svmName: "svm1" })).failures).to.deep.equal([]);
        // Two more new services in the same run (another account's SVM does not exist for vsadmin).
        await c.provider.check({}, { svmName: "svm2" });
        await c.provider.check({}, { svmName: "svm3" });
        const warnings = c.logs.filter((l) => l.startsWith("warn:"));
        const expected: RegExp[] = [];
        if (scoped)
          expected.push(
            /^warn: Preflight on cluster \S+ skips ASA r2 and the iSCSI license: the account may not read \/api\/cluster or \/api\/cluster\/licensing\/licenses .*readonly access to \/api\/cluster and \/api\/cluster\/licensing\/licenses/,
          );
        if (!atLeast(release, "9.9.1"))
          expected.push(
            scoped
              ? /^warn: Preflight on cluster \S+ \(ONTAP before 9\.9\.1\) cannot check whether iSCSI is among an SVM's allowed protocols/
              : new RegExp(
                  `^warn: Preflight on cluster \\S+ \\(ONTAP ${release.replace(".", "\\.")}\\) cannot check whether iSCSI is among an SVM's allowed protocols`,
                ),
          );
        expect(warnings).to.have.length(expected.length, warnings.join("\n"));
        for (const [i, pattern] of expected.entries()) expect(warnings[i]).to.match(pattern);
      });

      it("serves the data sources; metrics and a single sample name the release they need", async () => {
        // A password of its own, as another cluster has: the program keeps one connection per
        // cluster settings, so a simulator on a port an earlier release's had used would
        // otherwise inherit what that connection learned (its release).
        const password = `netapp-${release}-${account}`;
        c = await startCluster({
          ontapVersion: release,
          account,
          password,
          svms: [
            { name: "svm1", service: { alias: "db" } },
            { name: "svm2", service: {} },
          ],
          timezone: "+05:30",
        });
        pulumi.runtime.setAllConfig({
          "ontap:host": c.sim.host,
          "ontap:username": "admin",
          "ontap:password": password,
          "ontap:caCert": c.sim.caCert ?? "",
        });
        expect(await getIscsiService({ svmName: "svm1" })).to.include({ svmName: "svm1", targetAlias: "db" });
        const listed = (await listIscsiServices()).map((s) => s.svmName);
        expect(listed).to.deep.equal(scoped ? ["svm1"] : ["svm1", "svm2"]);

        if (atLeast(release, "9.8")) {
          const metrics = await getIscsiServiceMetrics({ svmName: "svm1", interval: "1h" });
          expect(metrics.samples.length).to.be.above(0);
          // ONTAP's offset is kept as the cluster gives it: never assumed to be "Z".
          expect(metrics.samples[0]?.timestamp).to.match(/\+05:30$/);
          if (atLeast(release, "9.14.1")) {
            const at = metrics.samples[1]?.timestamp ?? "";
            const one = await getIscsiServiceMetricSample({ svmName: "svm1", timestamp: at });
            expect(Date.parse(one.sample.timestamp)).to.equal(Date.parse(at));
          } else {
            const err = await rejectionOf(
              getIscsiServiceMetricSample({
                svmName: "svm1",
                timestamp: metrics.samples[1]?.timestamp ?? "",
              }),
            );
            expect(err).to.be.instanceOf(ReleaseLacksError);
            expect(err.message).to.match(/needs ONTAP 9\.14 or later/);
            if (!scoped) expect(err.message).to.contain(`runs ONTAP ${release}`);
          }
        } else {
          const err = await rejectionOf(getIscsiServiceMetrics({ svmName: "svm1", interval: "1h" }));
          expect(err).to.be.instanceOf(ReleaseLacksError);
          expect(err.message).to.match(/no iSCSI service metrics .*needs ONTAP 9\.7 or later/);
          if (!scoped) expect(err.message).to.contain("runs ONTAP 9.6");
        }
      });
    });
  }
}
