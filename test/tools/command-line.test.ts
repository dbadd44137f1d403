import { expect } from "chai";
import { parseFlags, readCommandLine, wholeNumber } from "../../tools/command-line";

const FLAGS = {
  seed: { type: "string" },
  json: { type: "boolean" },
  cli: { type: "boolean" },
} as const;

describe("the tools' command lines (tools/command-line.ts)", () => {
  it("parses with node:util's parseArgs, strict, worded as the tools word it", () => {
    expect(parseFlags(["--seed", "4", "--json"], FLAGS).values).to.deep.include({ seed: "4", json: true });
    expect(() => parseFlags(["--colour"], FLAGS)).to.throw("unknown argument: --colour");
    expect(() => parseFlags(["--seed"], FLAGS)).to.throw("--seed needs a value");
    expect(() => parseFlags(["--json=1"], FLAGS)).to.throw("--json takes no value");
    expect(() => parseFlags(["extra"], FLAGS)).to.throw("unknown argument: extra");
    expect(parseFlags(["extra"], FLAGS, { positionals: true }).positionals).to.deep.equal(["extra"]);
  });

  it("takes a value starting with - and a digit as the value of the string flag before it", () => {
    expect(parseFlags(["--seed", "-5"], FLAGS).values.seed).to.equal("-5");
    expect(parseFlags(["--seed", "-08:00"], FLAGS).values.seed).to.equal("-08:00");
  });

  it("accepts --no-<flag> only when asked to, the last one winning", () => {
    expect(() => parseFlags(["--no-cli"], FLAGS)).to.throw("unknown argument: --no-cli");
    expect(parseFlags(["--cli", "--no-cli"], FLAGS, { negative: true }).values.cli).to.equal(false);
  });

  it("checks whole numbers, naming the flag", () => {
    expect(wholeNumber("--n", "42")).to.equal(42);
    expect(wholeNumber("--n", "-3")).to.equal(-3);
    expect(() => wholeNumber("--n", "4.5")).to.throw('--n needs a whole number, got "4.5"');
    expect(() => wholeNumber("--n", "0", 1)).to.throw('--n needs a whole number ≥ 1, got "0"');
  });

  it("answers --help with the usage on stdout and exit 0, a refused line with it on stderr and exit 2", () => {
    const written: string[] = [];
    const original = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = ((chunk: string) =>
      written.push(`out:${chunk}`) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) =>
      written.push(`err:${chunk}`) > 0) as typeof process.stderr.write;
    try {
      const parse = (argv: string[]) => {
        if (argv.includes("--help")) return { help: true } as const;
        if (argv.length > 0) throw new Error("unknown argument: x");
        return { help: false, options: "ran" } as const;
      };
      expect(readCommandLine([], parse, "usage: t")).to.deep.equal({ options: "ran" });
      expect(readCommandLine(["--help"], parse, "usage: t")).to.deep.equal({ exitCode: 0 });
      expect(readCommandLine(["x"], parse, "usage: t")).to.deep.equal({ exitCode: 2 });
    } finally {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    }
    expect(written).to.deep.equal(["out:usage: t\n", "err:unknown argument: x\n\nusage: t\n"]);
  });
});
