import { expect } from "chai";
import { CLI_OPERATIONS, type CliBench, measureCli, PLUGIN_OPERATIONS } from "../../tools/bench/cli";
import { pulumiCli } from "./support";

describe("npm run bench: the CLI section (tools/bench/cli.ts), at 2 services", function () {
  // About twenty `pulumi` commands of a few seconds each.
  this.timeout(600_000);
  let result: CliBench;

  before(async () => {
    pulumiCli(); // found, or built: the CLI suite always has one
    result = await measureCli({
      services: 2,
      latencyMs: 0,
      checkpointServices: 1,
      build: false,
      pluginStarts: 3,
    });
  });

  it("times each command of both stacks, and their ratio", () => {
    for (const operation of CLI_OPERATIONS) {
      expect(result.floor[operation], `floor ${operation}`).to.be.a("number").and.greaterThan(0);
      expect(result.provider[operation], `provider ${operation}`).to.be.a("number").and.greaterThan(0);
      expect(result.ratio[operation]).to.be.closeTo(
        result.provider[operation] / result.floor[operation],
        0.005,
      );
    }
    expect(result.services).to.equal(2);
    expect(result.parallel).to.be.a("number").and.greaterThan(0);
    expect(result.pulumi).to.match(/^pulumi v\d+\.\d+\.\d+ \(/);
  });

  it("measures the checkpoint at both sizes from the backend's file, and the bytes one more service adds", () => {
    expect(result.checkpoint.map((c) => c.services)).to.deep.equal([1, 2]);
    const [one, two] = result.checkpoint;
    expect(result.checkpointGrowthBytesPerResource).to.equal(two.fileBytes - one.fileBytes);
    // One more service is one more entry in the file, a comma, and timestamps a digit longer or shorter.
    expect(result.checkpointGrowthBytesPerResource).to.be.closeTo(two.entry.bytes + 1, 20);
    expect(two.entry.provider).to.be.greaterThan(0).and.lessThan(two.entry.bytes);
    expect(two.entry.stackTrace).to.be.greaterThan(0).and.lessThan(two.entry.bytes);
    expect(result.checkpointBytesPerResource).to.equal(Math.round(two.fileBytes / 2));
    for (const c of result.checkpoint) expect(c.exportBytes).to.be.greaterThan(0);
  });

  it("runs the plugin's up and refresh beside the dynamic provider's, and measures its export and start", () => {
    const plugin = result.plugin;
    if (!plugin) throw new Error("no plugin face measured");
    for (const operation of PLUGIN_OPERATIONS) {
      expect(plugin.wall[operation], `plugin ${operation}`).to.be.a("number").and.greaterThan(0);
      expect(plugin.ratio[operation]).to.be.closeTo(
        plugin.wall[operation] / result.provider[operation],
        0.005,
      );
    }
    expect(plugin.checkpoint.services).to.equal(2);
    expect(plugin.checkpoint.entry.provider).to.equal(0);
    expect(plugin.checkpoint.entry.stackTrace)
      .to.be.greaterThan(0)
      .and.lessThan(plugin.checkpoint.entry.bytes);
    expect(plugin.exportBytesPerResource).to.equal(Math.round(plugin.checkpoint.exportBytes / 2));
    const dynamic = result.checkpoint[result.checkpoint.length - 1];
    expect(plugin.dynamicExportBytesPerResource).to.equal(Math.round(dynamic.exportBytes / 2));
    // Without __provider, a plugin service's entry is the smaller, in the file and in the export.
    expect(plugin.checkpoint.entry.bytes).to.be.lessThan(dynamic.entry.bytes);
    expect(plugin.checkpoint.entry.exported).to.be.a("number").and.greaterThan(plugin.checkpoint.entry.bytes);
    expect(plugin.startSamplesMs).to.have.length(3);
    expect(plugin.startMs).to.equal([...plugin.startSamplesMs].sort((a, b) => a - b)[1]);
  });
});
