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

import { settingsForRegion } from "../config";
import { planOfRegion } from "../sizing";

/** A region of a rendered stack: the primary, or one proxy region (its resources, settings and plan). */
export interface RegionRender extends Rendered {
    /** the proxy region's name; undefined for the primary */
    proxy?: string;
}

/** The proxy regions a stack file names. */
export function proxyNamesOf(stack: string): string[] {
    const value = readStackConfig(stack).raw["coder-refarch:proxyRegions"];
    return value ? (JSON.parse(value) as { name: string }[]).map((p) => p.name) : [];
}

/** Every region of every stack: "stack" for the primary, "stack/name" for a proxy region. */
export const REGIONS = STACKS.flatMap((stack) => [stack, ...proxyNamesOf(stack).map((n) => `${stack}/${n}`)]);

/**
 * One region of a stack's render. A proxy region's resources are the ones named after it
 * (`coder-<name>-...`); the primary's are the rest (the API bootstrap, which registers every
 * proxy, included).
 */
export async function renderRegion(id: string): Promise<RegionRender> {
    const [stack, proxy] = id.split("/") as [string, string | undefined];
    const r = await render(stack);
    const names = r.settings.proxyRegions.map((p) => p.name);
    const own = (n: string) => names.find((p) => n.startsWith(`coder-${p}-`));
    if (!proxy) return { ...r, resources: r.resources.filter((x) => own(x.name) === undefined) };
    const config = r.settings.proxyRegions.find((p) => p.name === proxy)!;
    const plan = r.plan.proxies.find((p) => p.name === proxy)!;
    return {
        ...r,
        proxy,
        resources: r.resources.filter((x) => own(x.name) === proxy),
        settings: settingsForRegion(r.settings, config),
        plan: planOfRegion(r.plan, plan),
    };
}
