import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import { CliStack } from "../../tools/pulumi-cli/cli";
import { parseArgs as simulatorOptions } from "../../tools/simulator/cli";
import type { Simulator, SimulatorOptions, SvmSeed } from "../../tools/simulator/types";
import {
  blockPulumiCommands,
  docFiles,
  inlineCommands,
  isPulumiCommand,
  pulumiMentions,
  type ShellBlock,
  shellBlocks,
  simpleCommands,
  withoutComment,
} from "./docs-markdown";
import { runScript, type ScriptResult, transcript } from "./docs-shell";
import { pulumiCli } from "./support";

/** Distinctive, so that finding it in a file is a leak and not a coincidence. */
const PASSWORD = "Cli-Docs-5mW!pw-61tb";
/** What `npm run simulator` answers to without --password (tools/simulator), as docs/simulator.md uses it. */
const SIMULATOR_DEFAULT_PASSWORD = "netapp123";
/** The address docs/simulator.md starts its first `npm run simulator` on. */
const SIMULATOR_DOC_HOST = "127.0.0.1:18443";
/** `npm run simulator -- <flags>` as the docs start it, in the background. */
const SIMULATOR_COMMAND = /^npm run simulator -- (.*)$/;
const CA_FILE = path.join(repoRoot, "tools", "simulator", "certs", "ca.pem");

/**
 * Commands of the docs' shell blocks that do not run here, each with the reason; the test of
 * a block fails on any other command that is not `pulumi`, so a new one is never skipped silently.
 */
const NOT_RUN: Record<string, string> = {
  "npm install":
    "installs from the npm registry, which this machine does not reach; the program's copy resolves the repository's node_modules, with node_modules/pulumi-ontap-iscsi linked to the repository, which is what the install gives",
  "npm install pulumi-ontap-iscsi":
    "installs the plugin from the npm registry into the project's folder; the program's copy has node_modules/pulumi-ontap-iscsi linked to the repository (whose bin/ holds pulumi-resource-ontap), which is what the install gives",
  "npm ci":
    "would reinstall the repository's node_modules, which other runs share; the suite runs on the installed tree",
  "npm run build": "the suite runs from the build (dist/) it was started from",
  "pulumi login --local":
    "logs in to file://~, which pulumi resolves from the account's home directory (user.Current, not $HOME): it would write state into the machine's ~/.pulumi; the block runs on the suite's own file backend (PULUMI_BACKEND_URL) instead, which is what the login selects",
};

/** Why `npm run simulator -- <flags>` does not run as a command (see {@link simulatorsOf}). */
const SIMULATOR_NOT_RUN =
  "the same simulator runs in-process, with the options the CLI parses from the same flags (tools/simulator/cli.ts parseArgs) and its defaults (svm1, svm2, admin/netapp123, the CA tools/simulator/certs/ca.pem), on a free port, which replaces 127.0.0.1:<port> in the block";

/** `cd examples/<name>`: the block runs in a copy of that example (see {@link programOf}). */
const CD_EXAMPLE = /^cd examples\/[\w-]+$/;

/** The reason a command of a block is not run, if it is not. */
function notRun(command: string): string | undefined {
  if (CD_EXAMPLE.test(command)) return "the block runs in a copy of that example";
  return NOT_RUN[command] ?? (SIMULATOR_COMMAND.test(command) ? SIMULATOR_NOT_RUN : undefined);
}

/**
 * `pulumi preview   # fails, naming …: \`vserver start -vserver svm2\`, \`system license add\``:
 * a command the docs say fails, and the texts its output must hold.
 */
