/**
 * Child-process helper of ./provider-bytes.ts: serializes provider stubs exactly as
 * `pulumi.dynamic.Resource` does (`serializeFunction(() => provider, {allowSecrets: true})`),
 * in the program's directory and with the @pulumi/pulumi it resolves, and sends the texts
 * back over IPC. argv[2] is a JSON array of compiled `provider-stub.js` paths.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumiModule from "@pulumi/pulumi";

/** The one message the child sends: one text per stub path, in order. */
export type SerializeReply = { ok: true; texts: string[] } | { ok: false; error: string };

async function main(): Promise<void> {
  const stubPaths = JSON.parse(process.argv[2] ?? "[]") as string[];
  const programRequire = createRequire(path.join(process.cwd(), "__serialize__.js"));
  const pulumi = programRequire("@pulumi/pulumi") as typeof pulumiModule;
  const texts: string[] = [];
  for (const stubPath of stubPaths) {
    // The same closure as pulumi.dynamic.Resource's: its parameter is named `provider`.
    const provider = (require(stubPath) as { providerStub: pulumiModule.dynamic.ResourceProvider })
      .providerStub;
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    texts.push(serialized.text);
  }
  send({ ok: true, texts });
}

function send(message: SerializeReply): void {
  process.send?.(message, () => process.exit(message.ok ? 0 : 1));
}

// Only as a forked child: test runners given the whole directory load this module too.
if (require.main === module) {
  main().catch((err: unknown) => send({ ok: false, error: (err as Error).stack ?? String(err) }));
}
