import { findServiceByUuid, listServices } from "../api/protocols-san-iscsi-services";
import type { OntapClient } from "../ontap/client";
import { classify } from "../ontap/failures";
import type { IscsiServiceRecord } from "./model";

/**
 * The quiet gap that ends a burst of reads when nothing suggests more are coming: a lone
 * read waits this long, well under one management-network round trip.
 */
export const BATCH_WINDOW_MS = 3;

/** The longest the first read of a burst waits while more keep arriving. */
export const MAX_BATCH_WAIT_MS = 250;

/**
 * How old a snapshot of the cluster's services may be and still answer a read: its GET was
 * sent at most this long before the read arrived. A refresh must report drift, so this is
 * the staleness bound of a batched refresh; writes made through the same client end a
 * snapshot at once (`OntapClient.writeEpoch`).
 */
export const SNAPSHOT_MAX_AGE_MS = 2_000;

/** Keeps each collection URL well under the 8 KB request line that web servers accept by default. */
const MAX_URL_LENGTH = 6144;
// "/api/protocols/san/iscsi/services?svm.uuid=" + fields parameter, rounded up.
const URL_OVERHEAD = 200;

interface Waiter {
  svmUuid: string;
  resolve(record: IscsiServiceRecord | undefined): void;
  reject(err: unknown): void;
}

/** The whole services collection of the cluster, as one GET saw it. */
interface Snapshot {
  /** Records by lower-case SVM UUID; an SVM absent from it has no service. */
  records: Map<string, IscsiServiceRecord>;
  /** When its GET was sent (performance.now()). */
  sentAt: number;
  /** The client's write epoch when its GET was sent. */
  epoch: number;
}

/** A GET of the whole collection in flight: reads that arrive meanwhile join it. */
interface Collection {
  waiters: Waiter[];
  epoch: number;
}

/** Options of a ReadBatcher. */
export interface ReadBatcherOptions {
  /** One GET per read: no coalescing, no snapshot (the benchmark's baseline). Default false. */
  singleReads?: boolean;
  /** Default SNAPSHOT_MAX_AGE_MS. */
  snapshotMaxAgeMs?: number;
}

/**
 * Answers the reads (refresh) of one cluster's services with as few requests as it can.
 * Each read gets its own record, `undefined` (gone), or its own error:
 * - a lone read (no other read of the cluster in flight or within SNAPSHOT_MAX_AGE_MS):
 *   one GET of that service, exactly as without batching;
 * - reads that come together, or one after another: one GET of the whole collection (only
 *   the needed fields, every page followed), kept as a snapshot. Reads that arrive while it
 *   is in flight join it; later ones are answered from it while it is younger than
 *   SNAPSHOT_MAX_AGE_MS and no write went through the client since it was sent. A cluster
 *   holds at most one service per SVM, so the answer is bounded.
 * A failed collection GET falls back to smaller requests (URL-sized `svm.uuid=a|b|…`
 * chunks → one GET per service) so that one bad record or UUID fails only its own read,
 * except when the failure says the cluster itself cannot answer (unreachable, overloaded,
 * credentials refused): then every read waiting on it gets the error, without a storm of
 * retries.
 */
export class ReadBatcher {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private firstArrival = 0;
  private lastArrival = 0;
  /** Reads received so far: tells whether any arrived while a flush was deferred. */
  private arrivals = 0;
  /** Requests (a lone GET, a collection, a fallback) sent and not yet settled. */
  private inFlight = 0;
  /** Whether the pending burst follows other reads: then it is read as a collection, even for one SVM. */
  private pendingFollows = false;
  private lastRead = Number.NEGATIVE_INFINITY;
  private snapshot: Snapshot | undefined;
  private collecting: Collection | undefined;
  private readonly maxAgeMs: number;

  constructor(
    private readonly client: OntapClient,
    private readonly options: ReadBatcherOptions = {},
  ) {
    this.maxAgeMs = options.snapshotMaxAgeMs ?? SNAPSHOT_MAX_AGE_MS;
  }

