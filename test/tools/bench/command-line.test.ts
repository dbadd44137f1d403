import { expect } from "chai";
import { parseCommandLine } from "../../../tools/bench/bench";

/** The options of a command line that is not `--help`. */
function options(argv: string[]) {
  const line = parseCommandLine(argv);
  if (line.help) throw new Error("expected options, got --help");
  return line.options;
}

describe("npm run bench: the command line (tools/bench/bench.ts)", () => {
  it("runs the full size with the CLI section by default", () => {
    expect(options([])).to.deep.equal({
      json: false,
      services: 1000,
      latencyMs: 20,
      sizes: [],
      cpuCycles: 100,
      cli: true,
      cliServices: 1000,
    });
  });

  it("--smoke is the CI size, without the CLI section unless --cli asks for it (then at 5 services)", () => {
    expect(options(["--smoke", "--json"])).to.deep.equal({
      json: true,
      services: 50,
      latencyMs: 2,
      sizes: [],
      cpuCycles: 20,
      cli: false,
      cliServices: 5,
    });
    expect(options(["--smoke", "--cli"])).to.include({ cli: true, cliServices: 5 });
    expect(options(["--smoke", "--services", "80", "--latency-ms", "0"])).to.include({
      services: 80,
      latencyMs: 0,
    });
  });

  it("takes values separate or inline; the last of --cli and --no-cli wins", () => {
    expect(
      options(["--services=200", "--cli-services", "7", "--sizes", "10, 100", "--cpu-cycles=3", "--no-cli"]),
    ).to.deep.equal({
      json: false,
      services: 200,
      latencyMs: 20,
      sizes: [10, 100],
      cpuCycles: 3,
      cli: false,
      cliServices: 7,
    });
    expect(options(["--no-cli", "--cli"]).cli).to.equal(true);
    expect(options(["--services", "30"]).cliServices).to.equal(30);
  });

  it("refuses what it does not know, naming the flag", () => {
    expect(() => parseCommandLine(["--services", "0"])).to.throw(/--services needs a whole number ≥ 1/);
    expect(() => parseCommandLine(["--latency-ms", "fast"])).to.throw(/--latency-ms needs a whole number/);
    expect(() => parseCommandLine(["--sizes", "10,x"])).to.throw(/--sizes/);
    expect(() => parseCommandLine(["--services"])).to.throw("--services needs a value");
    expect(() => parseCommandLine(["--json=yes"])).to.throw("--json takes no value");
    expect(() => parseCommandLine(["--colour"])).to.throw("unknown argument: --colour");
    expect(() => parseCommandLine(["1000"])).to.throw("unknown argument: 1000");
  });

  it("--help asks for the usage", () => {
    expect(parseCommandLine(["--help"])).to.deep.equal({ help: true });
    expect(parseCommandLine(["-h"])).to.deep.equal({ help: true });
  });
});
