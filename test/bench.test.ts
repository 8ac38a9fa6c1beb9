/** `npm run bench`: the table it prints, and a baseline's deltas. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { table } from "../preview/bench";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..");
const bench = (...args: string[]) => run(process.execPath, ["--import", "tsx", "preview/bench.ts", ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });

describe("npm run bench", () => {
    it("prints render, type-check and CLI-load rows with time and memory, and a baseline's deltas", { timeout: 240_000 }, async () => {
        const json = JSON.parse((await bench("--stack", "dev", "--json")).stdout) as { rows: { what: string; seconds: number; memoryMb?: number }[] };
        expect(json.rows.map((r) => r.what)).toEqual([
            "render dev", "type check (program + tests)",
            "pulumi CLI program load (ts-node, transpile only)", "pulumi CLI program load (ts-node, type-checked)",
        ]);
        for (const r of json.rows) expect(r.seconds).toBeGreaterThan(0);
        // the check of program and tests holds the provider SDKs' declarations: hundreds of MB
        expect(json.rows[1]!.memoryMb).toBeGreaterThan(200);
        // the CLI's transpile-only load is the point of tsconfig's noCheck: faster than a checked load
        expect(json.rows[2]!.seconds).toBeLessThan(json.rows[3]!.seconds);
        // the table, against a baseline: each figure with its change
        const base = new Map(json.rows.map((r) => [r.what, { ...r, seconds: r.seconds + 1, memoryMb: r.memoryMb === undefined ? undefined : r.memoryMb - 10 }]));
        const text = table(json.rows, base);
        expect(text).toMatch(/^what +wall time +memory +detail$/m);
        expect(text).toMatch(/^render dev +\d+\.\d s \(-1\.0 s\) +\d+ resources$/m);
        expect(text).toMatch(/^type check \(program \+ tests\) +\d+\.\d s \(-1\.0 s\) +\d+ MB \(\+10 MB\) +\d+ files, tsc [\d.]+ s$/m);
    });
});
