/**
 * The demo's chapters: one story of a stack, told by either engine (the real Pulumi CLI in
 * cli-demo.ts, the dynamic-provider host harness in demo.ts). Titles are what a user types
 * or what happens; stories say what to look for.
 */
export const CHAPTERS = {
  preview: {
    title: "$ pulumi preview",
    story: "A new stack. The preview looks the SVM up, read-only, and plans a create.",
  },
  up: {
    title: "$ pulumi up",
    story: "The create is one POST; ONTAP answers with the new service and its IQN.",
  },
  drift: {
    title: "Meanwhile, another administrator changes the service by hand",
    story:
      "cluster1::> vserver iscsi stop -vserver svm1;  vserver iscsi modify -vserver svm1 -target-alias legacy",
  },
  refresh: {
    title: "$ pulumi refresh",
    story:
      "Refresh reads the service back (one GET of the fields it needs) and records the drift, in the outputs and the inputs.",
  },
  update: {
    title: "$ pulumi config set targetAlias db-target && pulumi up",
    story:
      "The update brings the service back to the program: enabled, with the new alias (two PATCHes: ONTAP refuses both in one).",
  },
  pullRequest: {
    title: "A pull request sets enabled: false; CI runs pulumi preview --diff",
    story:
      "Disabling ends every iSCSI session of svm1. The preview looks the sessions up (read-only) and warns, naming the hosts",
  },
  guarded: {
    title: "The stack sets protectActiveSessions: true; the same pull request's preview",
    story:
      "With the guard on, a change that would cut hosts off fails in Check: the pull request's preview is red, and nothing is written.",
  },
  replace: {
    title: "$ pulumi config set svmName svm2 && pulumi up",
    story:
      "Another SVM means another service. The diff asks to delete first (by name alone, svm2 could be svm1 renamed), and the delete disables the service before the DELETE.",
  },
  destroy: {
    title: "$ pulumi destroy",
    story: "Disable, then DELETE: ONTAP refuses to delete an enabled service.",
  },
} as const;

/** The simulator's password, a secret in the stack config. The demo checks that it leaks nowhere. */
export const DEMO_PASSWORD = "demo-S3cret!pw-4c1f";

/** Where the demo's lines go. */
export type Printer = (line: string) => void;

/** The demo stopped: `step` says where, the message what went wrong. */
export class DemoError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`step "${step}" failed: ${message}`);
    this.name = "DemoError";
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
