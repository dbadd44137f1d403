import { describePluginLifecycle, pythonSetup } from "./plugin-languages";

/** examples/plugin-python through the real `pulumi` (the steps: test/cli/plugin-languages.ts). */
describePluginLifecycle("Python", pythonSetup);
