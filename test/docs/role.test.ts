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

/** The read-only role's commands in docs/releases.md: each path, and its access. */
function previewRole(): Array<{ path: string; access: string }> {
  const page = readFileSync(join(repoRoot, "docs", "releases.md"), "utf8");
  const section = page.split("### A read-only role for previews")[1]?.split("\n## ")[0] ?? "";
  return [
    ...section.matchAll(
      /^security login rest-role create .*-role pulumi-iscsi-preview -api (\S+) -access (\S+)$/gm,
    ),
  ].map((m) => ({ path: m[1] ?? "", access: m[2] ?? "" }));
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

  it("the read-only role for previews has every path of the table, readonly, and a preview (preflight, sessions, refresh, a pending job) only GETs inside it", async () => {
    const role = previewRole();
    expect(role.map((r) => r.path)).to.deep.equal(rolePaths());
    expect(role.filter((r) => r.access !== "readonly")).to.deep.equal([]);

    const preview = await startHttpsSimulator({
      svms: ["svm1", "svm2", "svm3"],
      sessions: { svm1: 2 },
      password: PASSWORD,
    });
    try {
      const config = {
        "ontap:host": preview.host,
        "ontap:username": "admin",
        "ontap:password": PASSWORD,
        "ontap:caCert": preview.caCert ?? "",
        "ontap:jobTimeoutMs": "500",
      };
      // What the writing account did before: a service on svm1, and a create on svm3 whose job is still running.
      const writer = await directProvider(config);
      const created = await writer.create({ svmName: "svm1", enabled: true, adopt: false });
      preview.setAsyncJobs(true, 0, { held: true });
      const pending = await writer
        .create({ svmName: "svm3", enabled: true, adopt: false })
        .catch((e: { properties?: unknown }) => e);
      preview.clearRequests();

      // The preview's run: a new service's preflight, a disable's sessions lookup, the refresh, the pending job.
      const reader = await directProvider(config);
      expect((await reader.check({}, { svmName: "svm2" })).failures).to.deep.equal([]);
      const outs: Record<string, unknown> = { ...created.outs };
      expect((await reader.check(outs, { svmName: "svm1", enabled: false })).failures).to.deep.equal([]);
      await reader.read(created.id, created.outs as never);
      await reader.read("", (pending as { properties: never }).properties);
      preview.finishJobs();

      const asked = preview.requests.map((r) => `${r.method} ${r.path}`);
      expect(
        asked.some((r) => r.includes("/api/protocols/san/iscsi/sessions")),
        "the sessions were read",
      ).to.equal(true);
      expect(
        asked.some((r) => r.includes("/api/cluster/jobs/")),
        "the pending job was read",
      ).to.equal(true);
      expect(asked.filter((r) => !r.startsWith("GET "))).to.deep.equal([]);
      const paths = role.map((r) => r.path);
      expect(
        preview.requests.map((r) => r.path).filter((path) => !paths.some((p) => covers(p, path))),
      ).to.deep.equal([]);
    } finally {
      await preview.stop();
    }
  });
});
