import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect } from "chai";
import { repoRoot } from "../../tools/paths";
import { USAGE } from "../../tools/simulator/cli";

const readmePath = join(repoRoot, "README.md");
const readme = readFileSync(readmePath, "utf8");
const docsDir = join(repoRoot, "docs");
const pages = readdirSync(docsDir)
  .filter((name) => name.endsWith(".md"))
  .map((name) => join(docsDir, name));

/** The link targets of a Markdown text, outside code blocks, code spans and HTML comments. */
function linkTargets(markdown: string): string[] {
  const prose = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? "");
}

/** Links that are not URLs: paths inside this repository. */
function relativeLinks(markdown: string): string[] {
  return linkTargets(markdown).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The repository package.json names; the README links into it by absolute URLs. */
const repository = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { repository: { url: string } }
).repository.url
  .replace(/^git\+/, "")
  .replace(/\.git$/, "");

/**
 * The repository paths of the README's links into the repository
 * (`<repository>/blob/main/docs/ci.md`, `<repository>/tree/main/examples/ci`), with the kind.
 */
function repositoryLinks(markdown: string): Array<{ target: string; kind: string; path: string }> {
  return linkTargets(markdown)
    .filter((target) => target.startsWith(`${repository}/`))
    .map((target) => {
      const m = /^\/(blob|tree)\/main\/(.+)$/.exec(target.slice(repository.length));
      return { target, kind: m?.[1] ?? "", path: m?.[2] ?? "" };
    });
}

describe("README and docs pages", () => {
  it("the README stays short: at most 210 lines", () => {
    expect(readme.split("\n").length).to.be.at.most(210);
  });

  it("gives the two set-up commands and the test command CI runs", () => {
    expect(readme).to.include("npm ci && npm run demo");
    expect(readme).to.include("npm ci && npm test");
    const ci = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    expect(ci).to.match(/^npm test$/m);
    expect(ci).to.match(/^npm run test:cli$/m);
    expect(readme).to.include("npm run test:cli");
  });

  it("links every page of docs/", () => {
    const linked = new Set(repositoryLinks(readme).map((link) => resolve(repoRoot, link.path)));
    const unlinked = pages.filter((page) => !linked.has(page)).map((page) => relative(repoRoot, page));
    expect(unlinked).to.deep.equal([]);
  });

  it("README.md links by absolute URLs into the repository, which work on the npm page too", () => {
    expect(repository).to.match(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(relativeLinks(readme), "relative links: npm's page resolves them nowhere").to.deep.equal([]);
    const links = repositoryLinks(readme);
    expect(links).to.not.be.empty;
    const broken = links.filter(({ kind, path }) => {
      const file = resolve(repoRoot, decodeURI(path));
      if (path === "" || path.includes("#") || !existsSync(file)) return true;
      return (kind === "tree") !== statSync(file).isDirectory();
    });
    expect(
      broken.map((l) => l.target),
      "links to no file of the repository (blob: a file, tree: a folder)",
    ).to.deep.equal([]);
  });

  for (const file of pages) {
    const name = relative(repoRoot, file);
    it(`${name}: every relative link names an existing file, without an anchor`, () => {
      const broken = relativeLinks(readFileSync(file, "utf8")).filter(
        (target) => target.includes("#") || !existsSync(resolve(dirname(file), decodeURI(target))),
      );
      expect(broken, `broken or anchored links in ${name}`).to.deep.equal([]);
    });
  }

  it("finds the links a page has, and not those in code", () => {
    const text = [
      'See [a](docs/a.md) and [b](../b.md "title").',
      "```sh",
      "echo [c](c.md)",
      "```",
      "`[d](d.md)` <!-- [e](e.md) --> [f](https://example.com)",
    ].join("\n");
    expect(linkTargets(text)).to.deep.equal(["docs/a.md", "../b.md", "https://example.com"]);
  });

  it("says what a delete does to logged-in hosts: ends their sessions with a warning, or refuses with protectActiveSessions", () => {
    const claim = readme.split("\n- **").find((item) => /^[^*]*delete/i.test(item)) ?? "";
    expect(claim).to.not.match(/cannot cut hosts off/i);
    expect(claim).to.match(/ends\s+the SVM's iSCSI sessions/);
    expect(claim).to.include("protectActiveSessions: true");
    expect(claim).to.match(/refuses/);
    expect(claim).to.match(/failed DELETE\s+re-enables/);
  });

  it("docs/simulator.md and tools/simulator/README.md document every flag `--help` lists, and offer no --http", () => {
    const flags = [...new Set(USAGE.match(/(?<=^\s+|\s)--[a-z][\w-]*/gm) ?? [])];
    expect(flags).to.include.members([
      "--port",
      "--unlicensed",
      "--stopped",
      "--nvme",
      "--iscsi-not-allowed",
    ]);
    const page = readFileSync(join(docsDir, "simulator.md"), "utf8");
    const simulatorReadme = readFileSync(join(repoRoot, "tools", "simulator", "README.md"), "utf8");
    for (const flag of flags.filter((f) => f !== "--help")) {
      expect(page, "docs/simulator.md").to.include(`\`${flag}`);
      expect(simulatorReadme, "tools/simulator/README.md").to.include(`\`${flag}`);
    }
    expect(page).to.include("npm run simulator -- --help");
    expect(page).to.not.match(/\[--http\]|`--http` serves/);
  });

  it("tools/simulator/README.md cites no file outside the repository", () => {
    const simulatorReadme = readFileSync(join(repoRoot, "tools", "simulator", "README.md"), "utf8");
    expect(simulatorReadme).to.not.match(/`\/(work|home|tmp|Users)\//);
  });
});
