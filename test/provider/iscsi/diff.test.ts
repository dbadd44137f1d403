import { expect } from "chai";
import { diffService } from "../../../provider/iscsi/diff";
import type { IscsiServiceInputs, IscsiServiceOutputs } from "../../../provider/iscsi/model";
import { UNKNOWN } from "../../../provider/iscsi/validate";

const UUID1 = "11111111-1111-4111-8111-111111111111";
const UUID2 = "22222222-2222-4222-8222-222222222222";

const olds: IscsiServiceOutputs = {
  svmName: "svm1",
  svmUuid: UUID1,
  enabled: true,
  targetAlias: "svm1",
  targetAliasDefault: true,
  targetName: "iqn.1992-08.com.netapp:sn.0123456789abcdef0123456789abcdef:vs.2",
  host: "10.0.0.5",
  adopt: false,
  adopted: false,
  asaR2: false,
};

function inputs(extra: Partial<IscsiServiceInputs>): IscsiServiceInputs {
  return { enabled: true, adopt: false, ...extra };
}

describe("diff", () => {
  const cases: Array<
    [string, IscsiServiceInputs, { changes: boolean; replaces: string[]; updates: string[] }]
  > = [
    [
      "same SVM by name, alias left to the default",
      inputs({ svmName: "svm1" }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "same SVM named by UUID instead of name",
      inputs({ svmUuid: UUID1 }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "same SVM by upper-case UUID",
      inputs({ svmUuid: UUID1.toUpperCase() }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "alias given equal to the default",
      inputs({ svmName: "svm1", targetAlias: "svm1" }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "adopt flipped (create-time only)",
      inputs({ svmName: "svm1", adopt: true }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "alias changed",
      inputs({ svmName: "svm1", targetAlias: "db" }),
      { changes: true, replaces: [], updates: ["targetAlias"] },
    ],
    [
      "alias cleared",
      inputs({ svmName: "svm1", targetAlias: "" }),
      { changes: true, replaces: [], updates: ["targetAlias"] },
    ],
    [
      "disabled",
      inputs({ svmName: "svm1", enabled: false }),
      { changes: true, replaces: [], updates: ["enabled"] },
    ],
    [
      "disabled and re-aliased",
      inputs({ svmName: "svm1", enabled: false, targetAlias: "db" }),
      { changes: true, replaces: [], updates: ["enabled", "targetAlias"] },
    ],
    [
      "another SVM by name",
      inputs({ svmName: "svm2" }),
      { changes: true, replaces: ["svmName"], updates: [] },
    ],
    [
      "another SVM by UUID",
      inputs({ svmUuid: UUID2 }),
      { changes: true, replaces: ["svmUuid"], updates: [] },
    ],
    [
      "another cluster profile for the same host (a renamed profile)",
      inputs({ svmName: "svm1", cluster: "east" }),
      { changes: true, replaces: [], updates: ["cluster"] },
    ],
    [
      "a renamed SVM named by the same UUID",
      inputs({ svmUuid: UUID1, svmName: "svm1-renamed", targetAlias: "svm1" }),
      { changes: false, replaces: [], updates: [] },
    ],
    [
      "an SVM not known until apply",
      inputs({ svmName: UNKNOWN }),
      { changes: true, replaces: ["svmName"], updates: [] },
    ],
  ];
  for (const [what, news, expected] of cases) {
    it(`${what}: ${expected.changes ? (expected.replaces.length ? "replace" : "update") : "no change"}`, () => {
      const result = diffService(olds, news, "same-host");
      expect({ changes: result.changes, replaces: result.replaces, updates: result.updates }).to.deep.equal(
        expected,
      );
    });
  }

  it("another address of the same cluster is an update of host, never a replacement", () => {
    const result = diffService(olds, inputs({ svmName: "svm1" }), "same-cluster");
    expect(result).to.include({ changes: true });
    expect(result.replaces).to.deep.equal([]);
    expect(result.updates).to.deep.equal(["host"]);
    const profile = diffService(olds, inputs({ svmName: "svm1", cluster: "east" }), "same-cluster");
    expect(profile.replaces).to.deep.equal([]);
    expect(profile.updates).to.deep.equal(["cluster", "host"]);
  });

  it("another cluster profile on another cluster is a replacement", () => {
    const result = diffService(olds, inputs({ svmName: "svm1", cluster: "east" }), "other-cluster");
    expect(result.replaces).to.deep.equal(["cluster"]);
  });

  it("a drifted (disabled out of band) service diffs as an update back to enabled", () => {
    expect(
      diffService({ ...olds, enabled: false }, inputs({ svmName: "svm1" }), "same-host").updates,
    ).to.deep.equal(["enabled"]);
  });

  it("deletes before replacing whenever the new service could land on the same SVM", () => {
    expect(diffService(olds, inputs({ svmName: "svm1" }), "same-host").deleteBeforeReplace).to.equal(true);
    expect(diffService(olds, inputs({ svmName: "svm2" }), "same-host").deleteBeforeReplace).to.equal(true);
  });

  it("creates before deleting when the new SVM provably differs (other UUID, or another cluster host)", () => {
    expect(diffService(olds, inputs({ svmUuid: UUID2 }), "same-host").deleteBeforeReplace).to.equal(false);
    expect(
      diffService(olds, inputs({ svmName: "svm1", cluster: "east" }), "other-cluster").deleteBeforeReplace,
    ).to.equal(false);
  });
});