function expectedFailure(line: string): string[] | undefined {
  const comment = line.slice(withoutComment(line).length);
  if (!/^\s*#\s*fails\b/.test(comment)) return undefined;
  return [...comment.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/**
 * Inline mentions that cannot run as written anywhere: the test checks that the CLI knows
 * their command and flags (`pulumi <command> --help`), as for every other inline mention.
 */
const INLINE_NOT_RUN: Record<string, string> = {
  "pulumi login":
    "logs in to Pulumi Cloud (or to the user's own backend): no network here; the suites use a file backend",
  "pulumi import":
    "needs a service made by hand and the plugin on PATH: test/cli/plugin-faces.test.ts runs it (the dynamic provider cannot import, pulumi/pulumi#16175)",
};

/** Placeholders of the docs that stand for a user's own values, and what this suite puts there. */
interface Placeholders {
  /** Host names of the docs (`cluster1.example.com`, `127.0.0.1:18443`) → a simulator each. */
  sims: Map<string, Simulator>;
  /** Absolute CA paths of the docs (`/etc/ontap/…`) → a copy of the simulators' CA in the scratch folder. */
  caPaths: Map<string, string>;
}

const HOST = /\b(?:[a-z0-9-]+\.)+example\.com\b|127\.0\.0\.1:\d{4,5}\b/g;
const ABSOLUTE_CA = /\/etc\/ontap\/[\w.-]+\.pem/g;
const RELATIVE_REPO_CA = /(?:\.\.\/)+tools\/simulator\/certs\/ca\.pem/g;
const BARE_PEM = /\$\(cat ([\w.-]+\.pem)\)/g;

/** SVMs a block's cluster starts with; the docs' example output assumes these. */
const SEEDS: Record<string, Array<string | SvmSeed>> = {
  // "takes over the service each SVM already has"
  "examples/adopt-existing/README.md": [
    { name: "svm1", service: { enabled: true, alias: "made-by-hand-1" } },
    { name: "svm2", service: { enabled: false, alias: "made-by-hand-2" } },
  ],
  // the README's sample output: svm1 enabled, svm2 disabled
  "examples/inventory/README.md": [
    { name: "svm1", service: { enabled: true } },
    { name: "svm2", service: { enabled: false } },
  ],
};

/**
 * The program a block configures: its example's, the one it (or an earlier block of its page,
 * which a reader has run first) `cd`s into, else the README's example.
 */
function programOf(block: ShellBlock, readmeProgram: string): string {
  const example = /^examples\/([\w-]+)\/README\.md$/.exec(block.file);
  if (example) return path.join(repoRoot, "examples", example[1]);
  const sofar = shellBlocks(block.file).filter((b) => b.line <= block.line);
  const cd = sofar
    .flatMap((b) => b.lines)
    .map(({ text }) => /(?:^|&&\s*)cd (examples\/[\w-]+)/.exec(text))
    .filter(Boolean)
    .at(-1);
  if (cd) return path.join(repoRoot, cd[1]);
  return readmeProgram;
}

/**
 * The options of the simulator a block starts on `127.0.0.1:<port>` (`npm run simulator --
 * --port <port> …`), as its command line gives them; undefined for any other host.
 */
function simulatorsOf(block: ShellBlock): Map<string, SimulatorOptions> {
  const found = new Map<string, SimulatorOptions>();
  for (const { text } of block.lines) {
    for (const command of simpleCommands(text)) {
      const flags = SIMULATOR_COMMAND.exec(command)?.[1];
      if (flags === undefined) continue;
      const { port, ...options } = simulatorOptions(words(flags));
      if (port === undefined)
        throw new Error(`${block.file}: \`${command}\` names no --port the block can use`);
      found.set(`127.0.0.1:${port}`, options);
    }
  }
  return found;
}

/** A `pulumi config set` as the CLI received it. */
interface ConfigSet {
  key: string;
  value: string;
  secret: boolean;
  path: boolean;
}

function configSetOf(argv: string[]): ConfigSet | undefined {
  if (argv[0] !== "config" || argv[1] !== "set") return undefined;
  const positional: string[] = [];
  let secret = false;
  let isPath = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === "--secret") secret = true;
    else if (a === "--path") isPath = true;
    else if (a === "--plaintext") secret = false;
    else if (a === "--stack" || a === "-s") i++;
    else if (a.startsWith("-"))
      throw new Error(`config set: no reading for the flag ${a} in ${argv.join(" ")}`);
    else positional.push(a);
  }
  if (positional.length !== 2)
    throw new Error(`config set: expected a key and a value in ${JSON.stringify(argv)}`);
  return { key: positional[0], value: positional[1], secret, path: isPath };
}

/** `ontap:clusters.east.host` → ["ontap:clusters", "east", "host"]; `svmNames[0]` → ["svmNames", 0]. */
function keyPath(key: string, isPath: boolean, project: string): Array<string | number> {
  const parts: Array<string | number> = isPath
    ? [...key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(([, name, index]) =>
        index !== undefined ? Number(index) : name,
      )
    : [key];
  const top = String(parts[0]);
  parts[0] = top.includes(":") ? top : `${project}:${top}`;
  return parts;
}

function dig(value: unknown, keys: Array<string | number>): unknown {
  let v = value;
  for (const k of keys) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

/** What a block ran and what it left behind, for the checks of its file. */
interface BlockRun {
  block: ShellBlock;
  result: ScriptResult;
  sims: Map<string, Simulator>;
  stack: CliStack;
  env: Record<string, string | undefined>;
  /** Runs one more command where the block ran (same backend, same selected stack). */
  pulumi(args: string): Promise<ScriptResult>;
}

/** What the docs promise a block ends with, beyond running and storing its config (by file). */
const OUTCOMES: Record<string, (run: BlockRun) => Promise<void>> = {
  "README.md": async ({ result, sims }) => {
    const sim = sims.get("cluster1.example.com") as Simulator;
    expect(sim.service("svm1")).to.include({ enabled: true, alias: "db-target" });
    expect(result.stdout).to.match(new RegExp(`iqn\\s*: "${sim.service("svm1")?.iqn}"`));
  },
  "docs/simulator.md": async ({ sims }) => {
    const broken = sims.get("127.0.0.1:18444");
    if (broken) {
      // The preview failed in the preflight: it read, and wrote nothing.
      expect(broken.services()).to.deep.equal([]);
      expect(broken.requests.every((r) => r.method === "GET")).to.equal(true);
      expect(broken.requests).to.not.be.empty;
      return;
    }
    const sim = sims.get(SIMULATOR_DOC_HOST) as Simulator;
    expect(sim.service("svm1")).to.include({ enabled: true, alias: "svm1" });
    expect(writes(sim)).to.deep.equal([
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201`,
    ]);
  },
  "examples/basic/README.md": async ({ sims }) => {
    const sim = sims.get("cluster1.example.com") as Simulator;
    expect(sim.service("svm1")).to.include({ enabled: true, alias: "db-target" });
    expect(writes(sim)).to.deep.equal([
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true,"target":{"alias":"db-target"}} → 201`,
    ]);
  },
  "examples/adopt-existing/README.md": async ({ result, sims, pulumi }) => {
    const sim = sims.get("cluster1.example.com") as Simulator;
    // "shows each adoption as a create", then takes over both services.
    for (const svm of ["svm1", "svm2"]) {
      expect(result.stdout).to.match(
        new RegExp(`\\+\\s+pulumi-nodejs:dynamic/ontap:IscsiService ${svm} create`),
      );
    }
    // docs/iscsi-service.md: a create that meets the existing service (5374077) adopts it and
    // brings `enabled` and the alias (absent: the SVM name) to the inputs, one PATCH each where
    // they differ.
    expect(writes(sim).sort()).to.deep.equal([
      `PATCH ${SERVICES_PATH}/{svm1} {"target":{"alias":"svm1"}} → 200`,
      `PATCH ${SERVICES_PATH}/{svm2} {"enabled":true} → 200`,
      `PATCH ${SERVICES_PATH}/{svm2} {"target":{"alias":"svm2"}} → 200`,
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 409`,
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm2"},"enabled":true} → 409`,
    ]);
    expect(sim.services().map((s) => [s.svmName, s.enabled, s.alias])).to.deep.equal([
      ["svm1", true, "svm1"],
      ["svm2", true, "svm2"],
    ]);
    const exported = JSON.parse((await pulumi("stack export")).stdout) as {
      deployment: { resources?: Array<{ type: string; outputs?: Record<string, unknown> }> };
    };
    const services =
      exported.deployment.resources?.filter((r) => r.type.endsWith("ontap:IscsiService")) ?? [];
    expect(services.map((r) => r.outputs?.adopted)).to.deep.equal([true, true]);
  },
  "examples/inventory/README.md": async ({ result, sims }) => {
    const sim = sims.get("cluster1.example.com") as Simulator;
    // `interval 1d` and `svmPattern 'svm*'` took effect: both SVMs, samples over a day.
    expect(result.stdout).to.match(
      /svm1\s+enabled\s+latency \d+ µs now, \d+ µs average over 1d \(\d+ samples\)/,
    );
    expect(result.stdout).to.match(/svm2\s+disabled\s/);
    expect(writes(sim)).to.deep.equal([]);
  },
  "examples/multi-cluster/README.md": async ({ sims }) => {
    for (const cluster of ["east", "west"]) {
      const sim = sims.get(`${cluster}-cluster.example.com`) as Simulator;
      expect(sim.services().map((s) => [s.svmName, s.enabled, s.alias])).to.deep.equal([
        ["svm1", true, `${cluster}-svm1`],
      ]);
    }
  },
};

/** The README's TypeScript example as a program, beside a tsconfig as examples/ have. */
function writeReadmeProgram(): { dir: string; remove: () => void } {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code?.includes("new IscsiService("))
    throw new Error("README.md: no ```ts example with an IscsiService");
  const root = fs.mkdtempSync(path.join(repoRoot, ".tmp", "cli", "docs-readme-"));
  const dir = path.join(root, "readme");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: ontap-iscsi-readme\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "index.ts"), code);
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "ontap-iscsi-readme", private: true, main: "index.ts" }, null, 2),
  );
  fs.copyFileSync(path.join(repoRoot, "examples", "tsconfig.json"), path.join(root, "tsconfig.json"));
  return { dir, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

const blocks = docFiles()
  .flatMap(shellBlocks)
  .filter((b) => blockPulumiCommands(b).length > 0);
const inline = docFiles().flatMap(inlineCommands);

describe("CLI: every `pulumi` command of README.md, docs/*.md and examples/*/README.md", function () {
  this.timeout(300_000);
  let readmeProgram: { dir: string; remove: () => void };

  before(() => {
    fs.mkdirSync(path.join(repoRoot, ".tmp", "cli"), { recursive: true });
    readmeProgram = writeReadmeProgram();
  });
  after(() => readmeProgram?.remove());

  it("finds them all: each `pulumi <command>` of the docs is in a shell block or an inline code span", () => {
    const found = new Set([
      ...blocks.flatMap((b) =>
        b.lines.filter((l) => simpleCommands(l.text).some(isPulumiCommand)).map((l) => `${b.file}:${l.line}`),
      ),
      ...inline.map((c) => `${c.file}:${c.line}`),
    ]);
    const missed = docFiles().flatMap((file) =>
      pulumiMentions(file)
        .filter(({ line }) => !found.has(`${file}:${line}`))
        .map(({ line, text }) => `${file}:${line}: ${text.trim()}`),
    );
    expect(missed, "a `pulumi` command outside code: put it in a shell block or backticks").to.deep.equal([]);
    // The blocks the docs have today, so that losing one (a changed fence) shows.
    expect(blocks.map((b) => b.file)).to.include.members([
      "README.md",
      "docs/installation-and-configuration.md",
      "docs/simulator.md",
      "examples/adopt-existing/README.md",
      "examples/basic/README.md",
      "examples/inventory/README.md",
      "examples/multi-cluster/README.md",
    ]);
    expect(
      inline.filter((c) => /^pulumi config set \S+ \S+/.test(c.text)).map((c) => c.text),
    ).to.include.members(["pulumi config set ontap:preflight false", "pulumi config set cluster east"]);
  });

  it("a PEM given as a config value (`$(cat ….pem)`, a value starting with `-----BEGIN`) follows `--`, and blocks run it", () => {
    const pemSets = blocks.flatMap((b) =>
      b.lines
        .flatMap(({ line, text }) => simpleCommands(text).map((c) => ({ where: `${b.file}:${line}`, c })))
        .filter(({ c }) => /^pulumi config set\b/.test(c) && /\$\(cat [\w./-]+\.pem\)/.test(c)),
    );
    // examples/basic and examples/inventory show the form; the CLI reads a bare PEM as a flag.
    expect(pemSets.map((p) => p.where.split(":")[0])).to.include.members([
      "examples/basic/README.md",
      "examples/inventory/README.md",
    ]);
    expect(
      pemSets.filter(({ c }) => !/ -- "\$\(cat /.test(c)).map((p) => `${p.where}: ${p.c}`),
    ).to.deep.equal([]);
  });

  it("reads a shell line as bash does: commands split outside quotes and $(…), comments dropped", () => {
    expect(simpleCommands(`pulumi login --local && pulumi stack init dev`)).to.deep.equal([
      "pulumi login --local",
      "pulumi stack init dev",
    ]);
    expect(
      simpleCommands(`pulumi config set svmPattern 'svm*'   # e.g. 'svm1|svm2'; '!test*'`),
    ).to.deep.equal(["pulumi config set svmPattern 'svm*'"]);
    expect(simpleCommands(`x="$(cat a.pem | head -1)" pulumi up & echo '&&'`)).to.deep.equal([
      `x="$(cat a.pem | head -1)" pulumi up`,
      "echo '&&'",
    ]);
    expect(isPulumiCommand("ONTAP_PREFLIGHT=false pulumi up --replace x")).to.equal(true);
    expect(isPulumiCommand("npm run fleet -- preview")).to.equal(false);
  });

  for (const block of blocks) {
    const commands = blockPulumiCommands(block);
    it(`${block.file}:${block.line} runs as written (${commands.length} pulumi commands) and stores what it says`, async () => {
      await runBlock(block, readmeProgram.dir);
    });
  }

  it("inline `pulumi config set <key> <value>` commands run and store what they say", async () => {
    const sets = inline.filter(
      (c) => /^pulumi config set /.test(c.text) && configSetOf(words(c.text).slice(1)) !== undefined,
    );
    expect(sets).to.not.be.empty;
    for (const command of sets) {
      const example = /^examples\/([\w-]+)\/README\.md$/.exec(command.file);
      const programDir = example ? path.join(repoRoot, "examples", example[1]) : readmeProgram.dir;
      const stack = await CliStack.create({ cli: pulumiCli(), programDir });
      try {
        const result = await runScript(stack, command.text);
        expect(result.code, transcript(command.text, result)).to.equal(0);
        await expectStored(stack, {}, result.pulumi, "dev", `${command.file}:${command.line}`);
      } finally {
        await stack.dispose();
      }
    }
  });

  it("every other inline `pulumi …` names a command and flags that pulumi 3.276 has", async () => {
    const mentions = [...new Set(inline.map((c) => c.text))].filter(
      (text) => !/^pulumi config set \S+ \S+/.test(text),
    );
    expect(mentions).to.include.members(Object.keys(INLINE_NOT_RUN));
    const stack = await CliStack.create({ cli: pulumiCli(), programDir: readmeProgram.dir });
    try {
      const problems: string[] = [];
      for (const text of mentions) {
        const argv = words(text.replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, "")).slice(1);
        // The command's words: up to the first flag or placeholder (`<old urn>`).
        const end = argv.findIndex((w) => w.startsWith("-") || w.startsWith("<"));
        const leading = end === -1 ? argv : argv.slice(0, end);
        const help = await stack.run([...leading, "--help"], { check: false });
        const usage = /Usage:\n\s+(pulumi(?: [a-z][\w-]*)*)/.exec(help.stdout)?.[1].split(" ").slice(1) ?? [];
        // `pulumi state delete` is `pulumi state remove` by one of its aliases.
        const aliases = /\nAliases:\n\s+(.+)/.exec(help.stdout)?.[1].split(/,\s*/) ?? [];
        if (usage.length > 0 && aliases.includes(leading[usage.length - 1]))
          usage[usage.length - 1] = leading[usage.length - 1];
        const isGroup = /\nAvailable Commands:\n/.test(help.stdout);
        const known = new Set([...help.stdout.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]));
        if (help.code !== 0) problems.push(`${text}: pulumi ${leading.join(" ")} --help exited ${help.code}`);
        else if (usage.length === 0 || usage.join(" ") !== leading.slice(0, usage.length).join(" "))
          problems.push(`${text}: no such command (help is for "pulumi ${usage.join(" ")}")`);
        else if (isGroup && usage.length !== leading.length)
          problems.push(`${text}: "${leading.join(" ")}" is no command`);
        for (const flag of argv.filter((w) => w.startsWith("--")).map((w) => w.slice(2).split("=")[0])) {
          if (!known.has(flag)) problems.push(`${text}: pulumi ${usage.join(" ")} has no flag --${flag}`);
        }
      }
      expect(problems).to.deep.equal([]);
    } finally {
      await stack.dispose();
    }
  });
});

