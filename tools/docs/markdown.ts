/**
 * The small Markdown toolkit the page generators share: table cells, tables, and the
 * generated blocks that a hand-written page carries between two markers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus as cpusOf } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../paths";

/** The docs directory of this checkout. */
export const docsDir = join(repoRoot, "docs");

/**
 * Text made safe for a table cell: `|` escaped everywhere (GitHub honors `\|` inside code
 * spans in tables), `&`, `<` and `>` escaped outside code spans, newlines as spaces.
 */
export function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .split("`")
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
    )
    .join("`")
    .replace(/\|/g, "\\|");
}

/** A Markdown table; `align` is one of "l" or "r" per column (default left). Cells are used as given. */
export function table(header: string[], rows: string[][], align: string[] = []): string {
  const rule = header.map((_, c) => (align[c] === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** The opening marker of generated block `name`, naming the command that writes it. */
export function blockStart(name: string, command: string): string {
  return `<!-- generated:${name} by \`${command}\`: do not edit by hand -->`;
}

/** The closing marker of generated block `name`. */
export function blockEnd(name: string): string {
  return `<!-- /generated:${name} -->`;
}

/**
 * `page` with the text between the markers of block `name` replaced by `body`. Throws when
 * the page lacks either marker, so that a renamed block is noticed, not silently skipped.
 * @internal test-only
 */
export function replaceBlock(page: string, name: string, command: string, body: string): string {
  const open = new RegExp(`<!-- generated:${name}[ >][^\\n]*-->\\n`);
  const start = open.exec(page);
  const end = page.indexOf(blockEnd(name));
  if (!start || end === -1 || end < start.index)
    throw new Error(
      `the page has no generated block "${name}" (${blockStart(name, command)} … ${blockEnd(name)})`,
    );
  return `${page.slice(0, start.index)}${blockStart(name, command)}\n${body.trimEnd()}\n${page.slice(end)}`;
}

/** Replaces several blocks of the page file `docs/<file>` in place. */
export function updateBlocks(file: string, command: string, blocks: Record<string, string>): string {
  const path = join(docsDir, file);
  let page = readFileSync(path, "utf8");
  for (const [name, body] of Object.entries(blocks)) page = replaceBlock(page, name, command, body);
  writeFileSync(path, page);
  return path;
}

/** "2026-12-01 02:13 UTC" */
export function utcStamp(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** 1375 → "1,375" */
export function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

/** The machine a measurement ran on, as the pages state it: "Node v20.20.2, 2 CPUs (model)". */
export function machine(): string {
  const cpus = cpusOf();
  return `Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown model"})`;
}
