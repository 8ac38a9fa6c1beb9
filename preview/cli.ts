/**
 * Offline preview: `npm run preview -- [--stack NAME] [--json]`.
 *
 * Runs the program under Pulumi's mocks with Pulumi.<NAME>.yaml (default: dev) and
 * prints every resource `pulumi up` would create (parent/child, type, name) and the
 * sizing table. No cloud account, no Pulumi CLI. A stack the Pulumi CLI would refuse
 * (StackFileError) or a bad stack config (ConfigError) exits 1 with its message, no stack trace.
 */
import { ConfigError } from "../config";
import * as path from "node:path";
import { previewJson, resourceTree } from "./output";
import { renderStack } from "./render";
import { footprintText, sizingTable } from "./sizing-table";
import { StackFileError } from "./stack-config";

function usage(): never {
    console.error("usage: npm run preview -- [--stack NAME] [--json] [--dir PROJECT_DIR]");
    process.exit(2);
}

function parseArgs(argv: string[]) {
    let stack = "dev";
    let json = false;
    let dir: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === "--json") json = true;
        else if (a === "--stack" || a === "-s") stack = argv[++i] ?? usage();
        else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
        else if (a === "--dir") dir = path.resolve(argv[++i] ?? usage());
        else usage();
    }
    return { stack, json, dir };
}

async function main() {
    const { stack, json, dir } = parseArgs(process.argv.slice(2));
    // Pulumi records every resource's source position from a stack trace, which tsx's source
    // maps make costly (a map lookup each); the offline preview shows no positions.
    process.setSourceMapsEnabled(false);
    const r = await renderStack(stack, dir);
    if (json) {
        // Wait until the text is flushed: a pipe takes it asynchronously, and exit would cut it off.
        await new Promise<void>((resolve) => process.stdout.write(JSON.stringify(previewJson(r), null, 2) + "\n", () => resolve()));
        return;
    }
    const custom = r.resources.filter((x) => x.custom).length;
    console.log(`Stack ${stack}: ${custom} resources in ${r.resources.length - custom} components ('*' component, '+' resource)\n`);
    console.log(resourceTree(r.resources));
    console.log("");
    console.log(sizingTable(r.plan));
    console.log("");
    console.log(footprintText(r.plan));
    const notes = r.warnings;
    if (notes.length) console.log(["", "Warnings:", ...notes.map((n) => `  - ${n}`)].join("\n"));
}

main().then(
    // Pulumi's runtime keeps handles open after a mock run; the preview is done.
    () => process.exit(0),
    (e: unknown) => {
        // Problems of the user's files are said as such; anything else is a bug worth its stack trace.
        if (e instanceof ConfigError || e instanceof StackFileError) console.error(e.message);
        else console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        process.exit(1);
    },
);
