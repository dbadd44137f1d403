import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ensurePackageLink } from "../../tools/engine/capture";
import { repoRoot } from "../../tools/paths";

/** The pages whose ```ts blocks are whole programs a user may paste, each compiled as one. */
const PAGES = ["README.md", "docs/data-sources.md", "docs/iscsi-service.md"];

/** The ```ts blocks of a page, with the line of each opening fence. */
function tsBlocks(page: string): Array<{ line: number; code: string }> {
  const lines = fs.readFileSync(path.join(repoRoot, page), "utf8").split("\n");
  const blocks: Array<{ line: number; code: string }> = [];
  let open: { line: number; code: string[] } | undefined;
  lines.forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ line: open.line, code: open.code.join("\n") });
        open = undefined;
      } else open.code.push(text);
    } else if (/^```ts\s*$/.test(text)) open = { line: i + 1, code: [] };
  });
  return blocks;
}

/**
 * Every TypeScript snippet of the docs compiles against the built package as a program of its
 * own, with the examples' compiler options (examples/tsconfig.json), so that none of them
 * misnames a function, an argument or an import.
 */
describe("docs: TypeScript snippets", () => {
  it("compile against the built package, each as a program of its own", async function () {
    this.timeout(120_000);
    const dir = path.join(repoRoot, ".tmp", "doc-snippets");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    ensurePackageLink(dir, "pulumi-ontap-iscsi", repoRoot);
    const files: string[] = [];
    for (const page of PAGES)
      for (const { line, code } of tsBlocks(page)) {
        const file = `${page.replace(/[/.]/g, "_")}_${line}.ts`;
        fs.writeFileSync(path.join(dir, file), `${code}\n`);
        files.push(file);
      }
    expect(files.filter((f) => f.startsWith("docs_data-sources"))).to.have.length.of.at.least(2);
    const { compilerOptions } = JSON.parse(
      fs.readFileSync(path.join(repoRoot, "examples", "tsconfig.json"), "utf8"),
    ) as { compilerOptions: Record<string, unknown> };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", dir], { cwd: dir }).catch(
      (err: { stdout?: string; stderr?: string }) => err,
    );
    expect(`${result.stdout ?? ""}${result.stderr ?? ""}`).to.equal("");
  });
});
