/**
 * ONTAP jobs for writes answered with 202: queued, then running, then success or
 * failure after a delay. The job's work runs when it completes.
 */
import { randomUUID } from "node:crypto";
import { isoSeconds } from "./metrics";

/** What a job's work reports. */
export type JobResult = { ok: true } | { ok: false; code: string; message: string };

/** A job as ONTAP shapes it. */
export interface Job {
  uuid: string;
  description: string;
  state: "queued" | "running" | "success" | "failure";
  code: number;
  message: string;
  startTime: number;
  endTime?: number;
}

/** The jobs of one simulator; timers are cancelled by stop(). */
export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Starts a job whose work runs after `delayMs`; it turns "running" halfway. */
  start(description: string, delayMs: number, work: () => JobResult): Job {
    const job: Job = {
      uuid: randomUUID(),
      description,
      state: "queued",
      code: 0,
      message: "Queued",
      startTime: Date.now(),
    };
    this.jobs.set(job.uuid, job);
    this.later(delayMs / 2, () => {
      if (job.state === "queued") Object.assign(job, { state: "running", message: "Running" });
    });
    this.later(delayMs, () => {
      let result: JobResult;
      try {
        result = work();
      } catch (e) {
        result = { ok: false, code: "65562", message: (e as Error).message };
      }
      job.endTime = Date.now();
      if (result.ok) Object.assign(job, { state: "success", code: 0, message: "success" });
      else Object.assign(job, { state: "failure", code: Number(result.code), message: result.message });
    });
    return job;
  }

  get(uuid: string): Job | undefined {
    return this.jobs.get(uuid);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  /** Cancels every pending transition. */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

/** The href of a job. */
export function jobHref(uuid: string): string {
  return `/api/cluster/jobs/${uuid}`;
}

/** A job's full record. */
export function jobRecord(job: Job): Record<string, unknown> {
  const record: Record<string, unknown> = {
    uuid: job.uuid,
    description: job.description,
    state: job.state,
    message: job.message,
    code: job.code,
    start_time: isoSeconds(job.startTime),
  };
  if (job.endTime !== undefined) record.end_time = isoSeconds(job.endTime);
  record._links = { self: { href: jobHref(job.uuid) } };
  return record;
}

/** The 202 body ONTAP answers a write with when it runs as a job. */
export function jobAccepted(job: Job): Record<string, unknown> {
  return { job: { uuid: job.uuid, _links: { self: { href: jobHref(job.uuid) } } } };
}
