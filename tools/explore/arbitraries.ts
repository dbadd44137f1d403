/**
 * fast-check arbitraries for stories (./story): small stacks (one to four resources on
 * two clusters of three SVMs each) changed in every way users change them, runs of every
 * kind, faults, slow and held jobs, and an administrator at work before and during runs.
 * Weights lean towards what finds trouble: `up` runs, adopt, hand-overs (swap, move,
 * rename) and `--parallel` above one.
 */
import fc from "fast-check";
import type {
  Change,
  ClusterStart,
  FaultSpecGen,
  JobMode,
  OutOfBand,
  Profile,
  ResourceSpec,
  RunSpec,
  Story,
} from "./story";

const svm = fc.integer({ min: 0, max: 2 });
const cluster = fc.integer({ min: 0, max: 1 });
const alias = fc.integer({ min: 0, max: 3 });
const index = fc.nat({ max: 7 });
const weighted = <T>(...pairs: Array<[number, fc.Arbitrary<T>]>) =>
  fc.oneof(...pairs.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const profile: fc.Arbitrary<Profile> = weighted(
  [6, fc.constant("default" as const)],
  [1, fc.constant("west" as const)],
  [2, fc.constant("east" as const)],
);

export const resourceSpec: fc.Arbitrary<ResourceSpec> = fc.record(
  {
    svm,
    profile,
    enabled: weighted([4, fc.constant(true)], [1, fc.constant(false)]),
    alias,
    adopt: fc.boolean(),
    protect: weighted([3, fc.constant(false)], [1, fc.constant(true)]),
    byUuid: weighted([6, fc.constant(false)], [1, fc.constant(true)]),
    deleteBeforeReplace: fc.boolean(),
  },
  { requiredKeys: ["svm", "profile", "enabled", "alias", "adopt", "protect", "byUuid"] },
);

export const change: fc.Arbitrary<Change> = weighted<Change>(
  [2, resourceSpec.map((spec) => ({ op: "add" as const, spec }))],
  [2, index.map((at) => ({ op: "remove" as const, at }))],
  [2, fc.record({ op: fc.constant("rename" as const), at: index, alias: fc.boolean() })],
  [3, fc.record({ op: fc.constant("move" as const), at: index, svm })],
  [1, fc.record({ op: fc.constant("profile" as const), at: index, profile })],
  [3, fc.record({ op: fc.constant("swap" as const), at: index, with: index })],
  [
    3,
    fc.record({
      op: fc.constant("toggle" as const),
      at: index,
      field: fc.constantFrom("enabled" as const, "adopt" as const, "protect" as const),
    }),
  ],
  [2, fc.record({ op: fc.constant("alias" as const), at: index, alias })],
  [
    1,
    fc.record({
      op: fc.constant("dbr" as const),
      at: index,
      value: fc.option(fc.boolean(), { nil: undefined }),
    }),
  ],
  [1, fc.constant({ op: "follow" as const })],
);

export const outOfBand: fc.Arbitrary<OutOfBand> = weighted<OutOfBand>(
  [
    2,
    fc.record({ kind: fc.constant("create-service" as const), cluster, svm, enabled: fc.boolean(), alias }),
  ],
  [1, fc.record({ kind: fc.constant("delete-service" as const), cluster, svm })],
  [2, fc.record({ kind: fc.constant("set-enabled" as const), cluster, svm, enabled: fc.boolean() })],
  [1, fc.record({ kind: fc.constant("set-alias" as const), cluster, svm, alias })],
  [
    3,
    fc.record({ kind: fc.constant("login" as const), cluster, svm, hosts: fc.integer({ min: 1, max: 2 }) }),
  ],
  [1, fc.record({ kind: fc.constant("logout" as const), cluster, svm })],
  [
    1,
    fc.record({
      kind: fc.constant("svm-state" as const),
      cluster,
      svm,
      state: fc.constantFrom("stopped" as const, "running" as const),
    }),
  ],
  [1, fc.record({ kind: fc.constant("rename-svm" as const), cluster, svm })],
  [2, fc.record({ kind: fc.constant("finish-jobs" as const), cluster })],
  [1, fc.record({ kind: fc.constant("purge-jobs" as const), cluster })],
);

export const fault: fc.Arbitrary<FaultSpecGen> = fc.record({
  cluster: weighted([3, fc.constant(0)], [1, fc.constant(1)]),
  kind: weighted(
    [2, fc.constant("429" as const)],
    [2, fc.constant("503" as const)],
    [2, fc.constant("reset-after" as const)],
    [1, fc.constant("hang" as const)],
    [1, fc.constant("job-failure" as const)],
  ),
  method: fc.constantFrom(
    "GET" as const,
    "POST" as const,
    "PATCH" as const,
    "DELETE" as const,
    "any" as const,
  ),
  target: fc.constantFrom(
    "service" as const,
    "services" as const,
    "sessions" as const,
    "svms" as const,
    "jobs" as const,
  ),
  times: fc.integer({ min: 1, max: 2 }),
});

export const jobMode: fc.Arbitrary<JobMode> = weighted<JobMode>(
  [6, fc.constant({ mode: "sync" as const })],
  [2, fc.constantFrom(300, 5_000).map((delayMs) => ({ mode: "late" as const, delayMs }))],
  [2, fc.constant({ mode: "held" as const })],
);

export const runSpec: fc.Arbitrary<RunSpec> = fc.record({
  kind: weighted(
    [10, fc.constant("up" as const)],
    [3, fc.constant("preview" as const)],
    [4, fc.constant("refresh" as const)],
    [2, fc.constant("destroy" as const)],
  ),
  changes: fc.array(change, { maxLength: 3 }),
  parallel: weighted([1, fc.constant(1)], [2, fc.constant(2)], [3, fc.constant(4)], [2, fc.constant(8)]),
  order: fc.array(fc.nat({ max: 9 }), { minLength: 6, maxLength: 6 }),
  preflight: weighted([4, fc.constant(true)], [1, fc.constant(false)]),
  previewFirst: weighted([1, fc.constant(true)], [1, fc.constant(false)]),
  jobs: jobMode,
  faults: fc.array(fault, { maxLength: 2 }),
  before: fc.array(outOfBand, { maxLength: 2 }),
  during: fc.array(outOfBand, { maxLength: 2 }),
  after: fc.constantFrom(0, 0, 5_000, 600_000),
});

export const clusterStart: fc.Arbitrary<ClusterStart> = fc.record({
  services: fc.uniqueArray(fc.record({ svm, enabled: fc.boolean(), alias }), {
    maxLength: 2,
    selector: (s) => s.svm,
  }),
  sessions: fc.array(fc.record({ svm, hosts: fc.integer({ min: 1, max: 2 }) }), { maxLength: 2 }),
});

export const story: fc.Arbitrary<Story> = fc.record({
  clusters: fc.tuple(clusterStart, clusterStart),
  program: fc.array(resourceSpec, { minLength: 1, maxLength: 4 }),
  // The first run is an up: the stack exists before the changes of the others.
  runs: fc
    .tuple(runSpec, fc.array(runSpec, { minLength: 1, maxLength: 4 }))
    .map(([first, rest]) => [{ ...first, kind: "up" as const, changes: [] }, ...rest]),
});
