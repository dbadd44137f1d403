import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { BASIC_PROGRAM, SERVICES_PATH, startHttpsSimulator, writes } from "../../tools/engine/scenario";
import { repoRoot } from "../../tools/paths";
import { CliStack } from "../../tools/pulumi-cli/cli";
import type { Simulator } from "../../tools/simulator/types";
import { runScript, type ScriptResult, transcript } from "./docs-shell";
import { pulumiCli, resourceSummary } from "./support";

/** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
const PASSWORD = "Cli-Workflows-7hQ!pw-29zx";

const CI_DIR = path.join(repoRoot, "examples", "ci");
const GITHUB_DIR = path.join(CI_DIR, ".github", "workflows");
const GITLAB_FILE = path.join(CI_DIR, ".gitlab-ci.yml");

/** The stack name the workflows carry; examples/ci/README.md says to replace it. */
const WORKFLOW_STACK = "org/ontap-iscsi/prod";
/**
 * What it becomes on a DIY backend (docs/ci.md): `organization/<project>/<stack>`, for
 * examples/basic's project. A DIY backend refuses any other organization name.
 */
const DIY_STACK = "organization/ontap-iscsi-basic/prod";

/**
 * The header `--diff` prints for the service `iscsi` of examples/basic, e.g.
 * `+ pulumi-nodejs:dynamic/ontap:IscsiService: (create)` then `[urn=…::iscsi]`.
 */
function serviceStep(sign: string, op: string): RegExp {
  const s = sign.replace(/[+~]/g, "\\$&");
  return new RegExp(
    `${s} pulumi-nodejs:dynamic/ontap:IscsiService: \\(${op}\\)\\n\\s+(\\[id=[^\\]]*\\]\\n\\s+)?\\[urn=urn:pulumi:[^\\]]*::iscsi\\]`,
  );
}

type Json = Record<string, unknown>;
interface Step {
  uses?: string;
  run?: string;
  with?: Json;
  env?: Json;
}
interface GithubWorkflow {
  env?: Json;
  jobs: Record<string, { env?: Json; environment?: string; steps: Step[] }>;
}
interface GitlabJob {
  script?: string[];
  after_script?: string[];
  variables?: Json;
  environment?: string | { name: string; action?: string };
}

/**
 * The CI's settings, as docs/ci.md tells a user to make them. GitHub: repository secrets and
 * variables (every job), and the `production` environment's (only jobs that name it).
 * GitLab: project variables, the protected ones only in pipelines of protected branches.
 */
interface SecretStore {
  repository: Record<string, string>;
  production: Record<string, string>;
}

/** A workflow file as committed, or (`copied`) as a user copies it: with the stack name replaced. */
const load = (file: string, copied: boolean) => {
  const text = fs.readFileSync(file, "utf8");
  return parse(copied ? text.replaceAll(WORKFLOW_STACK, DIY_STACK) : text) as unknown;
};
const github = (name: string, copied = true) => load(path.join(GITHUB_DIR, name), copied) as GithubWorkflow;
const gitlab = (copied = true) =>
  load(GITLAB_FILE, copied) as Json & { variables?: Json; default?: { before_script?: string[] } };

/** Single-quotes a word for bash. */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Removes ANSI control codes, as pulumi/actions does before it comments (src/libs/pr.ts). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/**
 * The CLI commands a `pulumi/actions@v6` step runs, read from the action's source (v6.6.1:
 * src/main.ts, src/login.ts, src/config.ts) and the Automation API it calls
 * (@pulumi/pulumi/automation stack.js, localWorkspace.js, cmd.js):
 *   1. `pulumi --non-interactive --cwd <work-dir> login` (no `cloud-url`: the backend of
 *      PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL when set);
 *   2. `LocalWorkspace.selectStack` → `pulumi stack select --stack <stack-name> --non-interactive`;
 *   3. `stack.preview(options)` → `pulumi preview [--expect-no-changes] [--refresh] [--diff]
 *      --exec-agent pulumi/actions@v6 --color <color> --exec-kind auto.local --event-log <file>
 *      --stack <stack-name> --non-interactive`; `stack.up(options)` the same after
 *      `up --yes --skip-preview`. In v6 `refresh: true` is the `--refresh` flag of that command.
 * The Automation API also sets PULUMI_DEBUG_COMMANDS=true and PULUMI_AUTOMATION_API=true.
 * Without `command` the action only installs the CLI: nothing to run here (ours is on PATH).
 */
