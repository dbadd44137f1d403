/**
 * Async-job polling: what the client (./client) does after a 202 that names a job. ONTAP
 * answers a write it runs in the background with a job; the write's outcome is the job's,
 * read from /api/cluster/jobs/{uuid} until it ends or the connection's `jobTimeoutMs` passes.
 * Out of the client because it is a loop of its own, with its own clock and its own errors
 * ({@link OntapJobError}, {@link OntapJobPendingError}, and a lost response when polling itself fails).
 */

import {
  OntapError,
  OntapJobError,
  OntapJobPendingError,
  OntapLostResponseError,
  OntapNetworkError,
  type RequestSite,
} from "../errors/transport";
import type { Clock } from "./clock";
import type { OntapJobState, OntapJobStatus, OntapResponse } from "./types";

/** Job polls start quick (most ONTAP jobs finish within seconds) and slow down to this. */
const JOB_POLL_FIRST_MS = 200;
const JOB_POLL_MAX_MS = 5_000;

/** The path of one job's record, and the query that asks for the fields polling reads. */
export function jobRequest(uuid: string): { path: string; query: { fields: string } } {
  return { path: `/api/cluster/jobs/${encodeURIComponent(uuid)}`, query: { fields: "state,code,message" } };
}

/** The job a 202's body names, or undefined when it names none. */
export function jobUuidOf(body: unknown): string | undefined {
  const uuid = (body as { job?: { uuid?: unknown } } | null)?.job?.uuid;
  return typeof uuid === "string" && uuid !== "" ? uuid : undefined;
}

/** The fields of /api/cluster/jobs/{uuid} that polling asks for. */
interface JobRecord {
  uuid?: string;
  state?: string;
  code?: number | string | null;
  message?: string;
}

/**
 * A job record's state, code and message as the client and its callers use them; `scrub`
 * takes credentials out of the message.
 */
export function jobStatusOf(body: unknown, scrub: (text: string) => string): OntapJobStatus {
  const record = body as JobRecord | null;
  const status: OntapJobStatus = { state: jobStateOf(record?.state) };
  const code = record?.code;
  // ONTAP gives code 0 for a job without an error.
  if ((typeof code === "number" && code !== 0) || (typeof code === "string" && code !== "" && code !== "0"))
    status.code = String(code);
  if (typeof record?.message === "string") status.message = scrub(record.message);
  return status;
}

/**
 * A job's state as ONTAP wrote it. ONTAP documents exactly these five; anything else is read
 * as "running", so that the client keeps waiting (bounded by jobTimeoutMs) rather than
 * guessing an outcome.
 */
function jobStateOf(state: unknown): OntapJobState {
  const known: readonly string[] = ["queued", "running", "paused", "success", "failure"];
  return typeof state === "string" && known.includes(state) ? (state as OntapJobState) : "running";
}

/** What polling one job needs from the client. */
export interface JobPoll {
  /** The job, as a 202 named it. */
  jobUuid: string;
  /** The write that started the job: the errors name it. */
  site: RequestSite;
  /** One GET of the job under the client's retry policy. */
  read(): Promise<OntapJobStatus>;
  /** How long to wait for the job to end (the connection's jobTimeoutMs). */
  timeoutMs: number;
  clock: Clock;
  /** The client's close(): a wait between polls ends with ERR_CLIENT_CLOSED. */
  closing: AbortSignal;
  debug(message: string): void;
}

/**
 * Polls the job until it ends or `timeoutMs` passes: a job still unfinished then is an
 * {@link OntapJobPendingError} for every method. If polling itself fails, the write's outcome is
 * unknown: a lost response.
 */
export async function awaitJob(poll: JobPoll): Promise<OntapResponse> {
  const { jobUuid, site, clock } = poll;
  const started = clock.now();
  const deadline = started + poll.timeoutMs;
  let delayMs = JOB_POLL_FIRST_MS;
  for (;;) {
    let job: OntapJobStatus;
    try {
      job = await poll.read();
    } catch (err) {
      const closed = err instanceof OntapNetworkError && err.code === "ERR_CLIENT_CLOSED";
      // The job is running or done whatever the poll says (a 403 on /api/cluster/jobs, a
      // purged job's 404): the write's outcome is unknown, and the caller must know that
      // rather than read a refusal into the poll's error.
      if (err instanceof OntapError && !closed) {
        throw new OntapLostResponseError(site, `polling job ${jobUuid} failed: ${err.message}`, {
          jobUuid,
        });
      }
      throw err;
    }
    if (job.state === "success") return { status: 202, body: job, jobUuid };
    if (job.state === "failure") {
      throw new OntapJobError(site, jobUuid, job.code ?? "", job.message ?? "");
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new OntapJobPendingError(site, jobUuid, job.state, Math.round(clock.now() - started));
    }
    const wait = Math.min(delayMs, remaining);
    poll.debug(
      `ONTAP job ${jobUuid} for ${site.method} ${site.path}: ${job.state}; polling again in ${Math.round(wait)} ms`,
    );
    try {
      await clock.sleep(wait, poll.closing);
    } catch {
      throw new OntapNetworkError(site, "ERR_CLIENT_CLOSED", "the client was closed");
    }
    delayMs = Math.min(delayMs * 2, JOB_POLL_MAX_MS);
  }
}
