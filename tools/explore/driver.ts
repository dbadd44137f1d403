/**
 * An engine-like driver of the provider, in process: the rules of tools/engine/engine.ts
 * (which follows Pulumi's step generator), with the provider called directly instead of
 * through a host. One new provider per run; state carried from run to run as the engine
 * keeps it: a create's outputs become the olds, a read's result replaces state, a create
 * or update that fails with an id and properties (the host's ErrorResourceInitFailed)
 * records them, any other failed create records nothing.
 *
 * - preview: Check (olds: the old inputs), Diff for resources in state (and the re-Check of
 *   a replacement); nothing else.
 * - up: Check and Diff one resource at a time in the order the registrations arrived; its
 *   Create, Update or replacement (delete-first: Delete then Create, as one step) runs in a
 *   pool of `parallel`, Check waiting while all are busy; after the first failure no step
 *   starts. Then the deletes of create-first replacements and of resources no longer in
 *   the program (last in state first), at most `parallel` at once.
 * - refresh: Read every resource, `parallel` at once; an empty id drops it.
 * - destroy: Delete every resource, last in state first, `parallel` at once.
 * An `aliases` entry naming a resource in state that the program no longer names makes
 * the resource that one, renamed.
 */
import type { IscsiServiceOutputs, IscsiServiceProvider } from "../../provider";
import type { CheckedInputs } from "../../provider/iscsi/validate";
import { StepPool } from "../engine/schedule";
import { type StepContext, steps } from "./steps";

/** A resource in state. */
export interface StateEntry {
  name: string;
  /** The explorer's identity of the resource (./steps StepContext.rid). */
  rid: number;
  id: string;
  inputs: Record<string, unknown>;
  outputs: IscsiServiceOutputs;
}

/** A resource as the program registers it. */
export interface ProgramResource {
  name: string;
  aliases: string[];
  args: Record<string, unknown>;
  deleteBeforeReplace?: boolean;
}

/** How a run ended: every error message, in the order they happened. */
export interface RunOutcome {
  ok: boolean;
  errors: string[];
}

export type OperationKind = "preview" | "up" | "refresh" | "destroy";

/** What the driver needs from the explorer. */
export interface DriverHooks {
  /** A new provider, configured with the stack config of this run. */
  provider(): Promise<IscsiServiceProvider>;
  /** A create, update or read recorded outputs in state. */
  recorded(entry: StateEntry, how: "create" | "update" | "read"): void;
}