function actionCommands(inputs: Json, eventLog: string): string[][] {
  const command = inputs.command as string;
  const stack = inputs["stack-name"] as string;
  const flag = (input: string, cli: string) => (inputs[input] === true ? [cli] : []);
  const verb =
    command === "up"
      ? ["up", "--yes", "--skip-preview"]
      : command === "preview"
        ? ["preview"]
        : (() => {
            throw new Error(`no mapping for pulumi/actions command "${command}"`);
          })();
  return [
    ["--non-interactive", "--cwd", ".", "login"],
    ["stack", "select", "--stack", stack, "--non-interactive"],
    [
      ...verb,
      ...flag("expect-no-changes", "--expect-no-changes"),
      ...flag("refresh", "--refresh"),
      ...flag("diff", "--diff"),
      ...["--exec-agent", "pulumi/actions@v6", "--color", String(inputs.color ?? "auto")],
      ...["--exec-kind", "auto.local", "--event-log", eventLog, "--stack", stack, "--non-interactive"],
    ],
  ];
}

/** Steps that set up the runner; here they are what {@link CliStack} already did. */
const RUNNER_STEPS: Record<string, string> = {
  "actions/checkout@v4": "the program's copy (CliStack) is the checkout",
  "actions/setup-node@v4": "the `node` on PATH runs the program",
};
/** `run:` lines that cannot run here, and why. */
const NOT_RUN: Record<string, string> = {
  "npm ci":
    "installs from the npm registry; the copy resolves the repository's node_modules and links pulumi-ontap-iscsi, what `npm ci` of the user's repository gives",
};

/** One job's run: each step's outcome, the job's log, and the pull-request comment if the action posted one. */
interface JobRun {
  ok: boolean;
  log: string;
  steps: Array<{ step: string; result?: ScriptResult; skipped?: string }>;
  comment?: string;
}

