import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "chai";
import { parseDocument } from "yaml";
import { repoRoot } from "../../tools/paths";

const ciDir = join(repoRoot, "examples/ci");
const githubDir = join(ciDir, ".github/workflows");
const gitlabFile = join(ciDir, ".gitlab-ci.yml");
const page = readFileSync(join(repoRoot, "docs/ci.md"), "utf8");

type Json = Record<string, unknown>;
interface Step {
  uses?: string;
  run?: string;
  with?: Json;
  env?: Json;
  "continue-on-error"?: unknown;
}
interface GithubJob {
  steps: Step[];
  env?: Json;
  "continue-on-error"?: unknown;
}
interface GitlabJob {
  script?: string[];
  after_script?: string[];
  allow_failure?: unknown;
  variables?: Json;
}

/** Parses a YAML file strictly: any error or warning fails the test, naming the file. */
function load(file: string): Json {
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  expect(problems, relative(repoRoot, file)).to.deep.equal([]);
  const value = doc.toJS() as unknown;
  expect(value, relative(repoRoot, file)).to.be.an("object");
  return value as Json;
}

const workflows = readdirSync(githubDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => join(githubDir, name));

/**
 * The `pulumi` commands of a shell line, up to `--stack` or a shell operator: the part a
 * reader looks up (`pulumi refresh --preview-only --expect-no-changes …`).
 */
function pulumiCommands(line: string): string[] {
  const out: string[] = [];
  for (const segment of line.split(/\|\||&&|[|;]/)) {
    const m =
      /(?:^|\s)(pulumi\s+[a-z-]+(?:\s+(?!--stack\b)--?[a-z-]+(?:\s+(?!-)(?:never|always|auto)\b)?)*)/.exec(
        segment,
      );
    if (m) out.push(m[1].replace(/\s+/g, " ").trim());
  }
  return out;
}

/** The CLI command a `pulumi/actions` step amounts to, or undefined when it only installs the CLI. */
function actionCommand(step: Step): string | undefined {
  const command = step.with?.command;
  if (typeof command !== "string") return undefined;
  const flags = [
    ["diff", "--diff"],
    ["refresh", "--refresh"],
    ["expect-no-changes", "--expect-no-changes"],
  ]
    .filter(([input]) => step.with?.[input] === true)
    .map(([, flag]) => flag);
  return ["pulumi", command, ...flags].join(" ");
}

function githubJobs(file: string): Array<[string, GithubJob]> {
  return Object.entries((load(file).jobs ?? {}) as Record<string, GithubJob>);
}

function githubCommands(file: string): string[] {
  return githubJobs(file).flatMap(([, job]) =>
    job.steps.flatMap((step) => {
      if (step.uses?.startsWith("pulumi/actions@")) {
        const command = actionCommand(step);
        return command ? [command] : [];
      }
      return typeof step.run === "string" ? step.run.split("\n").flatMap(pulumiCommands) : [];
    }),
  );
}

function gitlabJobs(): Array<[string, GitlabJob]> {
  const reserved = new Set(["stages", "default", "variables", "include", "workflow", "image"]);
  return Object.entries(load(gitlabFile)).filter(([name]) => !reserved.has(name)) as Array<
    [string, GitlabJob]
  >;
}

function gitlabCommands(): string[] {
  return gitlabJobs().flatMap(([, job]) =>
    [...(job.script ?? []), ...(job.after_script ?? [])].flatMap(pulumiCommands),
  );
}

const CREDENTIAL = /PASSWORD|TOKEN|SECRET|PASSPHRASE|CA_CERT|CLIENT_KEY|ACCESS_KEY/i;

/** Every env entry of a workflow: top level, jobs, steps. */
function githubEnv(file: string): Array<[string, unknown]> {
  const workflow = load(file);
  const entries: Array<[string, unknown]> = Object.entries((workflow.env ?? {}) as Json);
  for (const [, job] of githubJobs(file)) {
    entries.push(...Object.entries(job.env ?? {}));
    for (const step of job.steps) entries.push(...Object.entries(step.env ?? {}));
  }
  return entries;
}

