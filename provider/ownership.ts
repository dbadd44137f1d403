/**
 * One owner per iSCSI service within a run. The provider process of an engine operation
 * sees every Check, Create and Delete of that operation, though never a URN; this registry
 * uses what it sees:
 * - Check: two resources that name the same SVM (by name, by UUID, in any case, through
 *   any address of the cluster) are refused before any write. The engine checks a resource
 *   a second time, with no old inputs, right after Diff asked to replace it
 *   (pulumi/pulumi pkg/resource/deploy/step_generator.go, "recompute the default values"):
 *   that re-check keeps its first claim.
 * - Create and adopt record the service they made or took over; an adopt refuses a service
 *   that another resource of this run made or took over.
 * - Delete leaves alone a service that another resource of this run made or took over (a
 *   renamed resource with `adopt: true`: the engine creates the new one, then deletes the old).
 * - An adopt and a delete of one SVM's service never interleave (`exclusive`): the engine runs
 *   different resources' steps in parallel, and a hand-over (one resource leaves an SVM while
 *   another adopts it) must see either the service before the delete or none after it.
 * Untargeted resources of a `--target` run are not checked by the engine, so they claim nothing.
 */

import { randomBytes } from "node:crypto";
import { classify } from "./ontap/failures";
import { svmKeys } from "./values";

/** An SVM as inputs name it: by name, by UUID, or both. */
export interface SvmRef {
  name?: string;
  uuid?: string;
}

/** What the registry asks of a cluster (a ClusterSession): its address, and its SVM list. */
export interface ClaimCluster {
  readonly host: string;
  /** Set once the cluster was found unreachable in this run. */
  unreachable: unknown;
  readonly cache: { svmUuidOf(name: string): Promise<string | undefined> };
}

/** The SVM a checked resource names, as far as it is known. */
export interface SvmClaim {
  run: ClaimCluster;
  name?: string;
  /** Lower case. */
  uuid?: string;
  /**
   * Lower case: the UUID in the state of a resource that was in the stack before this run
   * (learnt from its Diff). A new resource is compared against it; resources already in
   * the stack are not, so that a run of unchanged resources sends no request.
   */
  stateUuid?: string;
}

/** The program's protectActiveSessions for the delete of a replaced resource's old service. */
export interface ReplacementGuard {
  svm: SvmRef;
  host: string;
  on: boolean;
}

/** A create or delete of this run in flight on one SVM (at `host`); `done` settles when it ends. */
interface InFlight {
  svm: SvmRef;
  host: string;
  done: Promise<void>;
}

/** Whether two in-flight operations are on one SVM: by UUID, or by name at the same address. */
function sameTarget(a: Omit<InFlight, "done">, b: Omit<InFlight, "done">): boolean {
  if (a.svm.uuid !== undefined && b.svm.uuid !== undefined)
    return a.svm.uuid.toLowerCase() === b.svm.uuid.toLowerCase();
  return a.host === b.host && a.svm.name !== undefined && a.svm.name === b.svm.name;
}

/** How a create of this run came to hold a service. */
export type WriteKind = "created" | "adopted";

interface Registered {
  owner: number;
  claim: SvmClaim;
  /** Checked with old inputs: a resource that was in the stack before this run. */
  existing: boolean;
  /** Its old inputs named the SVM it claims now (same profile): it stays on it, not moving onto it. */
  stays: boolean;
  /** Checked again after its diff asked for a replacement: it leaves its old SVM. */
  replaced: boolean;
}

/** Serializes inputs with sorted keys, so that equal inputs compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function sameSvm(a: SvmClaim, b: SvmClaim, withState = false): boolean {
  const ua = withState ? (a.uuid ?? a.stateUuid) : a.uuid;
  const ub = withState ? (b.uuid ?? b.stateUuid) : b.uuid;
  if (ua !== undefined && ub !== undefined) return ua === ub;
  return a.run.host === b.run.host && a.name !== undefined && a.name === b.name;
}

/** The UUID of a claim's SVM from its cluster's directory; unchanged when it cannot be looked up. */
async function resolveUuid(claim: SvmClaim): Promise<void> {
  // A cluster found unreachable in this run is not asked again (the preflight warned once).
  if (claim.uuid !== undefined || claim.name === undefined || claim.run.unreachable !== undefined) return;
  try {
    claim.uuid = (await claim.run.cache.svmUuidOf(claim.name))?.toLowerCase();
  } catch (err) {
    // Unreachable or refused: the textual comparison is all there is.
    if (classify(err).unreachable) claim.run.unreachable = err;
  }
}

