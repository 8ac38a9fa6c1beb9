/**
 * `npm run bench [-- --json] [-- --baseline OLD.json]`: what the program costs to run and to
 * check, as a table, so a regression is seen when it lands.
 *
 * - every stack's offline render (`npm run preview -- --stack NAME --json`), a fresh process
 *   each, as a user or the pull-request workflow runs it: wall time and resource count;
 * - the strict type check of program and tests (`npm run typecheck`): tsc's own time and
 *   memory (`--extendedDiagnostics`) and the wall time;
 * - what the Pulumi CLI spends loading the program through ts-node before any resource:
 *   transpile only (tsconfig's noCheck, as the CLI runs it) and type-checked (without it).
 *
 * `--baseline OLD.json` (a saved `--json` run) adds the change of every figure.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks } from "./stack-config";
import { textTable } from "./text-table";

const root = path.resolve(__dirname, "..");

export interface Row {
    what: string;
    seconds: number;
    /** peak resident memory (max RSS) of the process, MB, where measured */
    memoryMb?: number;
    detail?: string;
}

function usage(): never {
    console.error("usage: npm run bench -- [--json] [--baseline OLD.json] [--stack NAME ...]");
    process.exit(2);
}

function parseArgs(argv: string[]) {
    let json = false;
    let baseline: string | undefined;
    const stacks: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === "--json") json = true;
        else if (a === "--baseline") baseline = argv[++i] ?? usage();
        else if (a === "--stack") stacks.push(argv[++i] ?? usage());
        else usage();
    }
    return { json, baseline, stacks };
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** A stack's offline render in a fresh process (tsx, as `npm run preview` runs it). */
function renderRow(stack: string): Row {
    const t0 = process.hrtime.bigint();
    const out = spawnSync(process.execPath, ["--import", "tsx", "preview/cli.ts", "--stack", stack, "--json"], {
        cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024,
    });
    const s = seconds(t0);
    if (out.status !== 0) return { what: `render ${stack}`, seconds: s, detail: `failed: ${out.stderr.split("\n")[0]}` };
    const resources = (JSON.parse(out.stdout) as { resources: { custom: boolean }[] }).resources.filter((r) => r.custom).length;
    return { what: `render ${stack}`, seconds: s, detail: `${resources} resources` };
}

/** `npm run typecheck`'s tsc run, with tsc's own figures. */
function typecheckRow(): Row {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    // tsc in a process that reports its own peak memory when tsc exits
    const script = `process.on("exit", () => process.stderr.write("\\nmaxrss " + process.resourceUsage().maxRSS + "\\n")); ` +
        `process.argv = [process.argv[0], ${JSON.stringify(tsc)}, "-p", "test/tsconfig.json", "--extendedDiagnostics"]; require(${JSON.stringify(tsc)});`;
    const t0 = process.hrtime.bigint();
    const out = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const s = seconds(t0);
    const figure = (label: string) => new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(out.stdout)?.[1];
    const maxRssKb = Number(/^maxrss (\d+)$/m.exec(out.stderr)?.[1] ?? NaN);
    return {
        what: "type check (program + tests)",
        seconds: s,
        memoryMb: Number.isFinite(maxRssKb) ? Math.round(maxRssKb / 1024) : undefined,
        detail: `${figure("Files") ?? "?"} files, tsc ${figure("Total time") ?? "?"} s${out.status === 0 ? "" : ", with errors"}`,
    };
}

/**
 * ts-node loading program.ts (everything index.ts runs, short of the engine), as the Pulumi
 * CLI registers it: transpile only when tsconfig says noCheck, a full check otherwise.
 */
function cliLoadRow(check: boolean): Row {
    const script = [
        "require('ts-node').register({",
        `  project: ${JSON.stringify(path.join(root, "tsconfig.json"))},`,
        `  transpileOnly: ${!check},`,
        check ? "  compilerOptions: { noCheck: false }," : "",
        "});",
        `require(${JSON.stringify(path.join(root, "program.ts"))});`,
        "process.stdout.write(String(process.resourceUsage().maxRSS));",
    ].join("\n");
    const t0 = process.hrtime.bigint();
    const out = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    return {
        what: `pulumi CLI program load (ts-node, ${check ? "type-checked" : "transpile only"})`,
        seconds: seconds(t0),
        memoryMb: Math.round(Number(out) / 1024),
        detail: check ? "without tsconfig noCheck" : "tsconfig noCheck: what pulumi preview and up do",
    };
}

/** The rows as a text table, with the change of each figure since `base` (a saved run's rows by name). */
export function table(rows: Row[], base?: Map<string, Row>): string {
    const delta = (now: number, was: number | undefined, unit: string) => {
        if (was === undefined) return "";
        const d = (now - was).toFixed(unit === " s" ? 1 : 0);
        return ` (${d.startsWith("-") && Number(d) !== 0 ? d : `+${d.replace(/^-/, "")}`}${unit})`;
    };
    const cells = rows.map((r) => {
        const was = base?.get(r.what);
        return [
            r.what,
            `${r.seconds.toFixed(1)} s${delta(r.seconds, was?.seconds, " s")}`,
            r.memoryMb === undefined ? "" : `${r.memoryMb} MB${delta(r.memoryMb, was?.memoryMb, " MB")}`,
            r.detail ?? "",
        ];
    });
    return textTable([["what", "wall time", "memory", "detail"], ...cells], { rule: true });
}

function main() {
    const { json, baseline, stacks } = parseArgs(process.argv.slice(2));
    let base: Map<string, Row> | undefined;
    if (baseline) {
        try {
            base = new Map((JSON.parse(fs.readFileSync(baseline, "utf8")) as { rows: Row[] }).rows.map((r) => [r.what, r]));
        } catch (e) {
            console.error(`--baseline ${baseline}: not a saved bench (npm run --silent bench -- --json > ${baseline}): ${(e as Error).message}`);
            process.exit(1);
        }
    }
    const rows: Row[] = [];
    const progress = (r: Row) => {
        rows.push(r);
        if (!json) process.stderr.write(`  ${r.what}: ${r.seconds.toFixed(1)} s\n`);
    };
    for (const stack of stacks.length ? stacks : listStacks(root)) progress(renderRow(stack));
    progress(typecheckRow());
    progress(cliLoadRow(false));
    progress(cliLoadRow(true));
    const machine = `${process.platform} ${process.arch}, node ${process.version}, ${require("node:os").cpus().length} CPUs`;
    if (json) {
        process.stdout.write(JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + "\n");
        return;
    }
    console.log(`\n${machine}\n`);
    console.log(table(rows, base));
    const renders = rows.filter((r) => r.what.startsWith("render "));
    console.log(`\n${renders.length} renders: ${renders.reduce((a, r) => a + r.seconds, 0).toFixed(1)} s in all`);
}

// Run as `npm run bench`; imported (the tests), it only lends its table.
if (require.main === module) main();