describe("CI workflows (examples/ci)", () => {
  it("are GitHub Actions workflows for a pull request preview, a main-branch up and a scheduled drift check, plus .gitlab-ci.yml", () => {
    const names = workflows.map((f) => relative(githubDir, f)).sort();
    expect(names).to.deep.equal(["pulumi-drift.yml", "pulumi-preview.yml", "pulumi-up.yml"]);
    const on = (name: string) => load(join(githubDir, name)).on as Json;
    expect(on("pulumi-preview.yml")).to.have.property("pull_request");
    expect(on("pulumi-up.yml")).to.have.nested.property("push.branches").that.deep.equals(["main"]);
    expect(on("pulumi-drift.yml")).to.have.property("schedule");
    expect(gitlabJobs().map(([name]) => name)).to.have.members(["preview", "up", "drift"]);
  });

  it("parse as YAML without errors or warnings", () => {
    for (const file of [...workflows, gitlabFile]) load(file);
  });

  it("post the preview with --diff on the pull request through the official pulumi/actions", () => {
    const [, job] = githubJobs(join(githubDir, "pulumi-preview.yml"))[0];
    const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(step?.with).to.include({ command: "preview", diff: true, "comment-on-pr": true });
    expect(step?.with?.["github-token"]).to.equal(`\${{ secrets.GITHUB_TOKEN }}`);
  });

  it("run only pulumi commands that docs/ci.md names", () => {
    const commands = [...workflows.flatMap(githubCommands), ...gitlabCommands()];
    expect(commands).to.include.members([
      "pulumi preview --diff --refresh",
      "pulumi up --diff --refresh",
      "pulumi refresh --preview-only --expect-no-changes --diff --non-interactive",
    ]);
    expect(commands.filter((c) => !page.includes(c))).to.deep.equal([]);
  });

  it("take credentials only from the CI's secret store", () => {
    for (const file of workflows) {
      for (const [name, value] of githubEnv(file)) {
        if (CREDENTIAL.test(name))
          expect(value, `${relative(repoRoot, file)}: env ${name}`).to.match(
            /^\$\{\{ secrets\.[A-Z_]+ \}\}$/,
          );
      }
      // Any expression that reads a credential reads it from secrets.
      const text = readFileSync(file, "utf8");
      for (const [, expr] of text.matchAll(/\$\{\{\s*([^}]*?)\s*\}\}/g))
        if (CREDENTIAL.test(expr)) expect(expr, relative(repoRoot, file)).to.match(/^secrets\.[A-Z_]+$/);
    }
    // GitLab: credentials are CI/CD variables set in the project, never in the file.
    const gitlab = load(gitlabFile);
    for (const scope of [gitlab.variables, ...gitlabJobs().map(([, job]) => job.variables)]) {
      for (const name of Object.keys((scope ?? {}) as Json))
        expect(name, ".gitlab-ci.yml variables").not.to.match(CREDENTIAL);
    }
    for (const file of [...workflows, gitlabFile]) {
      const text = readFileSync(file, "utf8");
      expect(text, relative(repoRoot, file)).not.to.include("-----BEGIN");
      expect(text, relative(repoRoot, file)).not.to.match(/--secret\b|config set .*password/i);
      expect(text, relative(repoRoot, file)).not.to.match(
        /(password|passphrase|token)\s*[:=]\s*["']?(?![$"'\s])[^\s"']{4,}/i,
      );
    }
  });

  it("fail the drift jobs on drift: a preview-only refresh that expects no changes, not allowed to fail", () => {
    const drift = githubJobs(join(githubDir, "pulumi-drift.yml"));
    const github = githubCommands(join(githubDir, "pulumi-drift.yml"));
    const [, gitlab] = gitlabJobs().find(([name]) => name === "drift") ?? [];
    for (const command of [...github, ...(gitlab?.script ?? []).flatMap(pulumiCommands)]) {
      expect(command).to.match(/^pulumi refresh /);
      expect(command).to.include("--preview-only").and.include("--expect-no-changes");
    }
    expect(github).to.have.lengthOf(1);
    for (const [, job] of drift) {
      expect(job["continue-on-error"]).to.equal(undefined);
      for (const step of job.steps) expect(step["continue-on-error"]).to.equal(undefined);
    }
    expect(gitlab?.allow_failure).to.equal(undefined);
  });

  it("protect up and drift: production's environment (GitHub) and protected variables (GitLab); the preview reads with its own account", () => {
    const job = (name: string) =>
      githubJobs(join(githubDir, name))[0]?.[1] as GithubJob & { environment?: unknown };
    expect(job("pulumi-up.yml").environment).to.equal("production");
    expect(job("pulumi-drift.yml").environment).to.equal("production");
    expect(job("pulumi-preview.yml").environment).to.equal(undefined);
    expect(job("pulumi-preview.yml").env).to.include({
      ONTAP_USERNAME: `\${{ vars.ONTAP_PREVIEW_USERNAME }}`,
      ONTAP_PASSWORD: `\${{ secrets.ONTAP_PREVIEW_PASSWORD }}`,
    });
    for (const name of ["pulumi-up.yml", "pulumi-drift.yml"])
      expect(job(name).env, name).to.include({
        ONTAP_USERNAME: `\${{ vars.ONTAP_USERNAME }}`,
        ONTAP_PASSWORD: `\${{ secrets.ONTAP_PASSWORD }}`,
      });
    const jobs = Object.fromEntries(gitlabJobs()) as Record<string, GitlabJob & { environment?: unknown }>;
    expect(jobs.up.environment).to.equal("production");
    expect(jobs.drift.environment).to.deep.equal({ name: "production", action: "verify" });
    expect(jobs.preview.script?.[0]).to.match(
      /^export ONTAP_USERNAME="\$ONTAP_PREVIEW_USERNAME" ONTAP_PASSWORD="\$ONTAP_PREVIEW_PASSWORD"$/,
    );
    // docs/ci.md names the preview's account and its role.
    expect(page).to.include("ONTAP_PREVIEW_PASSWORD").and.include("releases.md");
  });

  it("run in a GitLab image of a Node the package supports and the Pulumi CLI the suite runs; pulumi/actions at its current major, v6", () => {
    const image = (load(gitlabFile).default as Json).image as string;
    const m = /^pulumi\/pulumi-nodejs-(\d+):(\d+\.\d+\.\d+)$/.exec(image);
    expect(m, image).to.not.equal(null);
    expect(["20", "22"]).to.include(m?.[1]);
    const install = readFileSync(join(repoRoot, "tools/pulumi-cli/install.sh"), "utf8");
    expect(`v${m?.[2]}`).to.equal(/^PULUMI_VERSION=(v[\d.]+)$/m.exec(install)?.[1]);
    // The package's engines start at a Node 20 or 22 release: the image's major is in range.
    const engines = (
      JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const lowest = Number(/(\d+)/.exec(engines)?.[1]);
    expect(Number(m?.[1]), `engines ${engines}`).to.be.at.least(lowest);
    const uses = workflows.flatMap((f) =>
      githubJobs(f).flatMap(([, j]) => j.steps.map((step) => step.uses ?? "")),
    );
    expect(uses.filter((u) => u.startsWith("pulumi/actions@")))
      .to.have.length(3)
      .and.to.satisfy((all: string[]) => all.every((u) => u === "pulumi/actions@v6"));
  });

  it("finds the pulumi commands of a shell line", () => {
    expect(pulumiCommands('pulumi preview --diff --color never --stack "$S" 2>&1 | tee p.txt')).to.deep.equal(
      ["pulumi preview --diff --color never"],
    );
    expect(pulumiCommands("npm ci && pulumi up --yes")).to.deep.equal(["pulumi up --yes"]);
  });
});
