import { execFile } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { repoRoot } from "../../tools/paths";

/**
 * `npm run demo` without its build step: the compiled script, as a user runs it, on the
 * host harness (ONTAP_ISCSI_DEMO_ENGINE=harness: what a machine without a built Pulumi CLI
 * runs). The same story through the real CLI is test/cli/demo.test.ts.
 */
describe("npm run demo (the host harness)", function () {
  this.timeout(120_000);

  it("tells a stack's life from preview to destroy through the real host, and exits 0", async () => {
    const script = path.join(repoRoot, "dist", "tools", "demo", "demo.js");
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, ONTAP_ISCSI_DEMO_ENGINE: "harness" };
      execFile(
        process.execPath,
        [script],
        { cwd: repoRoot, env, timeout: 110_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
        },
      );
    });

    expect(result.stderr).to.equal("");
    expect(result.code).to.equal(0);
    const out = result.stdout;
    const chapters = [
      "1. $ pulumi preview",
      "2. $ pulumi up",
      "3. Meanwhile, another administrator changes the service by hand",
      "4. $ pulumi refresh",
      "5. $ pulumi config set targetAlias db-target && pulumi up",
      "6. A pull request sets enabled: false; CI runs pulumi preview --diff",
      "7. The stack sets protectActiveSessions: true; the same pull request's preview",
      "8. $ pulumi config set svmName svm2 && pulumi up",
      "9. $ pulumi destroy",
    ];
    const at = chapters.map((c) => out.indexOf(`\n${c}\n`));
    expect(at.every((i) => i > 0)).to.equal(true, `chapters missing:\n${out}`);
    expect(at).to.deep.equal([...at].sort((a, b) => a - b));
    const [preview, up, , refresh, update, pullRequest, guarded, replace, destroy] = chapters.map((_, i) =>
      out.slice(at[i], at[i + 1] ?? undefined),
    );

    expect(preview).to.include("Resources: + 1 to create.");
    expect(preview).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(up).to.include(
      'ONTAP  POST /api/protocols/san/iscsi/services?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201',
    );
    expect(up).to.include("Resources: + 1 created.");
    expect(refresh).to.include("~ enabled: true => false");
    expect(refresh).to.include('~ targetAlias: "svm1" => "legacy"');
    expect(update.match(/ONTAP {2}PATCH /g)).to.have.length(2);
    expect(pullRequest)
      .to.include('Disabling the iSCSI service on SVM "svm1"')
      .and.include(
        "ends 3 active iSCSI sessions of 2 hosts: svm1-host01 (iqn.1994-05.com.redhat:svm1-host01), svm1-host02",
      );
    expect(pullRequest).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(guarded).to.include("Refused: protectActiveSessions is true").and.include("invalid");
    expect(guarded).to.not.match(/ONTAP {2}(POST|PATCH|DELETE)/);
    expect(update).to.include("Resources: ~ 1 updated.");
    expect(replace).to.include("iscsi  replaced [diff: ~svmName] delete-before-replace");
    expect(replace.match(/ONTAP {2}(PATCH|DELETE|POST) /g)).to.deep.equal([
      "ONTAP  PATCH ",
      "ONTAP  DELETE ",
      "ONTAP  POST ",
    ]);
    expect(destroy).to.include("Resources: - 1 deleted.");
    expect(destroy).to.include("The stack is empty, and so is the cluster");
    expect(out).to.match(/Done in \d+\.\ds\.\n$/);
  });
});
