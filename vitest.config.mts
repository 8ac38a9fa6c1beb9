import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        reporters: ["default", "./test/summary-reporter.ts"],
        // Each file runs in its own process (Pulumi keeps its runtime state globally), one a
        // core: the files mostly wait on their own CPU, so a core each (not vitest's cores - 1)
        // takes the suite from about 7 minutes to under 5 on two cores.
        pool: "forks",
        maxWorkers: availableParallelism(),
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