/** The run's registry of which resource holds which SVM's service. */
export class RunOwnership {
  readonly #checked: Registered[] = [];
  readonly #written = new Map<string, { kind: WriteKind; claimId: string }>();
  /** The same writes by {@link svmKeys}: by UUID and by name on its cluster. */
  readonly #wroteKeys = new Set<string>();
  #nextOwner = 1;
  #lastCheck: { owner: number; news: string } | undefined;
  #recheck: { owner: number; news: string } | undefined;
  /** SVM keys ("uuid:…", "name:<host>/…") of replacements this run checked: the guard the program sets for it. */
  readonly #replacementGuard = new Map<string, boolean>();
  /** The same, by the claim id in the replaced resource's state: its own delete, and no other resource's. */
  readonly #replacementGuardByClaim = new Map<string, boolean>();
  /** What the last Check noted for its replacement, until that resource's Diff settles it. */
  #notedGuard: ReplacementGuard | undefined;
  /** Creates of this run in flight (waiting their turn or running), with the SVM their inputs name. */
  readonly #creating = new Set<InFlight>();
  /** Deletes of this run in flight, with the SVM of the service they delete. */
  readonly #deleting = new Set<InFlight>();
  /** The tail of each SVM's (lower-case UUID) queue of exclusive sections. */
  readonly #locks = new Map<string, Promise<void>>();

