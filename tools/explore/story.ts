/**
 * A story: two clusters as an administrator left them, a stack's program, and a sequence of
 * runs (preview, up, refresh, destroy), each after a change of the program, with faults,
 * job behavior and events outside Pulumi before and during it. Stories are data, so that
 * fast-check generates and shrinks them (./arbitraries) and a regression case is a literal.
 */
import { serviceKey } from "./records";

/** Where a resource's connection points: the default (cluster a), "west" (cluster a by another address), "east" (cluster b). */
export type Profile = "default" | "west" | "east";

/** The cluster a profile reaches (index into CLUSTERS). */
export function clusterOf(profile: Profile): number {
  return profile === "east" ? 1 : 0;
}

/** An SVM as seeded: its name and fixed UUID (fixed, so that runs replay). */
export interface SvmSeedName {
  name: string;
  uuid: string;
}

/**
 * The two clusters. Both have an SVM named "svm1" (with different UUIDs), as a DR pair or
 * two sites do; cluster a is reachable by two addresses.
 */
export const CLUSTERS: ReadonlyArray<{ hosts: readonly string[]; svms: readonly SvmSeedName[] }> = [
  {
    hosts: ["cluster-a.test", "cluster-a-mgmt.test"],
    svms: [
      { name: "svm1", uuid: "a1000000-0000-4000-8000-000000000001" },
      { name: "svm2", uuid: "a2000000-0000-4000-8000-000000000002" },
      { name: "svm3", uuid: "a3000000-0000-4000-8000-000000000003" },
    ],
  },
  {
    hosts: ["cluster-b.test"],
    svms: [
      { name: "svm1", uuid: "b1000000-0000-4000-8000-000000000001" },
      { name: "svm4", uuid: "b4000000-0000-4000-8000-000000000004" },
      { name: "svm5", uuid: "b5000000-0000-4000-8000-000000000005" },
    ],
  },
];

/** targetAlias choices: left to ONTAP's default, two names, cleared. */
export const ALIASES: ReadonlyArray<string | undefined> = [undefined, "db-a", "db-b", ""];

/** A resource as generated: SVM by index into its cluster's SVMs. */
export interface ResourceSpec {
  svm: number;
  profile: Profile;
  enabled: boolean;
  /** Index into ALIASES. */
  alias: number;
  adopt: boolean;
  protect: boolean;
  /** Name the SVM by its UUID instead of its name. */
  byUuid: boolean;
  /** The `deleteBeforeReplace` resource option; undefined: the provider's diff decides. */
  deleteBeforeReplace?: boolean;
}

/** A change to the program before a run; `at`/`with` index the program (modulo its length). */
export type Change =
  | { op: "add"; spec: ResourceSpec }
  | { op: "remove"; at: number }
  /** A new name; with `alias`, the resource option `aliases: [{ name: <old> }]`. */
  | { op: "rename"; at: number; alias: boolean }
  | { op: "move"; at: number; svm: number }
  | { op: "profile"; at: number; profile: Profile }
  /** Two resources exchange their SVMs (and profiles): a hand-over both ways. */
  | { op: "swap"; at: number; with: number }
  | { op: "toggle"; at: number; field: "enabled" | "adopt" | "protect" }
  | { op: "alias"; at: number; alias: number }
  | { op: "dbr"; at: number; value: boolean | undefined }
  /** Every resource names its SVM as the cluster now calls it (after a rename outside Pulumi). */
  | { op: "follow" };

/** Something an administrator (or the cluster) does outside Pulumi. `svm` indexes the cluster's SVMs. */
export type OutOfBand =
  | { kind: "create-service"; cluster: number; svm: number; enabled: boolean; alias: number }
  | { kind: "delete-service"; cluster: number; svm: number }
  | { kind: "set-enabled"; cluster: number; svm: number; enabled: boolean }
  | { kind: "set-alias"; cluster: number; svm: number; alias: number }
  /** Hosts log in (at once where the service is enabled, else when it next is). */
  | { kind: "login"; cluster: number; svm: number; hosts: number }
  | { kind: "logout"; cluster: number; svm: number }
  | { kind: "svm-state"; cluster: number; svm: number; state: "stopped" | "running" }
  /** `vserver rename`: "<name>" ↔ "<name>-dr". */
  | { kind: "rename-svm"; cluster: number; svm: number }
  /** Held jobs end now, their work applied (or failed, for a job-failure fault). */
  | { kind: "finish-jobs"; cluster: number }
  /** Finished jobs are purged now (a GET of one then answers 404). */
  | { kind: "purge-jobs"; cluster: number };

/** Requests a fault matches. */
export type FaultTarget = "service" | "services" | "sessions" | "svms" | "jobs";

/** A fault for one run: on `times` matching requests of one cluster. */
export interface FaultSpecGen {
  cluster: number;
  kind: "429" | "503" | "reset-after" | "hang" | "job-failure";
  method: "GET" | "POST" | "PATCH" | "DELETE" | "any";
  target: FaultTarget;
  times: number;
}

/** How writes run during a run: synchronously; as jobs that end after `delayMs`; as jobs held until finish-jobs. */
export type JobMode = { mode: "sync" } | { mode: "late"; delayMs: number } | { mode: "held" };

