import { describePluginLifecycle, typescriptSetup } from "./plugin-languages";

/** examples/plugin-typescript through the real `pulumi` (the steps: test/cli/plugin-languages.ts). */
describePluginLifecycle("TypeScript", typescriptSetup);