/** Splits a simple command into words as bash would for these docs (quotes, no expansions). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * Runs a shell block: its placeholders filled (a simulator per host name, the simulators' CA
 * at each CA path, the password), the commands of NOT_RUN left out, in `bash -e` in a copy
 * of its program, with HOME in the scratch folder, and PULUMI_SKIP_CONFIRMATIONS=true
 * standing for the "yes" a user types at `pulumi up`'s prompt. Then checks the exit code,
 * that every `pulumi` command of the block ran, what the stack's config holds, and OUTCOMES.
 */
async function runBlock(block: ShellBlock, readmeProgram: string): Promise<void> {
  const text = block.lines.map((l) => l.text).join("\n");
  const hosts = [...new Set(text.match(HOST) ?? [])];
  const sims = new Map<string, Simulator>();
  const initStack = text.match(/pulumi stack init (\S+)/)?.[1];
  const stack = await CliStack.create({
    cli: pulumiCli(),
    programDir: programOf(block, readmeProgram),
    stack: initStack ? "scaffold" : "dev",
  });
  try {
    const simulators = simulatorsOf(block);
    for (const host of hosts) {
      const options = simulators.get(host);
      if (!options && host.startsWith("127.0.0.1:"))
        throw new Error(`${block.file}: ${host} is no simulator the block starts`);
      sims.set(
        host,
        await startHttpsSimulator(
          options
            ? { ...options, password: options.password ?? SIMULATOR_DEFAULT_PASSWORD }
            : { password: PASSWORD, svms: SEEDS[block.file] ?? ["svm1", "svm2"] },
        ),
      );
    }
    const caDir = path.join(stack.scratch, "etc-ontap");
    fs.mkdirSync(caDir);
    const placeholders: Placeholders = { sims, caPaths: new Map() };
    for (const caPath of new Set(text.match(ABSOLUTE_CA) ?? [])) {
      const copy = path.join(caDir, path.basename(caPath));
      fs.copyFileSync(CA_FILE, copy);
      placeholders.caPaths.set(caPath, copy);
    }
    for (const [, name] of text.matchAll(BARE_PEM)) fs.copyFileSync(CA_FILE, path.join(stack.dir, name));
    const relativeCa = path.relative(stack.dir, CA_FILE);

    const failures: string[] = [];
    const script = block.lines
      .map(({ text: line }) => {
        const commands = simpleCommands(line);
        if (commands.length === 0) return line;
        const skipped = commands.filter((c) => notRun(c) !== undefined);
        for (const c of commands) {
          if (!isPulumiCommand(c) && !notRun(c))
            throw new Error(`${block.file}: no way to run \`${c}\` here and no reason in NOT_RUN`);
        }
        if (skipped.length === commands.length) return `: # not run: ${withoutComment(line)}`;
        const filled = skipped
          .reduce((text, c) => text.replace(c, ":"), line)
          .replace(HOST, (host) => sims.get(host)?.host ?? host)
          .replace(ABSOLUTE_CA, (p) => placeholders.caPaths.get(p) ?? p)
          .replace(RELATIVE_REPO_CA, relativeCa)
          .replaceAll("<password>", PASSWORD);
        const fails = expectedFailure(line);
        if (!fails) return filled;
        // The docs say it fails: the script goes on only if it does.
        failures.push(...fails);
        return `if ${withoutComment(filled)}; then echo "expected to fail: ${withoutComment(line)}" >&2; exit 97; fi`;
      })
      .join("\n");
    const env: Record<string, string | undefined> = {
      HOME: path.join(stack.scratch, "user-home"),
      PULUMI_SKIP_CONFIRMATIONS: "true",
    };
    fs.mkdirSync(env.HOME as string);

    const result = await runScript(stack, script, { env });

    expect(result.code, transcript(script, result)).to.equal(0);
    for (const text of failures)
      expect(
        result.stdout + result.stderr,
        `the failure names ${text}\n${transcript(script, result)}`,
      ).to.include(text);
    // A PEM as a value (`-- "$(cat ca.pem)"`) reached the CLI as the PEM, not as a flag.
    if ((text.match(BARE_PEM) ?? []).length > 0)
      expect(
        result.pulumi.map(configSetOf).some((set) => set?.value.startsWith("-----BEGIN CERTIFICATE-----")),
        `${block.file}: a config set received the PEM text`,
      ).to.equal(true);
    const documented = blockPulumiCommands(block)
      .filter((c) => !notRun(c))
      .map((c) => words(c.replace(/^(?:[A-Z_]\w*=\S*\s+)+/, ""))[1]);
    expect(
      result.pulumi.map((argv) => argv.find((a) => !a.startsWith("-"))),
      transcript(script, result),
    ).to.deep.equal(documented);
    await expectStored(stack, env, result.pulumi, initStack ?? "dev", `${block.file}:${block.line}`);
    const hasRun = /pulumi (up|preview|refresh|destroy)\b/.test(text);
    if (!hasRun)
      for (const sim of sims.values())
        expect(sim.requests, "config alone reaches no cluster").to.deep.equal([]);
    await OUTCOMES[block.file]?.({
      block,
      result,
      sims,
      stack,
      env,
      pulumi: (args) => runScript(stack, `pulumi ${args}`, { env }),
    });
  } finally {
    await stack.dispose();
    for (const sim of sims.values()) await sim.stop();
  }
}