/** The host's ErrorResourceInitFailed: an error with the resource's id and properties. */
function initFailure(err: unknown): { id: string; properties: IscsiServiceOutputs } | undefined {
  const e = err as { id?: unknown; properties?: unknown } | null;
  return typeof e?.id === "string" && e.id !== "" && e.properties
    ? { id: e.id, properties: e.properties as IscsiServiceOutputs }
    : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Run {
  index: number;
  kind: OperationKind;
  preview: boolean;
  provider: IscsiServiceProvider;
  errors: string[];
}

export class Driver {
  /** The state, in the engine's order (registration order after an up). */
  readonly state = new Map<string, StateEntry>();
  /** Old resources of create-first replacements whose delete has not succeeded yet. */
  readonly #pendingDeletes: StateEntry[] = [];
  #rids = 0;

  constructor(private readonly hooks: DriverHooks) {}

  /** Old resources of create-first replacements still to delete: in the checkpoint, marked for deletion. */
  get pendingDeletes(): readonly StateEntry[] {
    return this.#pendingDeletes;
  }

  /** One operation; `program` in the order its registrations arrive. Never throws. */
  async operate(
    kind: OperationKind,
    index: number,
    program: ProgramResource[],
    parallel: number,
    previewFirst = false,
  ): Promise<RunOutcome> {
    const errors: string[] = [];
    try {
      if (kind === "up" && previewFirst) {
        // `pulumi up` without --skip-preview: a preview (its own provider process) first; a
        // failed preview ends the operation before the update starts.
        const provider = await this.hooks.provider();
        await this.#preview({ index, kind: "preview", preview: true, provider, errors }, program);
      }
      const provider = await this.hooks.provider();
      const run: Run = { index, kind, preview: kind === "preview", provider, errors };
      if (kind === "preview") await this.#preview(run, program);
      else if (kind === "up") await this.#up(run, program, parallel);
      else if (kind === "refresh") await this.#refresh(run, parallel);
      else await this.#destroy(run, parallel);
    } catch (err) {
      const message = messageOf(err);
      if (!errors.includes(message)) errors.push(message);
    }
    return { ok: errors.length === 0, errors };
  }

  #ctx(run: Run, kind: StepContext["kind"], name: string, rid: number, extra: Partial<StepContext> = {}) {
    const base = { run: run.index, kind, name, rid, adopt: false, guard: false, preview: run.preview };
    return { ...base, operation: run.kind, ...extra };
  }

  /** The resource in state this registration is: by name, or by an alias the program no longer names. */
  #find(r: ProgramResource, program: ProgramResource[]): { old?: StateEntry; from?: string } {
    const old = this.state.get(r.name);
    if (old) return { old };
    for (const alias of r.aliases) {
      const aliased = this.state.get(alias);
      if (aliased && !program.some((p) => p.name === alias)) return { old: aliased, from: alias };
    }
    return {};
  }

  async #step<T>(run: Run, ctx: StepContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await steps.run(ctx, fn);
    } catch (err) {
      run.errors.push(messageOf(err));
      throw err;
    }
  }

  async #check(run: Run, ctx: StepContext, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const res = await this.#step(run, ctx, () => run.provider.check(olds, news));
    const failures = res.failures ?? [];
    if (failures.length > 0) {
      const error = new Error(
        `invalid inputs for ${ctx.name}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
      );
      run.errors.push(error.message);
      throw error;
    }
    return res.inputs as Record<string, unknown>;
  }

  #record(
    how: "create" | "update",
    name: string,
    rid: number,
    id: string,
    inputs: Record<string, unknown>,
    outputs: IscsiServiceOutputs,
  ) {
    const entry: StateEntry = { name, rid, id, inputs, outputs };
    this.state.set(name, entry);
    this.hooks.recorded(entry, how);
  }

  async #create(run: Run, r: ProgramResource, rid: number, inputs: Record<string, unknown>): Promise<void> {
    const ctx = this.#ctx(run, "create", r.name, rid, { adopt: r.args.adopt === true, guard: guardOf(r) });
    try {
      const res = await this.#step(run, ctx, () => run.provider.create(inputs as CheckedInputs));
      this.#record("create", r.name, rid, res.id, inputs, res.outs as IscsiServiceOutputs);
    } catch (err) {
      const init = initFailure(err);
      if (init) this.#record("create", r.name, rid, init.id, inputs, init.properties);
      throw err;
    }
  }

  async #delete(run: Run, old: StateEntry, guard: boolean): Promise<void> {
    // A resource with adopt: true takes over what it finds on its SVM, in its delete too.
    const ctx = this.#ctx(run, "delete", old.name, old.rid, { guard, adopt: old.outputs.adopt === true });
    await this.#step(run, ctx, () => run.provider.delete(old.id, old.outputs));
  }

  async #preview(run: Run, program: ProgramResource[]): Promise<void> {
    for (const r of program) {
      const { old } = this.#find(r, program);
      const rid = old?.rid ?? 0;
      const checked = await this.#check(run, this.#ctx(run, "check", r.name, rid), old?.inputs ?? {}, r.args);
      if (!old) continue;
      const ctx = this.#ctx(run, "diff", r.name, rid);
      const diff = await this.#step(run, ctx, () =>
        run.provider.diff(old.id, old.outputs, checked as CheckedInputs),
      );
      if (diff.changes && (diff.replaces ?? []).length > 0)
        await this.#check(run, this.#ctx(run, "check", r.name, rid), {}, r.args);
    }
  }

  /** The delete of an old resource an earlier up left marked for deletion, under its state's guard. */
  async #deletePending(run: Run, old: StateEntry): Promise<void> {
    await this.#delete(run, old, old.outputs.protectActiveSessions === true);
    this.#pendingDeletes.splice(this.#pendingDeletes.indexOf(old), 1);
  }

  async #up(run: Run, program: ProgramResource[], parallel: number): Promise<void> {
    // Left marked for deletion by an earlier failed up: deleted at the end, with the other
    // deletes (Pulumi ≥ 3.46, pulumi/pulumi a3128e50; before, they were deleted first).
    const earlier = [...this.#pendingDeletes];
    const pool = new StepPool(parallel);
    const registered: string[] = [];
    const replaced: Array<{ old: StateEntry; guard: boolean }> = [];
    try {
      for (const r of program) {
        if (pool.failed) break;
        registered.push(r.name);
        const { old: found, from } = this.#find(r, program);
        const rid = found?.rid ?? ++this.#rids;
        const checked = await this.#check(
          run,
          this.#ctx(run, "check", r.name, rid),
          found?.inputs ?? {},
          r.args,
        );
        if (!found) {
          await pool.submit(() => this.#create(run, r, rid, checked));
          continue;
        }
        let old = found;
        if (from !== undefined) {
          old = { ...found, name: r.name };
          this.state.delete(from);
          this.state.set(r.name, old);
        }
        const ctx = this.#ctx(run, "diff", r.name, rid);
        const diff = await this.#step(run, ctx, () =>
          run.provider.diff(old.id, old.outputs, checked as CheckedInputs),
        );
        if (!diff.changes) {
          this.state.set(r.name, { ...old, inputs: checked });
        } else if ((diff.replaces ?? []).length === 0) {
          await pool.submit(() => this.#update(run, r, old, checked));
        } else {
          const rechecked = await this.#check(run, this.#ctx(run, "check", r.name, rid), {}, r.args);
          const guard = guardOf(r);
          if (r.deleteBeforeReplace ?? diff.deleteBeforeReplace) {
            await pool.submit(async () => {
              await this.#delete(run, old, guard);
              this.state.delete(r.name);
              await this.#create(run, r, rid, rechecked);
            });
          } else {
            await pool.submit(async () => {
              try {
                await this.#create(run, r, rid, rechecked);
              } catch (err) {
                // Created but not initialized: the engine marks the old one for deletion all the
                // same (step.go CreateStep.Apply), to be deleted by the next up.
                if (initFailure(err)) this.#pendingDeletes.push(old);
                throw err;
              }
              this.#pendingDeletes.push(old);
              replaced.push({ old, guard });
            });
          }
        }
      }
    } finally {
      await pool.drain().catch(() => {});
      this.#keepOrder(registered);
    }
    await pool.drain();
    const deletes = new StepPool(parallel);
    for (const { old, guard } of replaced) {
      const started = await deletes.submit(async () => {
        await this.#delete(run, old, guard);
        this.#pendingDeletes.splice(this.#pendingDeletes.indexOf(old), 1);
      });
      if (!started) break;
    }
    for (const old of earlier) {
      if (deletes.failed) break;
      await deletes.submit(() => this.#deletePending(run, old));
    }
    const gone = [...this.state.values()].filter((s) => !registered.includes(s.name)).reverse();
    for (const old of gone) {
      if (deletes.failed) break;
      await deletes.submit(async () => {
        await this.#delete(run, old, old.outputs.protectActiveSessions === true);
        this.state.delete(old.name);
      });
    }
    await deletes.drain();
  }

  async #update(
    run: Run,
    r: ProgramResource,
    old: StateEntry,
    checked: Record<string, unknown>,
  ): Promise<void> {
    const ctx = this.#ctx(run, "update", r.name, old.rid, {
      adopt: r.args.adopt === true,
      guard: guardOf(r),
    });
    try {
      const res = await this.#step(run, ctx, () =>
        run.provider.update(old.id, old.outputs, checked as CheckedInputs),
      );
      this.#record("update", r.name, old.rid, old.id, checked, res.outs as IscsiServiceOutputs);
    } catch (err) {
      // The engine keeps an update's partial outputs as it keeps a create's.
      const init = initFailure(err);
      if (init) this.#record("update", r.name, old.rid, init.id, checked, init.properties);
      throw err;
    }
  }

  async #refresh(run: Run, parallel: number): Promise<void> {
    const olds = [...this.state.values()];
    const read: Array<StateEntry | null | undefined> = [];
    const pool = new StepPool(parallel);
    for (const [i, old] of olds.entries()) {
      const ctx = this.#ctx(run, "read", old.name, old.rid);
      await pool.submit(() =>
        this.#step(run, ctx, () => run.provider.read(old.id, old.outputs)).then(
          (result) => {
            if (result.id === "") {
              read[i] = null;
              return;
            }
            const entry: StateEntry = {
              ...old,
              id: result.id,
              inputs: (result.inputs as Record<string, unknown> | undefined) ?? old.inputs,
              outputs: result.props ?? old.outputs,
            };
            read[i] = entry;
            // Told as the read ends: what it saw is what the cluster had then.
            this.hooks.recorded(entry, "read");
          },
          () => {},
        ),
      );
    }
    await pool.drain();
    // The engine applies the reads to the checkpoint together, at the end.
    olds.forEach((old, i) => {
      const entry = read[i];
      if (entry === null) this.state.delete(old.name);
      else if (entry) this.state.set(old.name, entry);
    });
  }

  async #destroy(run: Run, parallel: number): Promise<void> {
    const pool = new StepPool(parallel);
    for (const old of [...this.#pendingDeletes]) {
      if (pool.failed) break;
      await pool.submit(() => this.#deletePending(run, old));
    }
    for (const old of [...this.state.values()].reverse()) {
      if (pool.failed) break;
      await pool.submit(async () => {
        await this.#delete(run, old, old.outputs.protectActiveSessions === true);
        this.state.delete(old.name);
      });
    }
    await pool.drain();
  }

  /** Registered resources first, in registration order, as the checkpoint keeps them. */
  #keepOrder(registered: string[]): void {
    const entries = [...this.state.values()];
    const first = registered.flatMap((name) => entries.filter((e) => e.name === name));
    const rest = entries.filter((e) => !registered.includes(e.name));
    this.state.clear();
    for (const e of [...first, ...rest]) this.state.set(e.name, e);
  }
}

/** The guard a step of a resource in the program works under: the program's. */
function guardOf(r: ProgramResource): boolean {
  return r.args.protectActiveSessions === true;
}
