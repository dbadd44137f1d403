/**
 * The `pulumi` commands the docs show a user: in shell code blocks (run as scripts by
 * test/cli/docs-commands.test.ts) and in inline code spans. Read from README.md, docs/*.md and
 * examples/*\/README.md, so that a command added to any of them is covered without a test change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../tools/paths";

/** One line of a doc, by its 1-based line number. */
export interface DocLine {
  line: number;
  text: string;
}

/** A fenced shell block (```sh, ```bash, ```shell). */
export interface ShellBlock {
  /** Relative to the repository root. */
  file: string;
  /** The line of the opening fence. */
  line: number;
  lines: DocLine[];
}

/** An inline code span holding a `pulumi …` command. */
export interface InlineCommand {
  file: string;
  line: number;
  /** The span's text, e.g. `ONTAP_PREFLIGHT=false pulumi up --replace <urn>`. */
  text: string;
}

/** README.md, docs/*.md and examples/*\/README.md, relative to the repository root. */
export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  const examples = fs
    .readdirSync(path.join(repoRoot, "examples"), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && fs.existsSync(path.join(repoRoot, "examples", entry.name, "README.md")),
    )
    .map((entry) => `examples/${entry.name}/README.md`);
  return ["README.md", ...docs.sort(), ...examples.sort()];
}

const readLines = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8").split("\n");

const FENCE = /^\s*(```+|~~~+)\s*([\w-]*)/;
const SHELL = new Set(["sh", "bash", "shell", "console"]);

/** The doc's lines outside fenced blocks, and its fenced blocks with their language. */
function split(file: string): { prose: DocLine[]; blocks: Array<ShellBlock & { language: string }> } {
  const prose: DocLine[] = [];
  const blocks: Array<ShellBlock & { language: string }> = [];
  let open: (ShellBlock & { language: string; fence: string }) | undefined;
  readLines(file).forEach((text, i) => {
    const fence = FENCE.exec(text);
    if (open) {
      if (fence?.[1].startsWith(open.fence) && fence[2] === "") {
        blocks.push(open);
        open = undefined;
      } else open.lines.push({ line: i + 1, text });
    } else if (fence) {
      open = { file, line: i + 1, lines: [], language: fence[2], fence: fence[1] };
    } else prose.push({ line: i + 1, text });
  });
  return { prose, blocks };
}

/** The shell blocks of a doc. */
export function shellBlocks(file: string): ShellBlock[] {
  return split(file)
    .blocks.filter((b) => SHELL.has(b.language))
    .map(({ file: f, line, lines }) => ({ file: f, line, lines }));
}

/**
 * Inline code spans whose command is `pulumi …` (env assignments allowed before it): in the
 * prose, and in the comments of shell blocks (`# or \`pulumi login\` to yours`).
 */
export function inlineCommands(file: string): InlineCommand[] {
  const { prose, blocks } = split(file);
  const comments = blocks
    .filter((b) => SHELL.has(b.language))
    .flatMap((b) => b.lines)
    .map(({ line, text }) => ({ line, text: text.slice(withoutComment(text).length) }));
  const found: InlineCommand[] = [];
  for (const { line, text } of [...prose, ...comments].sort((a, b) => a.line - b.line)) {
    for (const [, span] of text.matchAll(/`([^`]+)`/g)) {
      if (/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*pulumi\s+[a-z]/.test(span)) found.push({ file, line, text: span });
    }
  }
  return found;
}

/**
 * Where a doc says `pulumi <word>` at all (outside other words such as `pulumi-ontap-iscsi`
 * or `@pulumi/pulumi`): a command that is neither in a shell block nor in an inline span
 * would escape the suite.
 */
export function pulumiMentions(file: string): DocLine[] {
  return readLines(file)
    .map((text, i) => ({ line: i + 1, text }))
    .filter(({ text }) => /(^|[^\w/@.-])pulumi +[a-z]/.test(text));
}

/** A shell line without its trailing comment (a `#` after white space, outside quotes). */
export function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/**
 * The simple commands of a shell line, split at `&&`, `||`, `;`, `|` and `&` outside quotes
 * and `$(…)`, each trimmed, comments removed.
 */
export function simpleCommands(line: string): string[] {
  const text = withoutComment(line);
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      current += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "$" && text[i + 1] === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0 && (c === ";" || c === "|" || c === "&")) {
      out.push(current.trim());
      current = "";
      if (text[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  out.push(current.trim());
  return out.filter((c) => c !== "");
}

/** Whether a simple command runs `pulumi` (after any `VAR=value` assignments). */
export function isPulumiCommand(command: string): boolean {
  return /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*pulumi(\s|$)/.test(command);
}

/** The `pulumi` commands of a shell block, in order. */
export function blockPulumiCommands(block: ShellBlock): string[] {
  return block.lines.flatMap(({ text }) => simpleCommands(text).filter(isPulumiCommand));
}
