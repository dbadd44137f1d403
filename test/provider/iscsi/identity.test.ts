import { expect } from "chai";
import type { IscsiServiceOutputs } from "../../../provider";
import { renderError } from "../../../provider/diagnostics/render";
import { OntapApiError } from "../../../provider/errors/transport";
import { parseRecord } from "../../../provider/iscsi/model";
import { startCluster, type TestCluster, writes } from "../../support/cluster";
import { rejectionOf } from "../../support/rejection";

const UUID = "3f2b8c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f";

describe("identity and diagnostics of a service named by UUID", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("an apply-time fix names the SVM by its name when the resource gives only its UUID", async () => {
    c = await startCluster(
      { svms: [{ name: "svm1", uuid: UUID, state: "stopped" }] },
      { "ontap:preflight": "false" },
    );
    const checked = await c.provider.check({}, { svmUuid: UUID });
    const err = await rejectionOf(c.provider.create(checked.inputs as never));
    expect(err.message).to.include("Fix: vserver start -vserver svm1").and.not.include(`-vserver ${UUID}`);
  });

  it("a fix never uses a UUID as a vserver name, even when the name cannot be looked up", () => {
    const err = new OntapApiError(
      { method: "POST", path: "/api/protocols/san/iscsi/services", host: "cluster1" },
      { status: 400, code: "5374893", ontapMessage: "stopped" },
    );
    const text = renderError(err, { action: "create the iSCSI service", svm: UUID });
    expect(text).to.include(`SVM with UUID ${UUID}`).and.include("vserver start -vserver <svm>");
  });

  it("switching a resource from svmName to svmUuid is an update with no write, after which refresh and check stay quiet", async () => {
    c = await startCluster({ svms: [{ name: "svm1", uuid: UUID }] });
    const byName = await c.provider.check({}, { svmName: "svm1" });
    const { outs } = await c.provider.create(byName.inputs as never);
    await c.newRun();
    c.sim.clearRequests();
    const byUuid = await c.provider.check(byName.inputs as never, { svmUuid: UUID });
    const diff = await c.provider.diff(UUID, outs as IscsiServiceOutputs, byUuid.inputs as never);
    expect(diff).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
    const { outs: updated } = await c.provider.update(
      UUID,
      outs as IscsiServiceOutputs,
      byUuid.inputs as never,
    );
    expect(updated).to.include({ svmNamedBy: "uuid" });
    expect(writes(c.sim)).to.deep.equal([]);

    await c.newRun();
    const refreshed = await c.provider.read(UUID, updated as IscsiServiceOutputs);
    expect(refreshed.inputs).to.include({ svmUuid: UUID }).and.not.have.property("svmName");
    await c.newRun();
    c.sim.clearRequests();
    expect((await c.provider.check(refreshed.inputs as never, { svmUuid: UUID })).failures).to.deep.equal([]);
    expect(c.sim.requests, "a no-op check sends nothing").to.deep.equal([]);
  });
});

describe("an SVM renamed outside Pulumi", () => {
  let c: TestCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("renamed in the program too, without a refresh: the preview says to refresh; with adopt it is an update, never a delete-first replacement", async () => {
    c = await startCluster({ svms: [{ name: "svm1", uuid: UUID }, "svm2"] });
    const checked = await c.provider.check({}, { svmName: "svm1", targetAlias: "db" });
    const { outs } = await c.provider.create(checked.inputs as never);
    await c.newRun();
    c.sim.outOfBand.renameSvm("svm1", "finance");
    c.sim.clearRequests();
    const plain = await c.provider.check(checked.inputs as never, { svmName: "finance", targetAlias: "db" });
    expect(plain.failures?.[0]?.reason).to.include("the SVM was renamed and the stack was not refreshed");
    await c.newRun();
    const adopting = await c.provider.check(checked.inputs as never, {
      svmName: "finance",
      targetAlias: "db",
      adopt: true,
    });
    expect(adopting.failures).to.deep.equal([]);
    const diff = await c.provider.diff(UUID, outs as IscsiServiceOutputs, adopting.inputs as never);
    expect(diff).to.include({ changes: true });
    expect(diff.replaces).to.deep.equal([]);
    const { outs: updated } = await c.provider.update(
      UUID,
      outs as IscsiServiceOutputs,
      adopting.inputs as never,
    );
    expect(updated).to.include({ svmName: "finance", svmUuid: UUID, enabled: true, targetAlias: "db" });
    expect(writes(c.sim)).to.deep.equal([]);
    expect(c.sim.service("finance")).to.include({ enabled: true });
  });

  it("another SVM's name is still a replacement", async () => {
    c = await startCluster({ svms: [{ name: "svm1", uuid: UUID }, "svm2"] });
    const checked = await c.provider.check({}, { svmName: "svm1" });
    const { outs } = await c.provider.create(checked.inputs as never);
    await c.newRun();
    const moved = await c.provider.check(checked.inputs as never, { svmName: "svm2" });
    const diff = await c.provider.diff(UUID, outs as IscsiServiceOutputs, moved.inputs as never);
    expect(diff.replaces).to.deep.equal(["svmName"]);
  });
});

describe("records from the wire", () => {
  const svm = { uuid: UUID, name: "svm1" };
  const cases: Array<[string, unknown, string]> = [
    ["enabled as a string", { svm, enabled: "false" }, '"enabled" is "false" (string), not a boolean'],
    ["a numeric alias", { svm, target: { alias: 7 } }, '"target.alias" is 7 (number), not a string'],
    ["a numeric IQN", { svm, target: { name: 1 } }, '"target.name" is 1 (number), not a string'],
    ["no SVM name", { svm: { uuid: UUID } }, '"svm.name" is missing'],
  ];
  for (const [what, record, message] of cases) {
    it(`refuses ${what}, naming the field, so that it never reaches state`, () => {
      expect(() => parseRecord(record)).to.throw(message);
    });
  }
  it("accepts a record without the optional fields", () => {
    expect(parseRecord({ svm })).to.deep.equal({ svm });
  });
});