/** One `pulumi preview | up | refresh | destroy`, and what happens around it. */
export interface RunSpec {
  kind: "preview" | "up" | "refresh" | "destroy";
  /** Applied to the program before the run (the program stays changed afterwards). */
  changes: Change[];
  /** `--parallel`. */
  parallel: number;
  /** Sort keys: the order in which the program's registrations reach the engine. */
  order: number[];
  /** `ontap:preflight`. */
  preflight: boolean;
  /**
   * For an up: the preview `pulumi up` runs first (the CLI's default); false is
   * `--skip-preview` (and the Automation API's up). Absent in cases kept before it existed,
   * which ran without a preview.
   */
  previewFirst?: boolean;
  jobs: JobMode;
  faults: FaultSpecGen[];
  /** Outside Pulumi, before the run starts. */
  before: OutOfBand[];
  /** Outside Pulumi, at points of the run the scheduler chooses. */
  during: OutOfBand[];
  /** Virtual time that passes after the run (jobs end, finished jobs are purged). */
  after: number;
}

/** What the clusters hold before the first run. */
export interface ClusterStart {
  /** SVMs (by index) with a service an administrator made. */
  services: Array<{ svm: number; enabled: boolean; alias: number }>;
  /** Hosts logged in (or waiting to), per SVM index. */
  sessions: Array<{ svm: number; hosts: number }>;
}

export interface Story {
  clusters: ClusterStart[];
  program: ResourceSpec[];
  runs: RunSpec[];
}

/** A resource of the program as written, with the names resolved. */
export interface ProgramEntry {
  /** Stable through the story: the base of its name. */
  id: number;
  name: string;
  renames: number;
  aliases: string[];
  svm: number;
  /** The SVM name the program writes (it may be out of date after a rename outside Pulumi). */
  svmName: string;
  spec: ResourceSpec;
}

/** The cluster's current name of one of its seeded SVMs. */
export type SvmNames = (cluster: number, svm: number) => string;

function entryOf(id: number, spec: ResourceSpec, names: SvmNames): ProgramEntry {
  return {
    id,
    name: `r${id}`,
    renames: 0,
    aliases: [],
    svm: spec.svm,
    svmName: names(clusterOf(spec.profile), spec.svm),
    spec,
  };
}

/** The program before the first run. */
export function initialProgram(specs: ResourceSpec[], names: SvmNames): ProgramEntry[] {
  return specs.map((spec, i) => entryOf(i + 1, spec, names));
}

/** The program after one change (a new array; entries are copied when changed). */
export function applyChange(program: ProgramEntry[], change: Change, names: SvmNames): ProgramEntry[] {
  if (change.op === "add") {
    const id = Math.max(0, ...program.map((e) => e.id)) + 1;
    return [...program, entryOf(id, change.spec, names)];
  }
  if (change.op === "follow")
    return program.map((e) => ({ ...e, svmName: names(clusterOf(e.spec.profile), e.svm) }));
  if (program.length === 0) return program;
  const i = change.at % program.length;
  const e = program[i];
  const next = [...program];
  const set = (entry: ProgramEntry) => {
    next[i] = entry;
    return next;
  };
  const onSvm = (entry: ProgramEntry, svm: number, profile: Profile): ProgramEntry => ({
    ...entry,
    svm,
    svmName: names(clusterOf(profile), svm),
    spec: { ...entry.spec, svm, profile },
  });
  switch (change.op) {
    case "remove":
      next.splice(i, 1);
      return next;
    case "rename":
      return set({
        ...e,
        renames: e.renames + 1,
        name: `r${e.id}-v${e.renames + 1}`,
        aliases: change.alias ? [e.name] : [],
      });
    case "move":
      return set(onSvm(e, change.svm, e.spec.profile));
    case "profile":
      return set(onSvm(e, e.svm, change.profile));
    case "swap": {
      const j = change.with % program.length;
      if (j === i) return program;
      const other = program[j];
      next[i] = onSvm(e, other.svm, other.spec.profile);
      next[j] = onSvm(other, e.svm, e.spec.profile);
      return next;
    }
    case "toggle":
      return set({ ...e, spec: { ...e.spec, [change.field]: !e.spec[change.field] } });
    case "alias":
      return set({ ...e, spec: { ...e.spec, alias: change.alias } });
    case "dbr":
      return set({ ...e, spec: withOption(e.spec, change.value) });
  }
}

function withOption(spec: ResourceSpec, value: boolean | undefined): ResourceSpec {
  const { deleteBeforeReplace: _, ...rest } = spec;
  return value === undefined ? rest : { ...rest, deleteBeforeReplace: value };
}

/** The resource's inputs as the program passes them to `new IscsiService(name, args)`. */
export function argsOf(entry: ProgramEntry): Record<string, unknown> {
  const { spec } = entry;
  const cluster = clusterOf(spec.profile);
  const args: Record<string, unknown> = spec.byUuid
    ? { svmUuid: CLUSTERS[cluster].svms[entry.svm].uuid }
    : { svmName: entry.svmName };
  args.enabled = spec.enabled;
  const alias = ALIASES[spec.alias];
  if (alias !== undefined) args.targetAlias = alias;
  if (spec.profile !== "default") args.cluster = spec.profile;
  args.adopt = spec.adopt;
  if (spec.protect) args.protectActiveSessions = true;
  return args;
}

/** The service (key) a program entry names: its SVM on the cluster its profile reaches. */
export function entryKey(entry: ProgramEntry): string {
  const cluster = clusterOf(entry.spec.profile);
  return serviceKey(cluster, CLUSTERS[cluster].svms[entry.svm].uuid);
}
