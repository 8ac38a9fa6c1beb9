/**
 * Offline preview: `npm run preview -- [--stack NAME] [--json | --diff OLD.json [--markdown]]`.
 *
 * Runs the program under Pulumi's mocks with Pulumi.<NAME>.yaml (default: dev) and
 * prints every resource `pulumi up` would create (parent/child, type, name) and the
 * sizing table; `--json` the same as JSON; `--diff OLD.json` what changed since a saved
 * `--json` render (preview/diff.ts), `--markdown` as a pull request comment. No cloud
 * account, no Pulumi CLI. A stack the Pulumi CLI would refuse (StackFileError), a bad
 * stack config (ConfigError) or an unreadable OLD.json exits 1 with its message, no stack trace.
 */
import { ConfigError } from "../config";
import * as path from "node:path";
import { DiffInputError, diffMarkdown, diffSnapshots, diffText, readSnapshot } from "./diff";
import { previewJson, resourceTree } from "./output";
import { renderStack } from "./render";
import { costTable } from "./cost-table";
import { footprintText, sizingTable } from "./sizing-table";
import { estimateCost } from "../cost";
import { StackFileError } from "./stack-config";

function usage(): never {
    console.error("usage: npm run preview -- [--stack NAME] [--json | --diff OLD.json [--markdown]] [--dir PROJECT_DIR]");
    process.exit(2);
}

function parseArgs(argv: string[]) {
    let stack = "dev";
    let json = false;
    let dir: string | undefined;
    let diff: string | undefined;
    let markdown = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === "--json") json = true;
        else if (a === "--diff") diff = argv[++i] ?? usage();
        else if (a === "--markdown") markdown = true;
        else if (a === "--stack" || a === "-s") stack = argv[++i] ?? usage();
        else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
        else if (a === "--dir") dir = path.resolve(argv[++i] ?? usage());
        else usage();
    }
    if ((json && diff) || (markdown && !diff)) usage();
    return { stack, json, dir, diff, markdown };
}

/** Writes and waits until the text is flushed: a pipe takes it asynchronously, and exit would cut it off. */
const write = (text: string) => new Promise<void>((resolve) => process.stdout.write(text + "\n", () => resolve()));

async function main() {
    const { stack, json, dir, diff, markdown } = parseArgs(process.argv.slice(2));
    // Read before rendering: a wrong path is said at once.
    const old = diff === undefined ? undefined : readSnapshot(diff);
    // Pulumi records every resource's source position from a stack trace, which tsx's source
    // maps make costly (a map lookup each); the offline preview shows no positions.
    process.setSourceMapsEnabled(false);
    const r = await renderStack(stack, dir);
    if (json) return write(JSON.stringify(previewJson(r), null, 2));
    if (old) {
        const d = diffSnapshots(old, previewJson(r), diff);
        return write(markdown ? diffMarkdown(d) : diffText(d));
    }
    const custom = r.resources.filter((x) => x.custom).length;
    console.log(`Stack ${stack}: ${custom} resources in ${r.resources.length - custom} components ('*' component, '+' resource)\n`);
    console.log(resourceTree(r.resources));
    console.log("");
    console.log(sizingTable(r.plan));
    console.log("");
    console.log(footprintText(r.plan));
    console.log("");
    console.log(costTable(estimateCost(r.plan, r.settings)));
    const notes = r.warnings;
    if (notes.length) console.log(["", "Warnings:", ...notes.map((n) => `  - ${n}`)].join("\n"));
}

main().then(
    // Pulumi's runtime keeps handles open after a mock run; the preview is done.
    () => process.exit(0),
    (e: unknown) => {
        // Problems of the user's files are said as such; anything else is a bug worth its stack trace.
        if (e instanceof ConfigError || e instanceof StackFileError || e instanceof DiffInputError) console.error(e.message);
        else console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        process.exit(1);
    },
);
