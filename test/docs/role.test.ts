import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { directProvider, startHttpsSimulator } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import type { Simulator } from "../../tools/simulator/types";

const PASSWORD = "Role-4kQ!pw-70fa";

/** The REST role paths of the least-privilege table in docs/releases.md. */
function rolePaths(): string[] {
  const page = readFileSync(join(repoRoot, "docs", "releases.md"), "utf8");
  const section = page.split("## A least-privilege role")[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^\| `(\/api\/[^`]+)` \| `(?:all|readonly)` \|/gm)].map((m) => m[1] ?? "");
}

/** Whether an ONTAP REST role on `rolePath` covers a request to `path` (the path or below it). */
const covers = (rolePath: string, path: string) => path === rolePath || path.startsWith(`${rolePath}/`);

describe("docs/releases.md: the least-privilege role covers every path the provider asks for", function () {
  this.timeout(60_000);
  let sim: Simulator;
  after(() => sim?.stop());

  it("a stack's life (preflight, create, refresh, guarded disable, delete, a pending job) stays inside the role", async () => {
    sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], sessions: { svm2: 1 }, password: PASSWORD });
    const config = {
      "ontap:host": sim.host,
      "ontap:username": "admin",
      "ontap:password": PASSWORD,
      "ontap:caCert": sim.caCert ?? "",
      "ontap:jobTimeoutMs": "500",
    };
    let provider = await directProvider(config);
    const checked = await provider.check({}, { svmName: "svm1", targetAlias: "db" });
    expect(checked.failures).to.deep.equal([]);
    const created = await provider.create(checked.inputs);
    const outs = created.outs;
    if (!outs) throw new Error("create answered no outputs");
    await provider.read(created.id, outs);
    const disabled = { ...checked.inputs, enabled: false, protectActiveSessions: true };
    await provider.check(checked.inputs, disabled);
    const updated = await provider.update(created.id, outs, disabled);
    if (!updated.outs) throw new Error("update answered no outputs");
    await provider.delete(created.id, updated.outs);
    // A create whose job outlasts the wait, then the next run reading the job.
    sim.setAsyncJobs(true, 0, { held: true });
    const pending = await provider
      .create({ svmName: "svm2", enabled: true, adopt: false })
      .catch((e: { properties?: unknown }) => e);
    sim.finishJobs();
    provider = await directProvider(config);
    await provider.read("", (pending as { properties: never }).properties);

    const roles = rolePaths();
    expect(roles).to.include.members([
      "/api/protocols/san/iscsi/services",
      "/api/protocols/san/iscsi/sessions",
    ]);
    const asked = [...new Set(sim.requests.map((r) => r.path))];
    expect(
      asked.some((p) => p.startsWith("/api/cluster/jobs/")),
      "the pending job was read",
    ).to.equal(true);
    expect(asked.filter((path) => !roles.some((role) => covers(role, path)))).to.deep.equal([]);
  });
});
