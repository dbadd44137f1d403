import { execFile } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { CHAPTERS } from "../../tools/demo/story";
import { repoRoot } from "../../tools/paths";
import { pulumiCli } from "./support";

/** `npm run demo` without its build step, on a machine where the Pulumi CLI is built: the story through `pulumi`. */
describe("CLI: npm run demo through the real Pulumi CLI", function () {
  this.timeout(300_000);

  it("runs every chapter with the real pulumi commands, says which CLI it used, and exits 0", async () => {
    const cli = pulumiCli();
    const script = path.join(repoRoot, "dist", "tools", "demo", "demo.js");
    const env = { ...process.env, ONTAP_ISCSI_DEMO_ENGINE: "cli", ONTAP_ISCSI_PULUMI_BIN: cli.binDir };
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [script],
        { cwd: repoRoot, env, timeout: 290_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
        },
      );
    });

    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    const out = result.stdout;
    expect(out.split("\n")[0]).to.equal(
      `pulumi-ontap-iscsi demo: the life of a stack, through the Pulumi CLI ${cli.version} (ONTAP_ISCSI_PULUMI_BIN: ${cli.binDir})`,
    );
    const titles = Object.values(CHAPTERS).map((c, i) => `${i + 1}. ${c.title}`);
    const at = titles.map((t) => out.indexOf(`\n${t}\n`));
    expect(at.every((i) => i > 0)).to.equal(true, `chapters missing:\n${out}`);
    expect(at).to.deep.equal([...at].sort((a, b) => a - b));
    const [preview, up, , refresh, update, pullRequest, guarded, replace, destroy] = titles.map((_, i) =>
      out.slice(at[i], at[i + 1] ?? undefined),
    );

    expect(preview).to.include("$ pulumi preview").and.include("+ 2 to create");
    expect(preview).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(up)
      .to.include("+ 2 created")
      .and.include(
        'ONTAP  POST /api/protocols/san/iscsi/services?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201',
      );
    expect(refresh).to.include("iscsi updated").and.include("[diff: +targetAlias~enabled]");
    expect(update.match(/ONTAP {2}PATCH /g)).to.have.length(2);
    expect(pullRequest)
      .to.include("~ enabled    : true => false")
      .and.include('warning: [runtime] Disabling the iSCSI service on SVM "svm1"');
    expect(pullRequest).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(guarded).to.include("Refused: protectActiveSessions is true");
    expect(guarded).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(replace).to.include("+-1 replaced");
    expect(replace.match(/ONTAP {2}(PATCH|DELETE|POST) /g)).to.deep.equal([
      "ONTAP  PATCH ",
      "ONTAP  DELETE ",
      "ONTAP  POST ",
    ]);
    expect(destroy).to.include("- 2 deleted").and.include("The stack is empty, and so is the cluster");
    expect(out).to.match(/Done in \d+\.\ds\.\n$/);
  });
});
