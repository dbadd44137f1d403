/**
 * What one run has read of one cluster, with when: the cluster record, the SVM list, which
 * SVMs have a service, the active iSCSI sessions, and which SVMs a preflight saw without
 * a service. Each read is shared by every resource of the run on that cluster; a failed
 * read is not kept, so a later caller asks again.
 */
import { type ClusterRecord, isAsaR2Record, readCluster } from "./api/cluster";
import { listServices } from "./api/protocols-san-iscsi-services";
import { listSvms, type SvmRecord } from "./api/svm-svms";
import type { ReleaseKnowledge } from "./iscsi/releases";
import { clusterSessions, type SvmSessions } from "./iscsi/sessions";
import type { OntapClient } from "./ontap/client";
import { classify } from "./ontap/failures";
import type { RunOwnership } from "./ownership";
import { svmKeys } from "./values";

/** How long "this SVM had no service" seen by a preflight counts as proof for a lost create. */
const ABSENCE_EVIDENCE_MS = 10 * 60_000;

/**
 * How old the snapshot of a cluster's SVMs and services may be when a preflight answers
 * from it; older, it is read again. Long enough that a preview of thousands of services
 * reads it once, short enough that a change made on the cluster during a preview shows.
 */
export const SNAPSHOT_MAX_AGE_MS = 30_000;

/** What `/api/cluster` told this run, or why it could not. */
export type ClusterInfo =
  | { ok: true; record: ClusterRecord }
  /** `refused`: a 403 (code 6), as an SVM-scoped account gets. */
  | { ok: false; refused: boolean; error: unknown };

/** An SVM's identity as a cluster lists it. */
export interface SvmIdentity {
  uuid: string;
  name: string;
}

/** The cluster's SVMs (with the preflight's fields) and which of them have an iSCSI service, as read at `readAt`. */
export interface Inventory {
  /** When the older of the two reads was sent (ms since the epoch): what it shows is at least this recent. */
  readAt: number;
  svms: SvmRecord[];
  /** Lower-case UUIDs of the SVMs that have an iSCSI service. */
  serviced: Set<string>;
}

interface Timed<T> {
  at: number;
  value: Promise<T>;
}

/** Keeps a read's promise with when it was sent; a failed read is not kept. */
function keep<T>(
  read: () => Promise<T>,
  slot: (t: Timed<T> | undefined) => void,
  current: () => Timed<T> | undefined,
): Timed<T> {
  const timed = { at: Date.now(), value: read() };
  slot(timed);
  timed.value.catch(() => {
    if (current() === timed) slot(undefined);
  });
  return timed;
}

export class ClusterCache {
  readonly #absent = new Map<string, number>();
  #cluster: Promise<ClusterInfo> | undefined;
  #sessions: Promise<Map<string, SvmSessions>> | undefined;
  #svms: Timed<SvmRecord[]> | undefined;
  #services: Timed<Set<string>> | undefined;

  constructor(
    private readonly client: OntapClient,
    private readonly releases: ReleaseKnowledge,
    /** The run's writes: services this run made are in the snapshot even if a read missed them. */
    private readonly ownership: RunOwnership,
  ) {}

