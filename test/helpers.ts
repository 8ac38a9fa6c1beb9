import { Rendered, RenderedResource, renderStack } from "../preview/render";
import { listStacks } from "../preview/stack-config";

/** Every stack file of the project: each test that loops over it covers new stacks too. */
export const STACKS = listStacks();

const cache = new Map<string, Promise<Rendered>>();
let queue: Promise<unknown> = Promise.resolve();

/** Renders a stack once per test file; renders run one at a time (Pulumi's runtime is global). */
export function render(stack: string): Promise<Rendered> {
    let r = cache.get(stack);
    if (!r) {
        r = queue.then(() => renderStack(stack));
        queue = r.catch(() => undefined);
        cache.set(stack, r);
    }
    return r;
}

export const ofType = (r: Rendered, type: string): RenderedResource[] => r.resources.filter((x) => x.type === type);

export function one(r: Rendered, type: string): RenderedResource {
    const found = ofType(r, type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0]!;
}

/** The Helm release of a chart. */
export function release(r: Rendered, chart: string): RenderedResource {
    const found = ofType(r, "kubernetes:helm.sh/v3:Release").filter((x) => x.inputs.chart === chart);
    if (found.length !== 1) throw new Error(`expected one release of ${chart}, found ${found.length}`);
    return found[0]!;
}

/** The labels and taints key pools and pods share. */
export const POOL_KEY = "coder-refarch/pool";

import { readStackConfig } from "../preview/stack-config";

/** A stack's raw config with some `coder-refarch:` keys replaced (objects as JSON). */
export function rawConfig(stack: string, changes: Record<string, unknown> = {}): Record<string, string> {
    const { raw } = readStackConfig(stack);
    for (const [k, v] of Object.entries(changes)) {
        const key = k.includes(":") ? k : `coder-refarch:${k}`;
        if (v === undefined) delete raw[key];
        else raw[key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return raw;
}