/**
 * Each `pulumi config set` the CLI received is in the stack's config as the command says:
 * the value (`pulumi config --json --show-secrets`), and in Pulumi.<stack>.yaml encrypted
 * (`secure:`) when it was `--secret`, in clear otherwise; no secret in clear anywhere in the file.
 */
async function expectStored(
  stack: CliStack,
  env: Record<string, string | undefined>,
  calls: string[][],
  stackName: string,
  where: string,
): Promise<void> {
  const sets = calls.map(configSetOf).filter((s): s is ConfigSet => s !== undefined);
  if (sets.length === 0) return;
  const project = (parse(fs.readFileSync(path.join(stack.dir, "Pulumi.yaml"), "utf8")) as { name: string })
    .name;
  const shown = await runScript(stack, "pulumi config --json --show-secrets", { env });
  expect(shown.code, transcript("pulumi config --json --show-secrets", shown)).to.equal(0);
  const config = JSON.parse(shown.stdout) as Record<
    string,
    { value?: string; objectValue?: unknown; secret: boolean }
  >;
  const fileText = fs.readFileSync(path.join(stack.dir, `Pulumi.${stackName}.yaml`), "utf8");
  const file = (parse(fileText) as { config: Record<string, unknown> }).config;

  for (const set of sets) {
    const keys = keyPath(set.key, set.path, project);
    const entry = config[keys[0]];
    const value = keys.length === 1 ? entry?.value : dig(entry?.objectValue, keys.slice(1));
    expect(String(value), `${where}: pulumi config set ${set.key}`).to.equal(set.value);
    const stored = dig(file, keys);
    if (set.secret) {
      expect(stored, `${where}: ${set.key} in Pulumi.${stackName}.yaml`)
        .to.have.property("secure")
        .that.is.a("string");
      expect(fileText, `${where}: Pulumi.${stackName}.yaml`).to.not.include(set.value);
    } else {
      expect(String(stored), `${where}: ${set.key} in Pulumi.${stackName}.yaml`).to.equal(set.value);
    }
  }
}
