/**
 * Offline preview: `npm run preview -- [--stack NAME] [--json]`.
 *
 * Runs the program under Pulumi's mocks with Pulumi.<NAME>.yaml (default: dev) and
 * prints every resource `pulumi up` would create (parent/child, type, name) and the
 * sizing table. No cloud account, no Pulumi CLI. A bad stack config exits 1 with the
 * validation message.
 */
import { ConfigError } from "../config";
import { RenderedResource, redact, renderStack } from "./render";
import { sizingSummary, sizingTable } from "./sizing-table";

function usage(): never {
    console.error("usage: npm run preview -- [--stack NAME] [--json]");
    process.exit(2);
}

function parseArgs(argv: string[]) {
    let stack = "dev";
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === "--json") json = true;
        else if (a === "--stack" || a === "-s") stack = argv[++i] ?? usage();
        else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
        else usage();
    }
    return { stack, json };
}

function tree(resources: RenderedResource[]): string {
    const children = new Map<string | undefined, RenderedResource[]>();
    for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const lines: string[] = [];
    const walk = (parent: string | undefined, indent: string) => {
        for (const r of children.get(parent) ?? []) {
            lines.push(`${indent}${r.custom ? "+" : "*"} ${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
            if (!r.custom) walk(r.name, indent + "    ");
        }
    };
    walk(undefined, "");
    return lines.join("\n");
}

async function main() {
    const { stack, json } = parseArgs(process.argv.slice(2));
    const r = await renderStack(stack);
    if (json) {
        const out = {
            stack,
            resources: r.resources.map((x) => ({ type: x.type, name: x.name, parent: x.parent ?? null, inputs: redact(x.inputs) })),
            sizing: sizingSummary(r.plan),
        };
        process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        return;
    }
    const custom = r.resources.filter((x) => x.custom).length;
    console.log(`Stack ${stack}: ${custom} resources in ${r.resources.length - custom} components ('*' component, '+' resource)\n`);
    console.log(tree(r.resources));
    console.log("");
    console.log(sizingTable(r.plan));
}

main().then(
    // Pulumi's runtime keeps handles open after a mock run; the preview is done.
    () => process.exit(0),
    (e: unknown) => {
        if (e instanceof ConfigError) console.error(e.message);
        else console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        process.exit(1);
    },
);