describe("CLI: the CI workflows of examples/ci, run as their runners would run them", function () {
  this.timeout(300_000);
  let sim: Simulator;
  let stack: CliStack;
  let gitlabApi: http.Server;
  let gitlabUrl: string;
  /** Everything the jobs printed: the logs a CI keeps. */
  const printed: string[] = [];
  const notes: Array<{ method?: string; url?: string; token?: string; body: string }> = [];
  /** The CI's secret store: GitHub secrets, GitLab masked variables. PULUMI_ACCESS_TOKEN is not set (DIY backend). */
  let secrets: Record<string, string>;
  /** Where each secret and variable lives (see {@link SecretStore}). */
  let store: SecretStore;

  const stateOf = async () =>
    (await stack.exportStack()).deployment.resources?.find((r) => r.urn.endsWith("::iscsi"));

  /**
   * `${{ secrets.NAME }}` and `${{ vars.NAME }}` as a job sees them: the repository's, and
   * its environment's when it names one; an unset one is "" as on GitHub.
   */
  function resolve(value: unknown, environment?: string): string {
    const text = String(value);
    const visible = { ...store.repository, ...(environment === "production" ? store.production : {}) };
    const resolved = text.replace(
      /\$\{\{\s*(?:secrets|vars)\.([A-Z_]+)\s*\}\}/g,
      (_, name: string) => visible[name] ?? "",
    );
    if (resolved.includes("${{")) throw new Error(`no mapping for the expression in ${text}`);
    return resolved;
  }

  /** Runs the workflow's single job step by step, stopping at the first failing step as GitHub does. */
  async function runGithub(name: string): Promise<JobRun> {
    const workflow = github(name);
    const [job] = Object.values(workflow.jobs);
    const run: JobRun = { ok: true, log: "", steps: [] };
    for (const step of job.steps) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...workflow.env, ...job.env, ...step.env }))
        env[k] = resolve(v, job.environment);
      const label = step.uses ?? step.run ?? "?";
      let script: string | undefined;
      if (step.uses?.startsWith("pulumi/actions@")) {
        if (step.with?.command === undefined) {
          run.steps.push({ step: label, skipped: "installs the CLI: ours is on PATH" });
          continue;
        }
        const inputs = Object.fromEntries(
          Object.entries(step.with).map(([k, v]) => [
            k,
            typeof v === "string" ? resolve(v, job.environment) : v,
          ]),
        );
        const eventLog = path.join(stack.scratch, `events-${Date.now()}.json`);
        script = actionCommands(inputs, eventLog)
          .map((args) => ["pulumi", ...args].map(quote).join(" "))
          .join("\n");
        Object.assign(env, { PULUMI_DEBUG_COMMANDS: "true", PULUMI_AUTOMATION_API: "true" });
        const result = await runScript(stack, script, { env });
        run.steps.push({ step: label, result });
        run.log += result.stdout + result.stderr;
        printed.push(result.stdout, result.stderr);
        if (result.code !== 0) return { ...run, ok: false };
        if (step.with["comment-on-pr"] === true && name === "pulumi-preview.yml") {
          // The action comments the command's stdout (only when it succeeded: main.ts).
          run.comment = stripAnsi(result.stdout);
        }
        continue;
      }
      if (step.uses) {
        const why = RUNNER_STEPS[step.uses];
        if (!why) throw new Error(`${name}: no mapping for the step uses: ${step.uses}`);
        run.steps.push({ step: label, skipped: why });
        continue;
      }
      script = step.run ?? "";
      if (NOT_RUN[script.trim()]) {
        run.steps.push({ step: label, skipped: NOT_RUN[script.trim()] });
        continue;
      }
      const result = await runScript(stack, script, { env });
      run.steps.push({ step: label, result });
      run.log += result.stdout + result.stderr;
      printed.push(result.stdout, result.stderr);
      if (result.code !== 0) return { ...run, ok: false };
    }
    return run;
  }

  /**
   * Runs a GitLab job: its `script` lines in one `bash -e`, then its `after_script` in another
   * with CI_JOB_STATUS, as the runner does. `default.before_script` is `npm ci` (see NOT_RUN).
   * The preview runs in a merge request pipeline, which has no protected variables; `up` and
   * `drift` run on the default branch, which has them.
   */
  async function runGitlab(name: string): Promise<{ script: ScriptResult; after?: ScriptResult }> {
    const file = gitlab();
    expect(file.default?.before_script).to.deep.equal(["npm ci"]);
    const job = file[name] as GitlabJob;
    const protectedRef = name !== "preview";
    const env: Record<string, string> = {
      // Project CI/CD variables (masked), the protected ones on protected branches only.
      ...(protectedRef ? store.production : {}),
      ...store.repository,
      ONTAP_CA_CERT: secrets.ONTAP_CA_CERT_FILE, // a File variable: GitLab passes the file's path
      // Predefined variables of a merge request pipeline.
      CI_API_V4_URL: `${gitlabUrl}/api/v4`,
      CI_PROJECT_ID: "4711",
      CI_MERGE_REQUEST_IID: "17",
    };
    for (const [k, v] of Object.entries({ ...file.variables, ...job.variables })) {
      env[k] = String(v);
    }
    const script = (job.script ?? []).join("\n");
    const result = await runScript(stack, script, { env });
    printed.push(result.stdout, result.stderr);
    if (!job.after_script) return { script: result };
    const after = await runScript(stack, job.after_script.join("\n"), {
      env: { ...env, CI_JOB_STATUS: result.code === 0 ? "success" : "failed" },
    });
    printed.push(after.stdout, after.stderr);
    return { script: result, after };
  }

  before(async () => {
    sim = await startHttpsSimulator({ svms: ["svm1", "svm2"], password: PASSWORD, sessions: { svm1: 3 } });
    // On a DIY backend (docs/ci.md): PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE come from CliStack.
    stack = await CliStack.create({ cli: pulumiCli(), programDir: BASIC_PROGRAM, stack: DIY_STACK });
    // The repository's Pulumi.prod.yaml: the cluster's host, no account (docs/ci.md: each job
    // brings its own, the preview a read-only one).
    await stack.setConfigs({ "ontap:host": sim.host, svmName: "svm1" });
    const caFile = path.join(stack.scratch, "ONTAP_CA_CERT");
    fs.writeFileSync(caFile, sim.caCert ?? "");
    secrets = {
      ONTAP_PASSWORD: PASSWORD,
      ONTAP_PREVIEW_PASSWORD: PASSWORD,
      ONTAP_CA_CERT: sim.caCert ?? "",
      ONTAP_CA_CERT_FILE: caFile,
      GITHUB_TOKEN: "ghs_fake-token-of-the-run",
      GITLAB_NOTE_TOKEN: "glpat-fake-note-token",
    };
    // The simulator has one account: both names sign in as it, and which job reads which
    // name is what the tests below check.
    store = {
      repository: {
        ONTAP_PREVIEW_USERNAME: "admin",
        ONTAP_PREVIEW_PASSWORD: secrets.ONTAP_PREVIEW_PASSWORD,
        ONTAP_CA_CERT: secrets.ONTAP_CA_CERT,
        GITHUB_TOKEN: secrets.GITHUB_TOKEN,
        GITLAB_NOTE_TOKEN: secrets.GITLAB_NOTE_TOKEN,
      },
      production: { ONTAP_USERNAME: "admin", ONTAP_PASSWORD: secrets.ONTAP_PASSWORD },
    };
    gitlabApi = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      req.on("end", () => {
        notes.push({ method: req.method, url: req.url, token: req.headers["private-token"] as string, body });
        res.writeHead(201, { "content-type": "application/json" }).end('{"id":1}');
      });
    });
    await new Promise<void>((done) => gitlabApi.listen(0, "127.0.0.1", done));
    gitlabUrl = `http://127.0.0.1:${(gitlabApi.address() as AddressInfo).port}`;
  });
  after(async () => {
    await stack?.dispose();
    await sim?.stop();
    await new Promise((done) => gitlabApi?.close(done));
  });
  beforeEach(() => sim.clearRequests());

  it("no workflow sets PULUMI_SKIP_CONFIRMATIONS, with which pulumi refuses the drift job's `refresh --preview-only`", async () => {
    const scopes: Array<[string, unknown]> = [];
    for (const name of fs.readdirSync(GITHUB_DIR)) {
      const workflow = github(name);
      scopes.push([name, workflow.env]);
      for (const job of Object.values(workflow.jobs)) {
        scopes.push([name, job.env]);
        for (const step of job.steps) scopes.push([name, step.env]);
      }
    }
    const file = gitlab();
    scopes.push([".gitlab-ci.yml", file.variables]);
    for (const [name, job] of Object.entries(file)) scopes.push([name, (job as GitlabJob)?.variables]);
    for (const [where, env] of scopes)
      expect(Object.keys(env ?? {}), where).to.not.include("PULUMI_SKIP_CONFIRMATIONS");

    // Why it matters: the same command under that variable fails before it reads anything.
    const result = await stack.run(["refresh", "--preview-only", "--expect-no-changes"], {
      check: false,
      env: { PULUMI_SKIP_CONFIRMATIONS: "true" },
    });
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include("--yes and --preview-only cannot be used together");
    expect(sim.requests).to.deep.equal([]);
  });

  it("only up and drift see production's account (GitHub environment, GitLab protected variables); the preview signs in with the read-only one", async () => {
    for (const name of ["pulumi-up.yml", "pulumi-drift.yml"])
      expect(Object.values(github(name).jobs)[0]?.environment, name).to.equal("production");
    const preview = Object.values(github("pulumi-preview.yml").jobs)[0];
    expect(preview?.environment).to.equal(undefined);
    // What each job's env holds, as GitHub resolves it.
    const envOf = (name: string) => {
      const job = Object.values(github(name).jobs)[0];
      return Object.fromEntries(
        Object.entries(job?.env ?? {}).map(([k, v]) => [k, resolve(v, job?.environment)]),
      );
    };
    expect(envOf("pulumi-preview.yml")).to.include({
      ONTAP_USERNAME: store.repository.ONTAP_PREVIEW_USERNAME,
      ONTAP_PASSWORD: store.repository.ONTAP_PREVIEW_PASSWORD,
    });
    for (const name of ["pulumi-up.yml", "pulumi-drift.yml"])
      expect(envOf(name), name).to.include({
        ONTAP_USERNAME: store.production.ONTAP_USERNAME,
        ONTAP_PASSWORD: store.production.ONTAP_PASSWORD,
      });
    // Without its environment the drift job would have no password at all.
    const drift = Object.values(github("pulumi-drift.yml").jobs)[0];
    expect(resolve(drift?.env?.ONTAP_PASSWORD)).to.equal("");

    const file = gitlab(false);
    expect((file.up as GitlabJob).environment).to.equal("production");
    expect((file.drift as GitlabJob).environment).to.deep.equal({ name: "production", action: "verify" });
    expect((file.preview as GitlabJob).environment).to.equal(undefined);
    // A merge request pipeline has no protected variable: the preview's script takes the
    // read-only account's, and runs with nothing else (runGitlab leaves production's out).
    expect((file.preview as GitlabJob).script?.[0]).to.equal(
      'export ONTAP_USERNAME="$ONTAP_PREVIEW_USERNAME" ONTAP_PASSWORD="$ONTAP_PREVIEW_PASSWORD"',
    );
  });

  it("the workflows' stack name is Pulumi Cloud's: a DIY backend refuses `org/…` and takes `organization/<project>/prod`", async () => {
    for (const name of fs.readdirSync(GITHUB_DIR))
      expect(fs.readFileSync(path.join(GITHUB_DIR, name), "utf8")).to.include(WORKFLOW_STACK);
    expect(gitlab(false).variables).to.deep.equal({ STACK: WORKFLOW_STACK });

    const refused = await stack.run(["stack", "select", "--stack", WORKFLOW_STACK], { check: false });
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.include("organization name must be 'organization'");
    await stack.run(["stack", "select", "--stack", DIY_STACK]);
  });

  it("pull request (GitHub): the action's preview --diff --refresh shows the create in the comment and writes nothing", async () => {
    const run = await runGithub("pulumi-preview.yml");

    expect(run.ok, run.log).to.equal(true);
    expect(run.steps.map((s) => s.skipped ?? "ran")).to.deep.equal([
      RUNNER_STEPS["actions/checkout@v4"],
      RUNNER_STEPS["actions/setup-node@v4"],
      NOT_RUN["npm ci"],
      "ran",
    ]);
    // docs/ci.md: with PULUMI_BACKEND_URL set, the action's own `pulumi login` logs in to it.
    expect(run.steps.at(-1)?.result?.stdout).to.match(/^Logged in to .* \(file:\/\/\/.*\/backend\)$/m);
    expect(run.comment, run.log).to.match(serviceStep("+", "create"));
    expect(run.comment, run.log).to.match(/\n\s+svmName\s*: "svm1"\n/);
    expect(resourceSummary(run.comment ?? "")).to.deep.equal({ "to create": 2 });
    expect(run.comment).to.not.include(PASSWORD);
    expect(writes(sim)).to.deep.equal([]);
    expect(sim.services()).to.deep.equal([]);
    expect(await stateOf()).to.equal(undefined);
  });

  it("merge request (GitLab): the preview job tees the diff and its after_script posts it as a note; nothing is written", async () => {
    notes.length = 0;
    const { script, after } = await runGitlab("preview");

    expect(script.code, transcript("preview", script)).to.equal(0);
    expect(after?.code, after && transcript("after_script", after)).to.equal(0);
    expect(script.pulumi).to.deep.equal([
      ["preview", "--diff", "--refresh", "--non-interactive", "--color", "never", "--stack", DIY_STACK],
    ]);
    expect(notes).to.have.lengthOf(1);
    const [note] = notes;
    expect(note).to.include({
      method: "POST",
      url: "/api/v4/projects/4711/merge_requests/17/notes",
      token: secrets.GITLAB_NOTE_TOKEN,
    });
    const body = new URLSearchParams(note.body).get("body") ?? "";
    expect(body).to.match(/^### pulumi preview \(success\)\n\n```diff\n/);
    expect(body).to.match(serviceStep("+", "create"));
    expect(body).to.include(fs.readFileSync(path.join(stack.dir, "preview.txt"), "utf8").trim());
    expect(writes(sim)).to.deep.equal([]);
    expect(sim.services()).to.deep.equal([]);
  });

  it("push to main (GitHub): the action's up --diff --refresh creates the service with one POST", async () => {
    const run = await runGithub("pulumi-up.yml");

    expect(run.ok, run.log).to.equal(true);
    expect(run.log, run.log).to.match(serviceStep("+", "create"));
    expect(resourceSummary(run.log)).to.deep.equal({ created: 2 });
    expect(writes(sim)).to.deep.equal([
      `POST ${SERVICES_PATH}?return_records=true {"svm":{"name":"svm1"},"enabled":true} → 201`,
    ]);
    expect(sim.service("svm1")).to.include({ enabled: true });
    expect((await stateOf())?.outputs).to.include({ enabled: true, svmName: "svm1" });
  });

  it("push to main (GitLab): the up job on a converged stack changes nothing and writes nothing", async () => {
    const { script } = await runGitlab("up");

    expect(script.code, transcript("up", script)).to.equal(0);
    expect(script.pulumi).to.deep.equal([
      ["up", "--yes", "--diff", "--refresh", "--non-interactive", "--stack", DIY_STACK],
    ]);
    expect(resourceSummary(script.stdout)).to.deep.equal({ unchanged: 2 });
    expect(writes(sim)).to.deep.equal([]);
  });

  it("drift (GitHub and GitLab) with nothing changed: both jobs pass, reading only", async () => {
    const githubRun = await runGithub("pulumi-drift.yml");
    const { script } = await runGitlab("drift");

    expect(githubRun.ok, githubRun.log).to.equal(true);
    expect(script.code, transcript("drift", script)).to.equal(0);
    for (const output of [githubRun.log, script.stdout]) {
      expect(resourceSummary(output)).to.deep.equal({ unchanged: 2 });
    }
    expect(sim.requests).to.not.be.empty;
    expect(writes(sim)).to.deep.equal([]);
  });

  it("pull request that disables the service: the diff shows `enabled: true => false`; the hosts cut off are in GitHub's job warning and in GitLab's note", async () => {
    await stack.setConfig("enabled", "false");
    try {
      const run = await runGithub("pulumi-preview.yml");

      expect(run.ok, run.log).to.equal(true);
      expect(run.comment, run.log).to.match(serviceStep("~", "update"));
      expect(run.comment, run.log).to.match(/~ enabled\s*: true => false/);
      // The warning names the hosts. The CLI prints it on stderr, which the action does not
      // comment but raises as the job's warning annotation (core.warning, main.ts).
      const [, , preview] = run.steps.at(-1)?.result?.pulumi ?? [];
      expect(preview?.[0]).to.equal("preview");
      const stderr = run.steps.at(-1)?.result?.stderr ?? "";
      const warning =
        /warning: .*Disabling the iSCSI service on SVM "svm1" \(cluster [^)]+\) ends 3 active iSCSI sessions of 2 hosts: svm1-host01 \(iqn\.1994-05\.com\.redhat:svm1-host01\), svm1-host02 \(iqn\.1994-05\.com\.redhat:svm1-host02\)/;
      expect(stderr, run.log).to.match(warning);
      expect(run.comment).to.not.match(/active iSCSI sessions/);

      notes.length = 0;
      const { script } = await runGitlab("preview");
      expect(script.code, transcript("preview", script)).to.equal(0);
      const body = new URLSearchParams(notes[0]?.body).get("body") ?? "";
      expect(body).to.match(/~ enabled\s*: true => false/);
      expect(body).to.match(warning);
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")?.enabled).to.equal(true);
    } finally {
      await stack.run(["config", "rm", "enabled"]);
    }
  });

  it("pull request whose change cannot apply (a stopped SVM): the check fails with the diagnostic, GitLab's note says failed, nothing is written", async () => {
    sim.outOfBand.setSvmState("svm2", "stopped");
    await stack.setConfig("svmName", "svm2");
    try {
      const run = await runGithub("pulumi-preview.yml");

      expect(run.ok, run.log).to.equal(false);
      // The action fails the step with the CLI's stderr and posts no comment (main.ts).
      expect(run.comment).to.equal(undefined);
      const stderr = run.steps.at(-1)?.result?.stderr ?? "";
      expect(stderr, run.log).to.match(/SVM "svm2"[^\n]*stopped/);
      expect(stderr).to.include("vserver start -vserver svm2");

      notes.length = 0;
      const { script } = await runGitlab("preview");
      expect(script.code).to.not.equal(0);
      const body = new URLSearchParams(notes[0]?.body).get("body") ?? "";
      expect(body).to.match(/^### pulumi preview \(failed\)/);
      expect(body).to.include("vserver start -vserver svm2");
      expect(writes(sim)).to.deep.equal([]);
      expect(sim.service("svm1")?.enabled).to.equal(true);
    } finally {
      await stack.setConfig("svmName", "svm1");
      sim.outOfBand.setSvmState("svm2", "running");
    }
  });

  it("after `vserver iscsi stop` by hand, both drift jobs fail, naming the service and `enabled: true => false`; nothing is written", async () => {
    sim.outOfBand.setEnabled("svm1", false);

    const githubRun = await runGithub("pulumi-drift.yml");
    const { script } = await runGitlab("drift");

    expect(githubRun.ok).to.equal(false);
    const failed = githubRun.steps.at(-1)?.result;
    expect(failed?.pulumi).to.deep.equal([
      [
        "refresh",
        "--preview-only",
        "--expect-no-changes",
        "--diff",
        "--non-interactive",
        "--stack",
        DIY_STACK,
      ],
    ]);
    expect(script.code).to.not.equal(0);
    for (const output of [githubRun.log, script.stdout + script.stderr]) {
      expect(output).to.match(serviceStep("~", "update"));
      expect(output).to.match(/~ enabled\s*: true => false/);
      expect(output).to.match(/no changes were expected (for \w+ )?but changes were proposed/);
    }
    expect(writes(sim)).to.deep.equal([]);
    expect((await stateOf())?.outputs).to.include({ enabled: true });
    expect(sim.service("svm1")?.enabled).to.equal(false);
  });

  it("a pull request preview after the drift shows the change back (`refresh: true`) and writes nothing", async () => {
    const run = await runGithub("pulumi-preview.yml");

    expect(run.ok, run.log).to.equal(true);
    expect(run.comment, run.log).to.match(serviceStep("~", "update"));
    expect(run.comment, run.log).to.match(/~ enabled\s*: false => true/);
    expect(writes(sim)).to.deep.equal([]);
    expect((await stateOf())?.outputs).to.include({ enabled: true });
  });

  it("the next up on main does what that preview showed: it re-enables the service with one PATCH, and the drift job passes again", async () => {
    const run = await runGithub("pulumi-up.yml");

    expect(run.ok, run.log).to.equal(true);
    expect(run.log, run.log).to.match(/~ enabled\s*: false => true/);
    expect(writes(sim)).to.deep.equal([`PATCH ${SERVICES_PATH}/{svm1} {"enabled":true} → 200`]);
    expect(sim.service("svm1")?.enabled).to.equal(true);

    sim.clearRequests();
    const drift = await runGithub("pulumi-drift.yml");
    expect(drift.ok, drift.log).to.equal(true);
    expect(writes(sim)).to.deep.equal([]);
  });

  it("no secret of the store reaches the jobs' logs, the note, the stack's config or its state", async () => {
    const exported = JSON.stringify(await stack.exportStack());
    const config = fs.readFileSync(path.join(stack.dir, "Pulumi.prod.yaml"), "utf8");
    expect(printed.join("")).to.include("pulumi-nodejs:dynamic/ontap:IscsiService");
    for (const text of [...printed, exported, config, ...notes.map((n) => n.body)]) {
      for (const secret of [PASSWORD, secrets.GITHUB_TOKEN, secrets.GITLAB_NOTE_TOKEN])
        expect(text).to.not.include(secret);
    }
    for (const file of stack.backendFiles())
      expect(fs.readFileSync(file, "utf8"), file).to.not.include(PASSWORD);
  });
});
