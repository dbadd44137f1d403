/**
 * What the tools' command lines share (`npm run simulator`, `bench`, `explore`, `docs:*`,
 * tools/ci): node:util's {@link parseArgs}, strict, with its errors worded as the tools word them
 * ("unknown argument: --x", "--x needs a value", "--x takes no value"), the checks of a
 * numeric flag, and what a tool does with `--help` and with a command line it refuses.
 * Each tool keeps its own flags and usage text.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** The flags of a command line, as node:util's {@link parseArgs} takes them. */
export type Flags = NonNullable<ParseArgsConfig["options"]>;

/** How {@link parseFlags} parses: positional arguments, and `--no-<flag>` for boolean flags. */
export interface ParseSettings {
  /** Accept positional arguments (default: refused, as an unknown argument). */
  positionals?: boolean;
  /** Accept `--no-<flag>` for each boolean flag, setting it false; the last one given wins (default: no). */
  negative?: boolean;
}

type Parsed<T extends Flags> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: T;
    strict: true;
    allowPositionals: boolean;
    allowNegative: boolean;
  }>
>;

/**
 * Parses `argv` against `flags` with node:util's {@link parseArgs} (strict); throws an Error
 * whose message is one the user can act on. A value that starts with "-" and a digit
 * (`--seed -5`, `--timezone -08:00`) is taken as the value of the string flag before it,
 * where node:util would call it a missing value.
 */
export function parseFlags<const T extends Flags>(
  argv: readonly string[],
  flags: T,
  settings: ParseSettings = {},
): Parsed<T> {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([\w-]+)$/.exec(argv[i])?.[1];
    if (name !== undefined && flags[name]?.type === "string" && /^-\d/.test(argv[i + 1] ?? ""))
      args.push(`--${name}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  try {
    return parseArgs({
      args,
      options: flags,
      strict: true,
      allowPositionals: settings.positionals ?? false,
      allowNegative: settings.negative ?? false,
    });
  } catch (e) {
    throw new Error(readable(e as Error & { code?: string }));
  }
}

/** node:util's parse errors, as the tools word them. */
function readable(e: Error & { code?: string }): string {
  const flag = /'(-[\w-]+|--[\w-]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown argument: ${flag ?? e.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing|ambiguous/.test(e.message)
        ? `${flag} needs a value`
        : `${flag} takes no value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unknown argument: ${/argument '([^']*)'/.exec(e.message)?.[1] ?? e.message}`;
    default:
      return e.message;
  }
}

/** A flag's value as a whole number of at least `min`; throws naming the flag otherwise. */
export function wholeNumber(flag: string, text: string, min = Number.NEGATIVE_INFINITY): number {
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min) {
    const range = min === Number.NEGATIVE_INFINITY ? "" : ` ≥ ${min}`;
    throw new Error(`${flag} needs a whole number${range}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** A parsed command line: `--help`, or the options the tool runs with. */
export type CommandLine<T> = { help: true } | { help: false; options: T };

/**
 * A tool's command line, read with its `parse`: the options to run with; or, for `--help`,
 * `usage` printed to stdout and exit code 0; or, when `parse` throws, its message and
 * `usage` printed to stderr and exit code 2.
 */
export function readCommandLine<T>(
  argv: string[],
  parse: (argv: string[]) => CommandLine<T>,
  usage: string,
): { options: T } | { exitCode: 0 | 2 } {
  let line: CommandLine<T>;
  try {
    line = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return { exitCode: 2 };
  }
  if (line.help) {
    process.stdout.write(`${usage}\n`);
    return { exitCode: 0 };
  }
  return { options: line.options };
}

/**
 * The `parse` of {@link readCommandLine} for a tool whose options are its flags' values as
 * they are (a `help` flag among them asks for the usage).
 */
export function flagValues<const T extends Flags>(
  flags: T,
): (argv: string[]) => CommandLine<Parsed<T>["values"]> {
  return (argv) => {
    const { values } = parseFlags(argv, flags);
    return (values as { help?: boolean }).help ? { help: true } : { help: false, options: values };
  };
}
