/**
 * Compile-time checks of the SDK's types: `npm run build` compiles this file, and each
 * `@ts-expect-error` fails the build (TS2578) when the line below it type-checks.
 */
import { expect } from "chai";
import { IscsiService, type IscsiServiceArgs } from "../../sdk";

/** Never called: it only has to compile. */
function programs(): IscsiService[] {
  return [
    new IscsiService("by-name", { svmName: "svm1" }),
    new IscsiService("by-uuid", { svmUuid: "0d5fbf2c-5e5a-11ee-9b7b-005056bb4f5e" }),
    new IscsiService("both", { svmName: "svm1", svmUuid: "0d5fbf2c-5e5a-11ee-9b7b-005056bb4f5e" }),
    // @ts-expect-error an SVM name or UUID is required
    new IscsiService("x", {}),
    // @ts-expect-error an SVM name or UUID is required, whatever else is given
    new IscsiService("x", { enabled: true, targetAlias: "db", adopt: true }),
    // @ts-expect-error `svmName` of type `string | undefined` may name no SVM
    new IscsiService("x", { svmName: process.env.SVM_NAME }),
  ];
}

const byName: IscsiServiceArgs = { svmName: "svm1", protectActiveSessions: true };
// @ts-expect-error the type of the arguments requires an SVM too
const empty: IscsiServiceArgs = { cluster: "east" };

describe("IscsiService arguments (checked by the compiler)", () => {
  it('require svmName or svmUuid: `new IscsiService("x", {})` does not compile', () => {
    // The assertions are the @ts-expect-error lines above; this only keeps them referenced.
    expect(typeof programs).to.equal("function");
    expect(byName.svmName).to.equal("svm1");
    expect(empty).to.deep.equal({ cluster: "east" });
  });
});