  /** The live record of the service on this SVM, or undefined when it (or the SVM) is gone. */
  read(svmUuid: string): Promise<IscsiServiceRecord | undefined> {
    const uuid = svmUuid.toLowerCase();
    if (this.options.singleReads) return findServiceByUuid(this.client, uuid);
    const now = performance.now();
    const follows = this.inFlight > 0 || now - this.lastRead < this.maxAgeMs;
    this.lastRead = now;
    const epoch = this.client.writeEpoch;
    const snapshot = this.snapshot;
    if (snapshot && snapshot.epoch === epoch && now - snapshot.sentAt <= this.maxAgeMs)
      return Promise.resolve(snapshot.records.get(uuid));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { svmUuid: uuid, resolve, reject };
      if (this.collecting?.epoch === epoch) {
        this.collecting.waiters.push(waiter);
        return;
      }
      if (follows && this.pending.length === 0) {
        this.collect([waiter]);
        return;
      }
      if (this.pending.length === 0) this.firstArrival = now;
      this.lastArrival = now;
      this.arrivals++;
      this.pendingFollows ||= follows;
      this.pending.push(waiter);
      this.timer ??= setTimeout(() => this.tick(), BATCH_WINDOW_MS);
    });
  }

  /** One timer per burst, re-armed rather than reset on every arrival. */
  private tick(): void {
    const now = performance.now();
    const quietFor = now - this.lastArrival;
    const waitedFor = now - this.firstArrival;
    if (quietFor < BATCH_WINDOW_MS && waitedFor < MAX_BATCH_WAIT_MS) {
      const next = Math.min(BATCH_WINDOW_MS - quietFor, MAX_BATCH_WAIT_MS - waitedFor);
      this.timer = setTimeout(() => this.tick(), Math.max(1, next));
      return;
    }
    // After the event loop was busy, timers run before the I/O that queued up meanwhile:
    // let Read calls already waiting in the socket arrive first (setImmediate runs after them).
    const arrivals = this.arrivals;
    setImmediate(() => {
      if (this.arrivals !== arrivals && performance.now() - this.firstArrival < MAX_BATCH_WAIT_MS) {
        this.timer = setTimeout(() => this.tick(), BATCH_WINDOW_MS);
        return;
      }
      this.flush();
    });
  }

  private flush(): void {
    this.timer = undefined;
    const waiters = this.pending;
    const follows = this.pendingFollows;
    this.pending = [];
    this.pendingFollows = false;
    if (!follows && groupBySvm(waiters).size === 1) this.track(waiters, this.readOne(waiters));
    else this.collect(waiters);
  }

  /** One GET of the whole collection for these waiters and those that join it; its answer becomes the snapshot. */
  private collect(waiters: Waiter[]): void {
    const collection: Collection = { waiters, epoch: this.client.writeEpoch };
    const sentAt = performance.now();
    this.collecting = collection;
    const done = listServices(this.client, {}).then(
      (records) => {
        if (this.collecting === collection) this.collecting = undefined;
        const byUuid = new Map(records.map((r) => [r.svm.uuid.toLowerCase(), r]));
        if (this.client.writeEpoch === collection.epoch)
          this.snapshot = { records: byUuid, sentAt, epoch: collection.epoch };
        for (const waiter of collection.waiters) waiter.resolve(byUuid.get(waiter.svmUuid));
      },
      (err: unknown) => {
        if (this.collecting === collection) this.collecting = undefined;
        return this.fallBack(collection.waiters, err);
      },
    );
    this.track(collection.waiters, done);
  }

  /** Counts a request in flight; a waiter must never hang, even on an unexpected error. */
  private track(waiters: Waiter[], work: Promise<void>): void {
    this.inFlight++;
    void work
      .catch((err: unknown) => rejectAll(waiters, err))
      .finally(() => {
        this.inFlight--;
      });
  }

  /** After a failed collection GET: URL-sized filtered GETs, unless the cluster itself cannot answer. */
  private async fallBack(waiters: Waiter[], err: unknown): Promise<void> {
    if (classify(err).clusterWide) return rejectAll(waiters, err);
    const bySvm = groupBySvm(waiters);
    await Promise.all(chunkByUrlLength([...bySvm.keys()]).map((chunk) => this.readChunk(chunk, bySvm)));
  }

  /** One collection GET for SVMs whose UUIDs fit in one URL. */
  private async readChunk(uuids: string[], bySvm: Map<string, Waiter[]>): Promise<void> {
    const waiters = uuids.flatMap((uuid) => bySvm.get(uuid) ?? []);
    let records: IscsiServiceRecord[];
    try {
      records = await listServices(this.client, { "svm.uuid": uuids.join("|") });
    } catch (err) {
      if (classify(err).clusterWide) return rejectAll(waiters, err);
      // A malformed record or a UUID the cluster rejects fails only its own read.
      await Promise.all(uuids.map((uuid) => this.readOne(bySvm.get(uuid) ?? [])));
      return;
    }
    settle(new Map(uuids.map((uuid) => [uuid, bySvm.get(uuid) ?? []])), records);
  }

  /** One GET for one SVM, shared by every waiter for it. */
  private async readOne(waiters: Waiter[]): Promise<void> {
    if (waiters.length === 0) return;
    try {
      const record = await findServiceByUuid(this.client, waiters[0].svmUuid);
      for (const waiter of waiters) waiter.resolve(record);
    } catch (err) {
      rejectAll(waiters, err);
    }
  }
}

function groupBySvm(waiters: Waiter[]): Map<string, Waiter[]> {
  const bySvm = new Map<string, Waiter[]>();
  for (const waiter of waiters) {
    const list = bySvm.get(waiter.svmUuid);
    if (list) list.push(waiter);
    else bySvm.set(waiter.svmUuid, [waiter]);
  }
  return bySvm;
}

/** Every waiter gets its SVM's record; a record absent from a complete answer means gone. */
function settle(bySvm: Map<string, Waiter[]>, records: IscsiServiceRecord[]): void {
  const byUuid = new Map(records.map((r) => [r.svm.uuid.toLowerCase(), r]));
  for (const [uuid, waiters] of bySvm) {
    const record = byUuid.get(uuid);
    for (const waiter of waiters) waiter.resolve(record);
  }
}

function rejectAll(waiters: Waiter[], err: unknown): void {
  for (const waiter of waiters) waiter.reject(err);
}

/** Groups UUIDs so that each `svm.uuid=a|b|…` URL stays within MAX_URL_LENGTH. */
function chunkByUrlLength(uuids: string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = URL_OVERHEAD;
  for (const uuid of uuids) {
    const added = encodeURIComponent(uuid).length + 1; // the "|" separator (the client sends it as is)
    if (chunk.length > 0 && length + added > MAX_URL_LENGTH) {
      chunks.push(chunk);
      chunk = [];
      length = URL_OVERHEAD;
    }
    chunk.push(uuid);
    length += added;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
