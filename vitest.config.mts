import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        reporters: ["default", "./test/summary-reporter.ts"],
        // Each file runs in its own process (Pulumi keeps its runtime state globally).
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