  /**
   * The cluster's release and personality, read once per run (`/api/cluster`); a 403 says
   * the account is SVM-scoped. A transport failure is not kept, so a later call asks again.
   */
  clusterInfo(): Promise<ClusterInfo> {
    if (!this.#cluster) {
      const read: Promise<ClusterInfo> = readCluster(this.client, this.releases).then(
        (record) => ({ ok: true, record }),
        (error: unknown) => ({ ok: false, refused: classify(error).notAuthorized, error }),
      );
      this.#cluster = read;
      void read.then((info) => {
        if (!info.ok && classify(info.error).unreachable && this.#cluster === read) this.#cluster = undefined;
      });
    }
    return this.#cluster;
  }

  /**
   * Active iSCSI sessions per SVM (lower-case UUID), read once per run for every preview
   * warning on this cluster (one collection GET); a failed read is not kept.
   */
  sessionsBySvm(): Promise<Map<string, SvmSessions>> {
    if (!this.#sessions) {
      const read = clusterSessions(this.client);
      this.#sessions = read;
      read.catch(() => {
        if (this.#sessions === read) this.#sessions = undefined;
      });
    }
    return this.#sessions;
  }

  /**
   * Whether the cluster is ASA r2; false when the account may not read `/api/cluster` (an
   * SVM-scoped account): a delete on ASA r2 then meets 5376452 and leaves the service in place.
   */
  async isAsaR2(): Promise<boolean> {
    const info = await this.clusterInfo();
    if (info.ok) return isAsaR2Record(info.record);
    if (info.refused) return false;
    throw info.error;
  }

  /**
   * A preflight saw this SVM without a service (evidence for a create whose answer is lost).
   * `seenAt`: when the read that showed it was sent (a snapshot's is older than now).
   */
  recordNoService(svm: { name?: string; uuid?: string }, seenAt = Date.now()): void {
    for (const key of svmKeys(svm)) this.#absent.set(key, seenAt);
  }

  /** Whether this run saw, shortly before, that the SVM had no service. */
  sawNoService(svm: { name?: string; uuid?: string }): boolean {
    return svmKeys(svm).some((k) => Date.now() - (this.#absent.get(k) ?? 0) < ABSENCE_EVIDENCE_MS);
  }

  /** A create or adopt of this run holds the service of this SVM now: the snapshot shows it. */
  addService(svmUuid: string): void {
    const uuid = svmUuid.toLowerCase();
    this.#services?.value.then(
      (serviced) => serviced.add(uuid),
      () => undefined,
    );
  }

  /**
   * The cluster's SVMs by UUID: the snapshot's SVM list, whatever its age (UUIDs and names
   * change only by a rename), read once when there is none: the cluster's identity as far
   * as the provider needs one, since an SVM's UUID is unique across clusters. The
   * duplicate-SVM check and the preflight share this one read.
   */
  async svmDirectory(): Promise<Map<string, SvmIdentity>> {
    const svms = await (this.#svms ?? this.#readSvms()).value;
    return new Map(svms.map((svm) => [svm.uuid.toLowerCase(), { uuid: svm.uuid, name: svm.name }]));
  }

  /** The UUID of the SVM with this name, from the directory; undefined when the cluster has none. */
  async svmUuidOf(name: string): Promise<string | undefined> {
    for (const svm of (await this.svmDirectory()).values()) if (svm.name === name) return svm.uuid;
    return undefined;
  }

  /**
   * The snapshot of the cluster's SVMs and services the preflight answers from once a run
   * checks more than one new service here: two collection GETs (every page, only the needed
   * fields), read again when older than {@link SNAPSHOT_MAX_AGE_MS}. This process's own
   * writes keep it true: a create or adoption adds its service, a delete drops the service part.
   */
  async inventory(): Promise<Inventory> {
    const fresh = (t: Timed<unknown> | undefined) =>
      t !== undefined && Date.now() - t.at <= SNAPSHOT_MAX_AGE_MS;
    const svms = fresh(this.#svms) && this.#svms ? this.#svms : this.#readSvms();
    const services = fresh(this.#services) && this.#services ? this.#services : this.#readServices();
    const [svmList, serviced] = await Promise.all([svms.value, services.value]);
    return { readAt: Math.min(svms.at, services.at), svms: svmList, serviced };
  }

  /** A delete of this run may have removed a service: the snapshot's services are read again when next needed. */
  forgetServices(): void {
    this.#services = undefined;
  }

  #readSvms(): Timed<SvmRecord[]> {
    return keep(
      () => listSvms(this.client, this.releases),
      (t) => {
        this.#svms = t;
      },
      () => this.#svms,
    );
  }

  #readServices(): Timed<Set<string>> {
    return keep(
      async () => {
        const records = await listServices(this.client, {}, { fields: "svm.uuid,svm.name" });
        const serviced = new Set(records.map((r) => r.svm.uuid.toLowerCase()));
        // Writes made while the read was under way are not in its answer.
        for (const uuid of this.ownership.writtenUuids()) serviced.add(uuid);
        return serviced;
      },
      (t) => {
        this.#services = t;
      },
      () => this.#services,
    );
  }
}
