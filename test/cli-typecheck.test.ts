/**
 * The Pulumi CLI runs the program with ts-node, which transpiles only when tsconfig.json says
 * `noCheck` (@pulumi/pulumi cmd/run/run.js); the strict check is `npm run typecheck`'s, which
 * turns it back on. Both halves, on a file with a type error.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.join(__dirname, "..");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");
// Inside the project, so the probe resolves the project's own type packages.
const probe = fs.mkdtempSync(path.join(root, ".typecheck-probe-"));
fs.writeFileSync(path.join(probe, "bad.ts"), 'const n: number = "not a number";\nexport { n };\n');
fs.writeFileSync(path.join(probe, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", include: ["bad.ts"] }));
afterAll(() => fs.rmSync(probe, { recursive: true, force: true }));

/** tsc's exit status and output for the probe with these extra flags. */
function run(flags: string[]): { status: number; out: string } {
    try {
        return { status: 0, out: execFileSync(process.execPath, [tsc, "-p", path.join(probe, "tsconfig.json"), ...flags], { encoding: "utf8" }) };
    } catch (e) {
        const err = e as { status: number; stdout: string };
        return { status: err.status, out: err.stdout };
    }
}

describe("type checking: once in npm test, not at every pulumi preview", () => {
    it("tsconfig.json transpiles only (what the CLI's ts-node reads): a type error does not stop it", () => {
        const tsconfig = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
        expect(tsconfig).toMatch(/"noCheck": true/);
        expect(run([]).status).toBe(0);
    });

    it("npm run typecheck is one strict run over the program and the tests: the same type error fails it", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
        expect(scripts.typecheck).toBe("tsc -p test/tsconfig.json");
        expect(scripts.test).toMatch(/^npm run --silent typecheck && /);
        const { status, out } = run(["--noCheck", "false"]);
        expect(status).not.toBe(0);
        expect(out).toMatch(/bad\.ts\(1,7\): error TS2322/);
    });

    it("the run's config checks (noCheck false) every file the CLI's config names, with the CLI's module settings", () => {
        const read = (f: string) => parseJsonc(fs.readFileSync(path.join(root, f), "utf8"));
        const cli = read("tsconfig.json");
        const check = read("test/tsconfig.json");
        expect(check.extends).toBe("../tsconfig.json");
        expect(check.compilerOptions.noCheck).toBe(false);
        // no override of how modules resolve: the program is checked as ts-node runs it
        expect(Object.keys(check.compilerOptions)).toEqual(["noCheck"]);
        for (const f of cli.include as string[]) expect(check.include).toContain(`../${f}`);
    });
});

/** tsconfig files allow comments; these have whole-line `//` comments only. */
function parseJsonc(text: string) {
    return JSON.parse(text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n"));
}
