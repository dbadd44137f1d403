import { expect } from "chai";
import { UNKNOWN, validateInputs } from "../../provider/iscsi/validate";

const UUID = "3f2b8c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f";

describe("check: input validation", () => {
  it("applies defaults: enabled true, adopt false, alias left to ONTAP", () => {
    const { inputs, failures } = validateInputs({ svmName: "svm1" });
    expect(failures).to.deep.equal([]);
    expect(inputs).to.deep.equal({ svmName: "svm1", enabled: true, adopt: false });
  });

  it("accepts an SVM named by UUID, normalised to lower case", () => {
    const { inputs, failures } = validateInputs({ svmUuid: UUID.toUpperCase() });
    expect(failures).to.deep.equal([]);
    expect(inputs.svmUuid).to.equal(UUID);
  });

  it('accepts "" as an alias (clears it) and a 128-character alias', () => {
    expect(validateInputs({ svmName: "svm1", targetAlias: "" }).failures).to.deep.equal([]);
    expect(validateInputs({ svmName: "svm1", targetAlias: "a".repeat(128) }).failures).to.deep.equal([]);
  });

  it("lets preview unknowns through without judging them", () => {
    const { inputs, failures } = validateInputs({ svmName: UNKNOWN, enabled: UNKNOWN, targetAlias: UNKNOWN });
    expect(failures).to.deep.equal([]);
    expect(inputs.svmName).to.equal(UNKNOWN);
  });

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["no SVM", {}, "svmName", /set svmName/],
    ["SVM name not a string", { svmName: 42 }, "svmName", /must be a string/],
    ["empty SVM name", { svmName: "" }, "svmName", /not a valid SVM name/],
    ["SVM name with a space", { svmName: "svm 1" }, "svmName", /not a valid SVM name/],
    ["SVM name with a wildcard", { svmName: "svm*" }, "svmName", /not a valid SVM name/],
    ["UUID without dashes", { svmUuid: UUID.replace(/-/g, "") }, "svmUuid", /not a UUID/],
    ["UUID too short", { svmUuid: "3f2b8c1e-5a4d" }, "svmUuid", /not a UUID/],
    ["UUID a number", { svmUuid: 7 }, "svmUuid", /must be a string/],
    ["enabled as a string", { svmName: "svm1", enabled: "true" }, "enabled", /must be a boolean/],
    ["enabled as a number", { svmName: "svm1", enabled: 1 }, "enabled", /must be a boolean/],
    [
      "alias of 129 characters",
      { svmName: "svm1", targetAlias: "a".repeat(129) },
      "targetAlias",
      /129 characters/,
    ],
    ["alias with a space", { svmName: "svm1", targetAlias: "my alias" }, "targetAlias", /whitespace/],
    ["alias with a tab", { svmName: "svm1", targetAlias: "my\talias" }, "targetAlias", /whitespace/],
    ["alias with a newline", { svmName: "svm1", targetAlias: "my\nalias" }, "targetAlias", /whitespace/],
    [
      "alias with a control character",
      { svmName: "svm1", targetAlias: "a\u0007b" },
      "targetAlias",
      /control character/,
    ],
    ["alias with non-ASCII", { svmName: "svm1", targetAlias: "zürich" }, "targetAlias", /non-ASCII/],
    ["alias not a string", { svmName: "svm1", targetAlias: false }, "targetAlias", /must be a string/],
    ["empty cluster profile name", { svmName: "svm1", cluster: "" }, "cluster", /ontap:clusters/],
    ["adopt as a string", { svmName: "svm1", adopt: "yes" }, "adopt", /must be a boolean/],
    ["an unknown input", { svmName: "svm1", targetName: "iqn.x" }, "targetName", /not an input/],
  ];
  for (const [what, raw, property, reason] of bad) {
    it(`rejects ${what}, naming ${property} and the fix`, () => {
      const { failures } = validateInputs(raw);
      expect(failures.map((f) => f.property)).to.include(property);
      expect(failures.find((f) => f.property === property)?.reason).to.match(reason);
    });
  }
});
