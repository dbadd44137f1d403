import type { OntapClient } from "../ontap/client";
import { classify } from "../ontap/failures";
import { getService, listServices } from "./api";
import type { IscsiServiceRecord } from "./model";

/**
 * The quiet gap that ends a burst of reads when nothing suggests more are coming: a lone
 * read waits this long, well under one management-network round trip. `pulumi refresh`
 * sends every resource's Read at once, and the engine's `--parallel` bound makes them
 * come in waves that each end when their batch answers.
 */
export const BATCH_WINDOW_MS = 3;

/**
 * The host, though, delivers one burst in clumps (about a dozen Read calls per turn of its
 * event loop with @pulumi/pulumi 3.248), often more than 3 ms apart. A read that arrives
 * while the previous batch is still in flight shows the burst was not over: the quiet gap
 * then doubles, up to this, and falls back to BATCH_WINDOW_MS once the cluster's reads are
 * all answered.
 */
export const MAX_BATCH_WINDOW_MS = 50;

/** The longest the first read of a batch waits while more keep arriving. */
export const MAX_BATCH_WAIT_MS = 250;

/** Keeps each collection URL well under the 8 KB request line that web servers accept by default. */
const MAX_URL_LENGTH = 6144;
// "/api/protocols/san/iscsi/services?svm.uuid=" + fields parameter, rounded up.
const URL_OVERHEAD = 200;

interface Waiter {
  svmUuid: string;
  resolve(record: IscsiServiceRecord | undefined): void;
  reject(err: unknown): void;
}

/**
 * Coalesces reads of one cluster that are in flight together. Each waiter gets its own
 * record, `undefined` (gone), or its own error:
 * - one SVM: one GET of that service, exactly as without batching;
 * - as many as fit in one URL: one collection GET `svm.uuid=a|b|…`;
 * - more: one GET of the whole collection (only the needed fields, every page followed).
 *   It replaces one filtered GET per URL's worth of SVMs, each of which may cost the
 *   cluster a pass over its service table (the simulator's does), and its answer is
 *   bounded: a cluster holds at most one service per SVM.
 * A failed batch falls back to smaller requests (whole collection → URL-sized chunks →
 * one GET per service) so that one bad record or UUID fails only its own read, except when
 * the failure says the cluster itself cannot answer (unreachable, overloaded, credentials
 * refused): then every read of that batch gets the error, without a storm of retries.
 */
export class ReadBatcher {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private firstArrival = 0;
  private lastArrival = 0;
  /** The current quiet gap: BATCH_WINDOW_MS, grown during a burst. */
  private windowMs = BATCH_WINDOW_MS;
  /** Reads received so far: tells whether any arrived while a flush was deferred. */
  private arrivals = 0;
  /** Batches sent and not yet settled. */
  private inFlight = 0;

  constructor(private readonly client: OntapClient) {}

  /** The live record of the service on this SVM, or undefined when it (or the SVM) is gone. */
  read(svmUuid: string): Promise<IscsiServiceRecord | undefined> {
    return new Promise((resolve, reject) => {
      const now = performance.now();
      if (this.pending.length === 0) {
        this.firstArrival = now;
        if (this.inFlight > 0) this.windowMs = Math.min(this.windowMs * 2, MAX_BATCH_WINDOW_MS);
      }
      this.lastArrival = now;
      this.arrivals++;
      this.pending.push({ svmUuid: svmUuid.toLowerCase(), resolve, reject });
      this.timer ??= setTimeout(() => this.tick(), this.windowMs);
    });
  }

  /** One timer per batch, re-armed rather than reset on every arrival. */
  private tick(): void {
    const now = performance.now();
    const quietFor = now - this.lastArrival;
    const waitedFor = now - this.firstArrival;
    if (quietFor < this.windowMs && waitedFor < MAX_BATCH_WAIT_MS) {
      const next = Math.min(this.windowMs - quietFor, MAX_BATCH_WAIT_MS - waitedFor);
      this.timer = setTimeout(() => this.tick(), Math.max(1, next));
      return;
    }
    // After the event loop was busy, timers run before the I/O that queued up meanwhile:
    // let Read calls already waiting in the socket arrive first (setImmediate runs after them).
    const arrivals = this.arrivals;
    setImmediate(() => {
      if (this.arrivals !== arrivals && performance.now() - this.firstArrival < MAX_BATCH_WAIT_MS) {
        this.timer = setTimeout(() => this.tick(), this.windowMs);
        return;
      }
      this.flush();
    });
  }

  private flush(): void {
    this.timer = undefined;
    const waiters = this.pending;
    this.pending = [];
    this.inFlight++;
    void this.run(waiters).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0 && this.pending.length === 0) this.windowMs = BATCH_WINDOW_MS;
    });
  }

  private async run(waiters: Waiter[]): Promise<void> {
    try {
      await this.dispatch(waiters);
    } catch (err) {
      // Not expected (every path settles its waiters), but a waiter must never hang.
      rejectAll(waiters, err);
    }
  }

  private async dispatch(waiters: Waiter[]): Promise<void> {
    const bySvm = groupBySvm(waiters);
    if (bySvm.size === 1) return this.readOne(waiters);
    const chunks = chunkByUrlLength([...bySvm.keys()]);
    if (chunks.length === 1) return this.readChunk(chunks[0], bySvm);
    let records: IscsiServiceRecord[];
    try {
      records = await listServices(this.client, {});
    } catch (err) {
      if (classify(err).clientRejected) return rejectAll(waiters, err);
      await Promise.all(chunks.map((chunk) => this.readChunk(chunk, bySvm)));
      return;
    }
    settle(bySvm, records);
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
      const record = await getService(this.client, waiters[0].svmUuid);
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
