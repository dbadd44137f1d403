import type { OntapClient } from "../ontap/client";
import { getService, listServices } from "./api";
import type { IscsiServiceRecord } from "./model";

/**
 * How long the first read of a burst waits for others. `pulumi refresh` sends every
 * resource's Read at once, so a burst arrives within a few milliseconds; 3 ms is
 * well under one management-network round trip, so a lone read barely notices it.
 */
export const BATCH_WINDOW_MS = 3;

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
 * Coalesces reads of one cluster that are in flight together into collection GETs
 * (`svm.uuid=a|b|…`). Each waiter gets its own record or `undefined` (gone). A lone
 * read is one GET of that service, exactly as without batching.
 */
export class ReadBatcher {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly client: OntapClient) {}

  /** The live record of the service on this SVM, or undefined when it (or the SVM) is gone. */
  read(svmUuid: string): Promise<IscsiServiceRecord | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ svmUuid: svmUuid.toLowerCase(), resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    });
  }

  private flush(): void {
    this.timer = undefined;
    const waiters = this.pending;
    this.pending = [];
    for (const chunk of chunkByUrlLength(waiters)) void this.run(chunk);
  }

  private async run(waiters: Waiter[]): Promise<void> {
    if (waiters.length === 1) return this.readOne(waiters[0]);
    let records: IscsiServiceRecord[];
    try {
      const uuids = [...new Set(waiters.map((w) => w.svmUuid))];
      records = await listServices(this.client, { "svm.uuid": uuids.join("|") });
    } catch {
      // A failed collection GET must not fail every neighbour: each falls back to its own GET.
      await Promise.all(waiters.map((w) => this.readOne(w)));
      return;
    }
    const byUuid = new Map(records.map((r) => [r.svm.uuid.toLowerCase(), r]));
    for (const waiter of waiters) waiter.resolve(byUuid.get(waiter.svmUuid));
  }

  private async readOne(waiter: Waiter): Promise<void> {
    try {
      waiter.resolve(await getService(this.client, waiter.svmUuid));
    } catch (err) {
      waiter.reject(err);
    }
  }
}

function chunkByUrlLength(waiters: Waiter[]): Waiter[][] {
  const chunks: Waiter[][] = [];
  let chunk: Waiter[] = [];
  let length = URL_OVERHEAD;
  for (const waiter of waiters) {
    const added = waiter.svmUuid.length + 3; // "|" is sent as %7C
    if (chunk.length > 0 && length + added > MAX_URL_LENGTH) {
      chunks.push(chunk);
      chunk = [];
      length = URL_OVERHEAD;
    }
    chunk.push(waiter);
    length += added;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
