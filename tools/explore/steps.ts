/**
 * Which resource step a request belongs to. The driver runs every provider call inside
 * `steps.run(context, …)`; the request gate reads it back, so every request the simulator
 * sees is tied to the step (and resource) that sent it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** What a provider call is part of. */
export interface StepContext {
  /** The run (0-based) of the story. */
  run: number;
  kind: "check" | "diff" | "create" | "update" | "delete" | "read";
  /** The resource's name in the program (its URN's name). */
  name: string;
  /** The resource's identity: the same through an `aliases` rename and through a replacement. */
  rid: number;
  /** The program's `adopt` for a create or an update; the state's for a delete; false otherwise. */
  adopt: boolean;
  /**
   * The `protectActiveSessions` that governs the step: the program's for a resource in
   * the program (a replacement that turns it off goes ahead), else its state's.
   */
  guard: boolean;
  /** The step belongs to a preview: nothing may be written. */
  preview: boolean;
  /** The operation the step is part of. */
  operation: "preview" | "up" | "refresh" | "destroy";
}

/** The step of the provider call under way. */
export const steps = new AsyncLocalStorage<StepContext>();
