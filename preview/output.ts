/** What the offline preview prints: the resource tree, or JSON. */
import { Rendered, RenderedResource, redact } from "./render";
import { estimateCost } from "../cost";
import { footprint, planOfRegion } from "../sizing";
import { sizingSummary } from "./sizing-table";

/**
 * `{"stack", "resources": [{"type", "name", "parent", "urn", "custom", "protect", "provider", "ignoreChanges",
 * "inputDependencies", "inputs"}], "sizing", "footprint", "cost", "warnings"}`
 * with every secret as "[secret]". Saved, it is the OLD.json of the offline diff (`--diff`).
 */
export function previewJson(r: Rendered) {
    return {
        stack: r.stack,
        resources: r.resources.map((x) => ({
            type: x.type, name: x.name, parent: x.parent ?? null,
            // false: a component (a group of resources, nothing in the cloud)
            custom: x.custom,
            // true: a stateful resource pulumi up refuses to delete or replace
            protect: x.protect,
            // inputs the program leaves to the cloud after creation (e.g. an autoscaled count)
            ignoreChanges: x.ignoreChanges,
            // the provider it is managed by; null: the default provider of its package
            provider: x.provider ?? null,
            // its identity as Pulumi keys it (parents' types, type, name): a change here is a new resource
            urn: x.urn,
            // the resources (type::name) each input takes an output of: what a replacement reaches
            inputDependencies: x.inputDependencies,
            inputs: redact(x.inputs) as Record<string, unknown>,
        })),
        sizing: sizingSummary(r.plan),
        /** what the stack buys (vCPUs by family, disks, the database) and the quotas it counts against */
        footprint: {
            ...footprint(r.plan),
            /** each proxy region's (quotas are regional; no database there) */
            proxyRegions: Object.fromEntries(r.plan.proxies.map((p) => [p.name, footprint(planOfRegion(r.plan, p), false)])),
        },
        /** the estimated monthly list price, region by region, at the first pulumi up and at every pool's maximum */
        cost: estimateCost(r.plan, r.settings),
        /** what the run would warn of: risky settings and the next steps it cannot take itself */
        warnings: r.warnings,
    };
}

/** Parent/child tree: '*' a component, '+' a resource. */
export function resourceTree(resources: RenderedResource[]): string {
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
