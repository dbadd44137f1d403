import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import * as provider from "../../provider";
import { GATED_ROUTES } from "../../provider/iscsi/releases";
import * as sdk from "../../sdk";
import { repoRoot } from "../../tools/paths";

/**
 * The pages a user reads: README.md, docs/*.md and examples/*\/README.md; not
 * docs/architecture.md, whose transport errors (OntapLostResponseError, …) never reach a
 * program: they are rendered into an OntapDiagnosticError first.
 */
function userPages(): string[] {
  const docs = readdirSync(join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md") && name !== "architecture.md")
    .map((name) => `docs/${name}`);
  const examples = readdirSync(join(repoRoot, "examples"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `examples/${entry.name}/README.md`);
  return ["README.md", ...docs, ...examples];
}

/** Every error class a user page names in a code span: `ReleaseLacksError`. */
function documentedErrors(): Map<string, string> {
  const found = new Map<string, string>();
  for (const page of userPages()) {
    let text: string;
    try {
      text = readFileSync(join(repoRoot, page), "utf8");
    } catch {
      continue;
    }
    for (const [, name] of text.matchAll(/`([A-Z][A-Za-z]*Error)`/g))
      if (!found.has(name) && name !== "TypeError") found.set(name, page);
  }
  return found;
}

describe("the errors a program can meet", () => {
  const documented = documentedErrors();

  it("finds the documented ones", () => {
    expect([...documented.keys()]).to.include.members([
      "ProviderError",
      "ReleaseLacksError",
      "IscsiServiceNotFoundError",
      "PerformanceUnavailableError",
      "LostCreateError",
      "PendingCreateError",
    ]);
  });

  it("each documented error class is exported by an entry point (pulumi-ontap-iscsi or /provider) and extends ProviderError", () => {
    const entries: Record<string, Record<string, unknown>> = {
      "pulumi-ontap-iscsi": sdk as unknown as Record<string, unknown>,
      "pulumi-ontap-iscsi/provider": provider as unknown as Record<string, unknown>,
    };
    const problems: string[] = [];
    for (const [name, page] of documented) {
      const exported = Object.entries(entries).filter(([, module]) => typeof module[name] === "function");
      if (exported.length === 0) {
        problems.push(`${name} (${page}): exported by no entry point`);
        continue;
      }
      for (const [entry, module] of exported) {
        const cls = module[name] as { prototype: unknown };
        if (name !== "ProviderError" && !(cls.prototype instanceof provider.ProviderError))
          problems.push(`${name} from ${entry} does not extend ProviderError`);
      }
    }
    expect(problems).to.deep.equal([]);
    expect(sdk.ProviderError).to.equal(provider.ProviderError);
  });

  it("ReleaseLacksError reads as a sentence for each gated route, with and without the release", () => {
    for (const gated of GATED_ROUTES) {
      const known = new sdk.ReleaseLacksError("cluster1", gated, "9.6");
      const unknown = new sdk.ReleaseLacksError("cluster1", gated, undefined);
      expect(known).to.be.instanceOf(provider.ProviderError);
      expect(known).to.include({ name: "ReleaseLacksError", kind: "unsupported-release" });
      expect(known.message).to.match(/^Cluster cluster1 runs ONTAP 9\.6, which has no [a-z]/);
      expect(unknown.message).to.match(/^Cluster cluster1 has no [a-z]/);
      for (const message of [known.message, unknown.message]) {
        expect(message).to.not.match(/\bno an?\b/);
        expect(message).to.include(`needs ONTAP ${gated.since} or later`);
      }
    }
    const sample = GATED_ROUTES.find((g) => g.route === "service-metric-sample");
    expect(sample && new sdk.ReleaseLacksError("c1", sample, "9.12.1").message).to.match(
      /^Cluster c1 runs ONTAP 9\.12\.1, which has no way to read a single iSCSI service metrics sample \(GET \/api\/protocols\/san\/iscsi\/services\/\{svm\.uuid\}\/metrics\/\{timestamp\}\): that needs ONTAP 9\.14 or later\./,
    );
  });
});