  /**
   * Runs `section` alone among this run's sections on the same SVM: decisions made inside
   * (who holds the service, is it still there) hold until it ends.
   */
  async exclusive<T>(svmUuid: string, section: () => Promise<T>): Promise<T> {
    const key = svmUuid.toLowerCase();
    const before = this.#locks.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.#locks.set(key, tail);
    await before;
    try {
      return await section();
    } finally {
      release();
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }

  /** Diff asked to replace the resource checked last: its re-check is the same resource. */
  expectRecheck(): void {
    this.#recheck = this.#lastCheck;
  }

  /** A check that registers nothing (its SVM is not known yet) still ends a pending re-check. */
  forget(): void {
    this.#recheck = undefined;
    this.#lastCheck = undefined;
  }

  /**
   * Every Check: whether this run's program moves the resource off `guard.svm` of the
   * cluster at `guard.host` (undefined: it does not). Its delete (the replacement's) follows
   * the program's protectActiveSessions, not the old state's — turned off, it may end
   * sessions; turned on, it refuses while hosts are logged in. Noted by Check (old inputs),
   * settled by the resource's Diff (its state).
   */
  noteReplacementGuard(guard: ReplacementGuard | undefined): void {
    this.#notedGuard = guard;
  }

  /**
   * The Diff of the resource checked last: when it replaces, the noted guard applies to the
   * delete of the state carrying `claimId` — not to another resource's delete of the same SVM
   * (a removed twin that two records of one service left keeps its own). State without a
   * claim id (written before claim ids) falls back to the SVM: only that SVM of that cluster.
   */
  settleReplacementGuard(claimId: string | undefined, replaces: boolean): void {
    const noted = this.#notedGuard;
    this.#notedGuard = undefined;
    if (!noted || !replaces) return;
    if (claimId !== undefined) this.#replacementGuardByClaim.set(claimId, noted.on);
    else for (const key of svmKeys(noted.svm, noted.host)) this.#replacementGuard.set(key, noted.on);
  }

  /**
   * Whether the delete of this state (its SVM, its claim id) is guarded: the program's
   * setting when it is a replacement of this run, else state's.
   */
  guarded(
    svm: { uuid?: string; name?: string },
    host: string,
    claimId: string | undefined,
    inState: boolean,
  ): boolean {
    if (claimId !== undefined) return this.#replacementGuardByClaim.get(claimId) ?? inState;
    for (const key of svmKeys(svm, host)) {
      const set = this.#replacementGuard.get(key);
      if (set !== undefined) return set;
    }
    return inState;
  }

  /**
   * Registers the SVM a checked resource names and returns an earlier claim of another
   * resource on the same SVM, if any. With `lookUp`, names are resolved to UUIDs through
   * each cluster's SVM directory where a name alone cannot decide (another address, or a
   * claim by UUID): one request per cluster and run.
   */
  async check(
    claim: SvmClaim,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    lookUp: boolean,
  ): Promise<SvmClaim | undefined> {
    const text = stableJson(news);
    const recheck = this.#recheck;
    this.#recheck = undefined;
    const owner =
      recheck !== undefined && recheck.news === text && Object.keys(olds).length === 0
        ? recheck.owner
        : this.#nextOwner++;
    this.#lastCheck = { owner, news: text };
    const others = this.#checked.filter((r) => r.owner !== owner).map((r) => r.claim);
    const own = this.#checked.find((r) => r.owner === owner);
    if (own) {
      own.claim = claim;
      own.replaced = true;
    } else
      this.#checked.push({
        owner,
        claim,
        existing: Object.keys(olds).length > 0,
        stays: namesSameSvm(olds, news),
        replaced: false,
      });
    // A new resource is also compared with the SVM UUIDs in the state of the others (an SVM
    // renamed outside Pulumi, still named by its old name in the program).
    const isNew = Object.keys(olds).length === 0;
    if (lookUp) {
      const needsUuid = (a: SvmClaim, b: SvmClaim) =>
        b.uuid !== undefined || (isNew && b.stateUuid !== undefined) || b.run.host !== a.run.host;
      if (others.some((o) => needsUuid(claim, o))) await resolveUuid(claim);
      await Promise.all(others.filter((o) => needsUuid(o, claim)).map(resolveUuid));
    }
    return others.find((o) => sameSvm(o, claim, isNew));
  }

  /**
   * The Diff of the resource checked last (one in state, so the engine diffs it right after
   * its Check): its SVM's UUID from state. A claim by a name the cluster no longer has (the
   * SVM renamed outside Pulumi) resolved to nothing; the UUID finds the resource that names
   * the SVM by its new name. Returns that other claim, if any.
   */
  async confirmUuid(svmUuid: string, lookUp: boolean): Promise<SvmClaim | undefined> {
    const last = this.#lastCheck;
    const own = last && this.#checked.find((r) => r.owner === last.owner);
    if (!own || own.claim.uuid !== undefined) return undefined;
    own.claim.stateUuid = svmUuid.toLowerCase();
    // Only new resources are compared, and their names looked up (they send requests
    // anyway): a run of unchanged resources sends none.
    const added = this.#checked.filter((r) => r !== own && !r.existing).map((r) => r.claim);
    if (lookUp) await Promise.all(added.map(resolveUuid));
    return added.find((o) => sameSvm(o, own.claim, true));
  }

  /**
   * The Diff of the resource checked last found no replacement: it stays on the service in
   * its state, also when its profile changed to another address of the same cluster (which
   * Check, comparing profile names, could not tell).
   */
  staysOnLast(svmUuid: string): void {
    const last = this.#lastCheck;
    const own = last && this.#checked.find((r) => r.owner === last.owner);
    if (!own?.existing) return;
    own.stays = true;
    own.claim.stateUuid ??= svmUuid.toLowerCase();
  }

  /**
   * Runs a create of this run on the SVM `svm` names at `host`, after the deletes of this
   * run on the same SVM that started before it: a service the POST makes is then never one
   * such a delete, still under way, takes for the one it is deleting. Deletes that start
   * while it runs wait for it (see {@link deleting}); each waits only for what started
   * earlier, so neither waits for the other.
   */
  creating<T>(svm: SvmRef, host: string, create: () => Promise<T>): Promise<T> {
    return this.#inTurn(this.#creating, this.#deleting, { svm, host }, create);
  }

  /**
   * Runs a delete of this run of the service of `svm` at `host`, after the creates of this
   * run on the same SVM that started before it: a delete must not take the service a create
   * is making (a POST whose job has not ended yet is not recorded as this run's write).
   * Around the delete's exclusive section, which an adopting create may need.
   */
  deleting<T>(svm: { uuid: string; name: string }, host: string, section: () => Promise<T>): Promise<T> {
    return this.#inTurn(this.#deleting, this.#creating, { svm, host }, section);
  }

  /** Registers `op` in `mine`, waits for the entries of `theirs` on the same SVM registered before it, then runs it. */
  async #inTurn<T>(
    mine: Set<InFlight>,
    theirs: Set<InFlight>,
    at: Omit<InFlight, "done">,
    op: () => Promise<T>,
  ): Promise<T> {
    const earlier = [...theirs].filter((e) => sameTarget(e, at));
    let finish = () => {};
    const entry: InFlight = { ...at, done: new Promise<void>((resolve) => (finish = resolve)) };
    mine.add(entry);
    try {
      await Promise.all(earlier.map((e) => e.done));
      return await op();
    } finally {
      mine.delete(entry);
      finish();
    }
  }

  /**
   * A create of this run made or took over the service of this SVM (at `host`): the run's
   * one registry of writes. Returns the claim id its outputs record.
   */
  recordWrite(svm: { uuid: string; name: string }, host: string, kind: WriteKind): string {
    const claimId = newClaimId();
    this.#written.set(svm.uuid.toLowerCase(), { kind, claimId });
    for (const key of svmKeys(svm, host)) this.#wroteKeys.add(key);
    return claimId;
  }

  /** Whether a create or adopt of this run made or took over the service on this SVM (named either way). */
  wrote(svm: { uuid?: string; name?: string }, host: string): boolean {
    return svmKeys(svm, host).some((key) => this.#wroteKeys.has(key));
  }

  /** The lower-case SVM UUIDs whose service this run made or took over. */
  writtenUuids(): Iterable<string> {
    return this.#written.keys();
  }

  /**
   * How another resource of this run came to hold this SVM's service (made or took it
   * over), or undefined. `claimId` is the asking resource's own (from its state): the
   * resource this run's create wrote is not "another".
   */
  heldByAnother(svmUuid: string, claimId: string | undefined): WriteKind | undefined {
    const written = this.#written.get(svmUuid.toLowerCase());
    return written === undefined || written.claimId === claimId ? undefined : written.kind;
  }

  /**
   * Who else holds the service a delete is about to remove, in words, or undefined: a
   * create or adopt of this run, or a resource that was in the stack before this run, is
   * checked in it, stays on this SVM (not replaced) and so is not the one being deleted —
   * e.g. a renamed resource whose adopt succeeded in an earlier run that stopped before
   * the old resource's delete.
   */
  otherHolder(
    svm: { uuid: string; name: string },
    host: string,
    claimId: string | undefined,
  ): string | undefined {
    const written = this.heldByAnother(svm.uuid, claimId);
    if (written) return `${written} by another resource of this run`;
    const uuid = svm.uuid.toLowerCase();
    const staying = this.#checked.find(
      (r) =>
        r.existing &&
        r.stays &&
        !r.replaced &&
        ((r.claim.uuid ?? r.claim.stateUuid) !== undefined
          ? (r.claim.uuid ?? r.claim.stateUuid) === uuid
          : r.claim.run.host === host && r.claim.name === svm.name),
    );
    return staying ? "managed by another resource of this stack that stays on it" : undefined;
  }
}

/**
 * Whether old and new inputs name the same SVM on the same profile (each identifier the new
 * inputs give equals the old one): a resource that stays, as opposed to one moving onto an
 * SVM another resource is leaving in the same run.
 */
function namesSameSvm(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (Object.keys(olds).length === 0 || (olds.cluster ?? "") !== (news.cluster ?? "")) return false;
  const same = (key: "svmName" | "svmUuid") =>
    news[key] === undefined ||
    (typeof news[key] === "string" &&
      typeof olds[key] === "string" &&
      (news[key] as string).toLowerCase() === (olds[key] as string).toLowerCase());
  return (news.svmName !== undefined || news.svmUuid !== undefined) && same("svmName") && same("svmUuid");
}

/** A fresh claim id: what a resource's state records of the create, adopt or import that gave it its service. */
export function newClaimId(): string {
  return randomBytes(6).toString("hex");
}
