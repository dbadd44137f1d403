import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function isRepoRoot(dir: string): boolean {
  const manifest = join(dir, "package.json");
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "pulumi-ontap-iscsi";
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isRepoRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`no pulumi-ontap-iscsi package.json above ${from}`);
  }
}

/** The repository root, found from source (tools/…, test/…) or compiled (dist/…) code alike. */
export const repoRoot = findRoot(__dirname);
