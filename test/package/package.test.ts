import { execFile, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { repoRoot } from "../../tools/paths";

const run = promisify(execFile);

const PACKAGE = "pulumi-ontap-iscsi";

/** The only files a published tarball may hold (paths as `npm pack --json` lists them). */
function allowedInTarball(file: string): boolean {
  if (
    [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "schema.json",
      "bin/pulumi-resource-ontap",
    ].includes(file)
  )
    return true;
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

/**
 * The tsconfig.json of `pulumi new typescript` (github.com/pulumi/templates, typescript/):
 * today's (module and moduleResolution nodenext, since March 2026) and the one programs
 * made from 2019 to 2024 still have (CommonJS, node10 resolution, no esModuleInterop).
 * Neither sets skipLibCheck, so the package's declaration files are checked too.
 */
const TEMPLATES: Record<string, Record<string, unknown>> = {
  "today's template (module nodenext)": {
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
  },
  "the older template (module commonjs, moduleResolution node, no esModuleInterop)": {
    target: "es2016",
    module: "commonjs",
    moduleResolution: "node",
  },
};

/** A program using every entry point's types, as a user's index.ts would. */
const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { IscsiService } from "${PACKAGE}";
import * as legacy from "${PACKAGE}/dist/provider";
import * as host from "${PACKAGE}/host";
import { IscsiServiceProvider } from "${PACKAGE}/provider";

const service = new IscsiService("svm1-iscsi", { svmName: "svm1", targetAlias: "db-target" });
export const iqn: pulumi.Output<string> = service.targetName;
export const provider: IscsiServiceProvider = new legacy.IscsiServiceProvider();
export const create: typeof host.create = host.create;
`;

/**
 * Compiles CONSUMER in a new directory under `appDir` (so that it resolves the unpacked
 * tarball) with the template's compiler options; answers tsc's diagnostics.
 */
async function compileConsumer(
  appDir: string,
  name: string,
  options: Record<string, unknown>,
): Promise<string> {
  const dir = join(appDir, name.replace(/\W+/g, "-"));
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", main: "index.ts" }));
  writeFileSync(join(dir, "index.ts"), CONSUMER);
  const compilerOptions = {
    strict: true,
    outDir: "bin",
    sourceMap: true,
    experimentalDecorators: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    ...options,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "-p", dir, "--noEmit", "--pretty", "false"], { cwd: dir });
    return "";
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err).trim();
  }
}

/** Every .js file under `dir`, as paths relative to it. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
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
    // @types/node as a program has it (a devDependency of the template) for the compile tests.
    for (const dep of [...Object.keys(manifest.dependencies), "@types/node"]) {
      const link = join(appDir, "node_modules", ...dep.split("/"));
      mkdirSync(join(link, ".."), { recursive: true });
      symlinkSync(join(repoRoot, "node_modules", ...dep.split("/")), link, "dir");
    }
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("npm pack --dry-run --json", () => {
    it("lists only dist/provider and dist/sdk code (.js, .d.ts), the plugin's executable and schema, README.md, LICENSE and package.json", () => {
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
        "dist/provider/plugin/main.js",
        "bin/pulumi-resource-ontap",
        "schema.json",
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

  describe("the provider plugin", () => {
    it("starts from the unpacked tarball as the engine starts it, printing its port (the handshake)", async function () {
      this.timeout(30_000);
      const bin = join(appDir, "node_modules", PACKAGE, "bin", "pulumi-resource-ontap");
      const child = spawn(bin, ["127.0.0.1:1"], { cwd: appDir, stdio: ["ignore", "pipe", "pipe"] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("\n")) resolve(out.split("\n")[0]);
          });
          child.on("exit", (code) => reject(new Error(`exited ${code} before printing a port`)));
        });
        expect(line).to.match(/^\d+$/);
      } finally {
        child.kill();
      }
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
  describe("a Pulumi program's tsc (no skipLibCheck) on the package's types", () => {
    for (const [name, options] of Object.entries(TEMPLATES)) {
      it(`compiles a program importing the SDK, /provider, /host and /dist/provider, with ${name}`, async function () {
        this.timeout(120_000);
        expect(await compileConsumer(appDir, name, options)).to.equal("");
      });
    }
  });

  describe("Node versions", () => {
    it("loads node-fetch (ESM only) with import(), which TypeScript left as written: never with require", () => {
      const dist = join(appDir, "node_modules", PACKAGE, "dist");
      const requiring = jsFiles(dist).filter((f) =>
        /require\(["']node-fetch["']\)/.test(readFileSync(join(dist, f), "utf8")),
      );
      expect(requiring).to.deep.equal([]);
      expect(readFileSync(join(dist, "provider", "ontap", "fetch.js"), "utf8")).to.match(
        /\bimport\("node-fetch"\)/,
      );
    });

    it("the README and the installation page state the engines range of package.json", () => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        engines: { node: string };
      };
      for (const page of ["README.md", join("docs", "installation-and-configuration.md")]) {
        expect(readFileSync(join(repoRoot, page), "utf8"), page).to.include(`\`${manifest.engines.node}\``);
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
