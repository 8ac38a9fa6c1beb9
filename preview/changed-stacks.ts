/**
 * The stacks a pull request touches: `git diff --name-only BASE...HEAD | npx tsx preview/changed-stacks.ts`
 * prints them as a JSON array, `[{"stack":"gcp-3k","cloud":"gcp","region":"europe-west1"}]`,
 * the matrix of the pull-request workflow's offline diff and `pulumi preview` jobs.
 *
 * - a stack file `Pulumi.<stack>.yaml` that still exists: that stack;
 * - the program's code or dependencies (index.ts, program.ts, config.ts, sizing.ts, tiers/,
 *   components/k8s/, components/*.ts, preview/, package.json, package-lock.json,
 *   Pulumi.yaml, tsconfig.json): every stack;
 * - components/gcp/, components/aws/, components/azure/: that cloud's stacks;
 * - the policy pack (policy/): every stack, whose `pulumi preview` runs the pack (its offline
 *   diff shows no change); a stack's own pack config (policy/config.<stack>.json): that stack;
 * - documentation (*.md), test/, .github/, .ci/ and the test tooling: no stack
 *   (the test job still runs).
 *
 * A path none of these rules names is taken as code: every stack. Previewing a stack too
 * many costs minutes; missing one hides a change.
 */
import { CLOUDS, CloudName as Cloud } from "../tiers/types";
import { STACK_FILE, listStacks, projectRoot, readStackConfig, StackFileError } from "./stack-config";

/** A stack of the project, as the workflow's matrix entry. */
export interface StackEntry {
    stack: string;
    /** `coder-refarch:cloud` (Pulumi.yaml's default applied); null when the stack file cannot be read */
    cloud: Cloud | null;
    /** `coder-refarch:region`; null when the stack file cannot be read */
    region: string | null;
}

/** What a changed path asks to be previewed. */
export type Scope =
    | { kind: "none" }
    | { kind: "all" }
    | { kind: "cloud"; cloud: Cloud }
    | { kind: "stack"; stack: string };

/** Directories whose files change no stack: documentation, tests, CI. (The policy pack judges every stack's preview.) */
const NO_STACK_DIRS = ["test/", ".github/", ".ci/", "docs/"];
/** Files at the root (or in preview/) that change no stack. */
const NO_STACK_FILES = new Set([
    ".gitignore", ".gitattributes", ".editorconfig", "LICENSE", "vitest.config.mts",
    // this module only decides what the workflow previews; the test job covers it
    "preview/changed-stacks.ts",
]);
/** A stack's own policy pack config (policy/config.dev.json): that stack's preview alone. */
const POLICY_CONFIG = /^policy\/config\.(.+)\.json$/;

/** A path as git prints it, relative to the repository's root with forward slashes. */
function normalise(file: string): string {
    return file.trim().replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}

/** What one changed path (relative to the repository's root) asks to be previewed. */
export function scopeOf(file: string): Scope {
    const f = normalise(file);
    if (f === "") return { kind: "none" };
    if (/\.md$/i.test(f)) return { kind: "none" };
    if (NO_STACK_FILES.has(f) || NO_STACK_DIRS.some((d) => f.startsWith(d))) return { kind: "none" };
    const stack = STACK_FILE.exec(f)?.[1] ?? POLICY_CONFIG.exec(f)?.[1];
    if (stack !== undefined) return { kind: "stack", stack };
    const cloud = /^components\/([^/]+)\//.exec(f)?.[1];
    if (cloud && (CLOUDS as readonly string[]).includes(cloud)) return { kind: "cloud", cloud: cloud as Cloud };
    // Pulumi.yaml, package.json, package-lock.json, tsconfig.json, the program's own files,
    // tiers/, components/k8s/, components/coder-api/, components/*.ts, preview/ and anything new.
    return { kind: "all" };
}

/**
 * The stacks that the changed paths touch, in the order of `stacks` (the project's stacks,
 * as readStacks gives them). A stack file that was deleted (not in `stacks`) touches nothing.
 */
export function touchedStacks(changed: readonly string[], stacks: readonly StackEntry[]): StackEntry[] {
    const scopes = changed.map(scopeOf);
    if (scopes.some((s) => s.kind === "all")) return [...stacks];
    const named = new Set(scopes.flatMap((s) => (s.kind === "stack" ? [s.stack] : [])));
    const clouds = new Set(scopes.flatMap((s) => (s.kind === "cloud" ? [s.cloud] : [])));
    return stacks.filter((s) => named.has(s.stack) || (s.cloud !== null && clouds.has(s.cloud)));
}

/**
 * Every stack of the project with its cloud and region, read as the Pulumi CLI reads the
 * stack file. A stack file the CLI would refuse is still a stack (its offline render
 * shows why), with no cloud and region.
 */
export function readStacks(root = projectRoot()): StackEntry[] {
    return listStacks(root).map((stack) => {
        try {
            const raw = readStackConfig(stack, root).raw;
            const cloud = raw["coder-refarch:cloud"];
            const region = raw["coder-refarch:region"];
            return {
                stack,
                cloud: (CLOUDS as readonly (string | undefined)[]).includes(cloud) ? (cloud as Cloud) : null,
                region: region ? region : null,
            };
        } catch (e) {
            if (e instanceof StackFileError) return { stack, cloud: null, region: null };
            throw e;
        }
    });
}

async function main(): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const changed = Buffer.concat(chunks).toString("utf8").split("\n").filter((l) => l.trim() !== "");
    // One line: the workflow hands it to $GITHUB_OUTPUT.
    process.stdout.write(JSON.stringify(touchedStacks(changed, readStacks())) + "\n");
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        process.exit(1);
    });
}
