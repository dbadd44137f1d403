import { expect } from "chai";

describe("toolchain", () => {
  it("runs compiled TypeScript tests under mocha with chai", () => {
    expect([1, 2, 3].map((n) => n * 2)).to.deep.equal([2, 4, 6]);
  });
});
