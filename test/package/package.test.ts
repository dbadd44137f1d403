import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { repoRoot } from "../../tools/paths";

const run = promisify(execFile);

const PACKAGE = "pulumi-ontap-iscsi";

/** The only files a published tarball may hold (paths as `npm pack --json` lists them). */
function allowedInTarball(file: string): boolean {
  if (["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(file)) return true;
  return /^dist\/(provider|sdk)\/.+\.(js|d\.ts)$/.test(file);
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** `npm <args>` with the npm that runs this test run (`npm test`), else the one on PATH. */
async function npm(args: string[], cwd: string): Promise<string> {
  const cli = process.env.npm_execpath;
  const [file, argv] = cli?.endsWith(".js") ? [process.execPath, [cli, ...args]] : ["npm", args];
  const { stdout } = await run(file, argv, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * A copy of the working tree without node_modules, dist and .git (the repo's node_modules
 * linked in for the compiler), so that `npm pack` — whose prepack wipes dist/ — builds and
 * packs there and leaves the dev build the other tests run from alone.
 */
function scratchCopy(into: string): string {
  const copy = join(into, "src");
  cpSync(repoRoot, copy, {
    recursive: true,
    filter: (source) => {
      const rel = relative(repoRoot, source);
      const top = rel.split(sep)[0];
      return (
        !["node_modules", "dist", ".git", ".tmp"].includes(top) && !rel.split(sep).includes("node_modules")
      );
    },
  });
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

/** What the probe says about one `require`. */
type Outcome = { ok: true; keys: string[]; type: string } | { ok: false; code?: string; message: string };

/**
 * Runs, in a new node process in `appDir`, each `require(specifier)` as an application
 * beside `node_modules/pulumi-ontap-iscsi` would, and reports what it got.
 */
async function probe(appDir: string, specifiers: string[]): Promise<Record<string, Outcome>> {
  const script = join(appDir, "probe.js");
  writeFileSync(
    script,
    `const out = {};
for (const s of ${JSON.stringify(specifiers)}) {
  try {
    const m = require(s);
    out[s] = { ok: true, type: typeof m, keys: Object.keys(m).sort().concat(Object.entries(m).filter(([, v]) => typeof v === "function").map(([k]) => "fn:" + k).sort()) };
  } catch (e) {
    out[s] = { ok: false, code: e.code, message: String(e.message).split("\\n")[0] };
  }
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const env = { ...process.env };
  delete env.NODE_PATH;
  const { stdout } = await run(process.execPath, [script], { cwd: appDir, env });
  return JSON.parse(stdout) as Record<string, Outcome>;
}

describe("the npm package", () => {
  let work: string;
  let dryRun: PackResult;
  let packed: PackResult;
  let appDir: string;

  before(async function () {
    this.timeout(90_000);
    work = mkdtempSync(join(tmpdir(), "ontap-iscsi-pack-"));
    const source = scratchCopy(work);
    [dryRun] = JSON.parse(await npm(["pack", "--dry-run", "--json"], source)) as PackResult[];
    const tarballs = join(work, "tarballs");
    mkdirSync(tarballs);
    [packed] = JSON.parse(
      await npm(["pack", "--json", "--pack-destination", tarballs], source),
    ) as PackResult[];

    // An application with the tarball unpacked as npm installs it, and the package's declared
    // dependencies (only those) linked from the repo's node_modules.
    appDir = join(work, "app");
    const installed = join(appDir, "node_modules", PACKAGE);
    mkdirSync(installed, { recursive: true });
    await run("tar", ["-xzf", join(tarballs, packed.filename), "-C", installed, "--strip-components=1"]);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies)) {
      const link = join(appDir, "node_modules", ...dep.split("/"));
      mkdirSync(join(link, ".."), { recursive: true });
      symlinkSync(join(repoRoot, "node_modules", ...dep.split("/")), link, "dir");
    }
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("npm pack --dry-run --json", () => {
    it("lists only dist/provider and dist/sdk code (.js, .d.ts), README.md, LICENSE and package.json", () => {
      const files = dryRun.files.map((f) => f.path);
      expect(files.filter((f) => !allowedInTarball(f))).to.deep.equal([]);
      expect(files).to.include.members([
        "package.json",
        "README.md",
        "LICENSE",
        "dist/provider/index.js",
        "dist/provider/index.d.ts",
        "dist/provider/host.js",
        "dist/provider/host.d.ts",
        "dist/sdk/index.js",
        "dist/sdk/index.d.ts",
      ]);
    });

    it("lists what the real tarball holds", () => {
      expect(packed.files.map((f) => f.path).sort()).to.deep.equal(dryRun.files.map((f) => f.path).sort());
    });

    it("holds every file the exports map points to", () => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        exports: Record<string, string | Record<string, string>>;
      };
      const files = new Set(dryRun.files.map((f) => f.path));
      const targets = Object.values(manifest.exports).flatMap((t) =>
        typeof t === "string" ? [t] : Object.values(t),
      );
      expect(targets.map((t) => t.replace(/^\.\//, "")).filter((t) => !files.has(t))).to.deep.equal([]);
    });
  });

  describe("exports", () => {
    it("are exactly the SDK, ./provider, ./host, ./dist/provider (old name of ./provider) and ./package.json", () => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        exports: Record<string, unknown>;
      };
      expect(Object.keys(manifest.exports)).to.deep.equal([
        ".",
        "./provider",
        "./host",
        "./dist/provider",
        "./package.json",
      ]);
      expect(manifest.exports["./dist/provider"]).to.deep.equal(manifest.exports["./provider"]);
    });

    it("resolve from the unpacked tarball as an application requires them; internal modules do not", async function () {
      this.timeout(30_000);
      const outcomes = await probe(appDir, [
        `${PACKAGE}/provider`,
        `${PACKAGE}/dist/provider`,
        `${PACKAGE}/host`,
        PACKAGE,
        `${PACKAGE}/package.json`,
        `${PACKAGE}/dist/provider/iscsi/api`,
        `${PACKAGE}/dist/provider/iscsi/api.js`,
        `${PACKAGE}/dist/sdk/index.js`,
      ]);
      const loaded = (specifier: string): string[] => {
        const o = outcomes[specifier];
        if (!o.ok) expect.fail(`require("${specifier}") threw ${o.code}: ${o.message}`);
        return o.keys;
      };

      expect(loaded(`${PACKAGE}/provider`)).to.include("fn:IscsiServiceProvider");
      expect(loaded(`${PACKAGE}/dist/provider`)).to.deep.equal(loaded(`${PACKAGE}/provider`));
      expect(loaded(`${PACKAGE}/host`)).to.include.members(
        ["configure", "check", "diff", "create", "read", "update", "delete"].map((m) => `fn:${m}`),
      );
      expect(loaded(PACKAGE)).to.include("fn:IscsiService");
      expect(loaded(`${PACKAGE}/package.json`)).to.include("version");
      for (const internal of [
        `${PACKAGE}/dist/provider/iscsi/api`,
        `${PACKAGE}/dist/provider/iscsi/api.js`,
        `${PACKAGE}/dist/sdk/index.js`,
      ]) {
        expect(outcomes[internal], internal).to.deep.include({
          ok: false,
          code: "ERR_PACKAGE_PATH_NOT_EXPORTED",
        });
      }
    });
  });
});

describe("package.json: what the npm page shows", () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    repository?: { type?: string; url?: string };
    homepage?: string;
    bugs?: { url?: string };
    keywords?: string[];
  };
  const repository = "https://github.com/netapp-community/pulumi-ontap-iscsi";

  it("names the repository, the homepage, where to report bugs, and keywords", () => {
    expect(manifest.repository).to.deep.equal({ type: "git", url: `git+${repository}.git` });
    expect(manifest.homepage).to.equal(`${repository}#readme`);
    expect(manifest.bugs).to.deep.equal({ url: `${repository}/issues` });
    expect(manifest.keywords).to.include.members(["pulumi", "netapp", "ontap", "iscsi"]);
  });

  it("the README the tarball carries links only to absolute URLs, under that repository's main branch", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "");
    expect(targets).to.not.be.empty;
    expect(targets.filter((t) => !/^https:\/\//.test(t))).to.deep.equal([]);
    expect(targets.filter((t) => !t.startsWith(`${repository}/`))).to.deep.equal([]);
  });
});
