/**
 * What a run works from, derived from the story and the driver: the program's registrations
 * in their arrival order, the state as the invariants read it, the services resources leave,
 * and the lines that describe them in a transcript.
 */
import type { Driver, ProgramResource, StateEntry } from "./driver";
import type { StateView } from "./invariants";
import { serviceKey } from "./records";
import { ALIASES, argsOf, entryKey, type OutOfBand, type ProgramEntry } from "./story";

/** The program's registrations in the order they reach the engine this run (`order`: sort keys). */
export function arrivals(program: ProgramEntry[], order: number[]): ProgramResource[] {
  const keyed = program.map((entry, i) => ({ entry, key: order[i % Math.max(1, order.length)] ?? 0, i }));
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map(({ entry }) => ({
    name: entry.name,
    aliases: entry.aliases,
    args: argsOf(entry),
    ...(entry.spec.deleteBeforeReplace === undefined
      ? {}
      : { deleteBeforeReplace: entry.spec.deleteBeforeReplace }),
  }));
}

/** The state as invariants read it: the resources, and the old ones of replacements still to delete. */
export function stateViews(
  driver: Driver,
  clusterOf: (entry: StateEntry) => number | undefined,
  program?: ProgramEntry[],
): StateView[] {
  const view = (s: StateEntry, leaving: boolean): StateView => {
    const c = clusterOf(s);
    // The program names it, and another service than the one it records: it is moving away.
    const entry = program?.find((e) => e.name === s.name);
    const moving =
      !leaving &&
      c !== undefined &&
      entry !== undefined &&
      entryKey(entry) !== serviceKey(c, s.outputs.svmUuid);
    return {
      name: s.name,
      rid: s.rid,
      outputs: s.outputs,
      cluster: c,
      ...(leaving ? { leaving } : {}),
      ...(moving ? { moving } : {}),
    };
  };
  return [
    ...[...driver.state.values()].map((s) => view(s, false)),
    ...driver.pendingDeletes.map((s) => view(s, true)),
  ];
}

/**
 * The services that resources in state leave in this run, and which resources (rids) leave
 * each: removed from the program (by name and aliases), or now naming another SVM or
 * cluster. An adopt of one is a hand-over.
 */
export function leaving(
  driver: Driver,
  program: ProgramEntry[],
  clusterOfState: (entry: StateEntry) => number | undefined,
): Map<string, Set<number>> {
  const left = new Map<string, Set<number>>();
  for (const s of [...driver.state.values(), ...driver.pendingDeletes]) {
    const c = clusterOfState(s);
    if (c === undefined) continue;
    const key = serviceKey(c, s.outputs.svmUuid);
    const entry = program.find((e) => e.name === s.name || e.aliases.includes(s.name));
    if ((entry && entryKey(entry)) !== key) left.set(key, new Set([...(left.get(key) ?? []), s.rid]));
  }
  return left;
}

/** An event outside Pulumi, in a line. */
export function describeEvent(e: OutOfBand): string {
  const where = `cluster ${"ab"[e.cluster]}`;
  if (e.kind === "finish-jobs" || e.kind === "purge-jobs") return `${e.kind} on ${where}`;
  const extra =
    e.kind === "create-service"
      ? ` enabled=${e.enabled} alias=${JSON.stringify(ALIASES[e.alias] ?? null)}`
      : e.kind === "set-enabled"
        ? ` ${e.enabled}`
        : e.kind === "svm-state"
          ? ` ${e.state}`
          : e.kind === "login"
            ? ` ${e.hosts}`
            : "";
  return `${e.kind} ${where} svm#${e.svm}${extra}`;
}

/** A registration, in a line. */
export function describeResource(r: ProgramResource): string {
  const opts = [
    ...(r.aliases.length ? [`aliases=${r.aliases.join(",")}`] : []),
    ...(r.deleteBeforeReplace === undefined ? [] : [`deleteBeforeReplace=${r.deleteBeforeReplace}`]),
  ];
  return `${r.name} ${JSON.stringify(r.args)}${opts.length ? ` (${opts.join(", ")})` : ""}`;
}
