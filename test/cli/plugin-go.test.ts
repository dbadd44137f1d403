import { describePluginLifecycle, goSetup } from "./plugin-languages";

/** examples/plugin-go through the real `pulumi` (the steps: test/cli/plugin-languages.ts). */
describePluginLifecycle("Go", goSetup);
