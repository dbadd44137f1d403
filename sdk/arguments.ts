/**
 * The one place the data sources check their arguments (not exported from the package).
 * A data source starts with {@link takes}, which refuses an argument it does not take,
 * and then asks the returned {@link ArgumentCheck} for each check, in the order its
 * messages should win; the SVM and the connection profile are checked in the words `check`
 * uses for the resource's inputs.
 */
import { validateInputs } from "../provider/iscsi/validate";

/** Records per request (ONTAP `max_records`) when the arguments leave `pageSize` out. */
const DEFAULT_PAGE_SIZE = 500;

/** The checks of one call's arguments; every failure is a TypeError naming the function. */
export class ArgumentCheck<A extends object> {
  readonly #args: Record<string, unknown>;

  constructor(
    readonly fn: string,
    args: A,
  ) {
    this.#args = args as Record<string, unknown>;
  }

  /** Throws the first problem with these members, as the resource's `check` words it (svmName, svmUuid, cluster). */
  inputs(...keys: Array<keyof A & string>): this {
    const given = Object.fromEntries(keys.map((k) => [k, this.#args[k]]).filter(([, v]) => v !== undefined));
    const [failure] = validateInputs(given).failures.filter((f) =>
      keys.includes(f.property as keyof A & string),
    );
    if (failure) this.#fail(failure.reason);
    return this;
  }

  /** Whether a true-or-false member is true; throws when it is set to anything but a boolean. */
  flag(key: keyof A & string): boolean {
    const value = this.#args[key];
    if (value !== undefined && typeof value !== "boolean") this.#fail(`${key} must be true or false.`);
    return value === true;
  }

  /** Throws when a member that holds an ONTAP pattern is set but empty, or not a string; `what` says what it takes. */
  pattern(key: keyof A & string, what: string): this {
    const value = this.#args[key];
    if (value !== undefined && (typeof value !== "string" || value === ""))
      this.#fail(`${key} must be ${what}.`);
    return this;
  }

  /** `pageSize`, or {@link DEFAULT_PAGE_SIZE} when absent; throws unless it is a whole number of at least 1. */
  pageSize(): number {
    const pageSize = this.#args.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || (pageSize as number) < 1)
      this.#fail(`pageSize must be a whole number of at least 1, got ${pageSize}.`);
    return pageSize as number;
  }

  /** Throws unless the member is one of `allowed`. */
  oneOf<T>(key: keyof A & string, allowed: readonly T[]): this {
    const value = this.#args[key];
    if (!allowed.includes(value as T))
      this.#fail(`${key} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}.`);
    return this;
  }

  /** Throws unless the member is a date and time ONTAP's way (`example` shows one). */
  timestamp(key: keyof A & string, example: string): this {
    const value = this.#args[key];
    if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
      this.#fail(
        `${key} must be an ISO 8601 date and time such as "${example}", got ${JSON.stringify(value)}.`,
      );
    return this;
  }

  #fail(reason: string): never {
    throw new TypeError(`${this.fn}: ${reason}`);
  }
}

/**
 * The arguments of data source `fn`, which takes exactly `known`: throws for any other key
 * (a misspelt key would otherwise widen the query silently), naming what it takes, and
 * returns the checks of the members it does take.
 */
export function takes<A extends object>(
  fn: string,
  args: A,
  known: ReadonlyArray<keyof A & string>,
): ArgumentCheck<A> {
  const unknown = Object.keys(args).filter((key) => !known.includes(key as keyof A & string));
  if (unknown.length > 0)
    throw new TypeError(
      `${fn}: ${unknown.map((k) => JSON.stringify(k)).join(", ")} ${unknown.length === 1 ? "is not an argument" : "are not arguments"}; it takes ${known.join(", ")}.`,
    );
  return new ArgumentCheck(fn, args);
}
