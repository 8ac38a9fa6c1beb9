/** What the offline preview prints: the resource tree, or JSON. */
import { Rendered, RenderedResource, redact } from "./render";
import { footprint, planOfRegion } from "../sizing";
import { sizingSummary } from "./sizing-table";

/** `{"stack", "resources": [{"type", "name", "parent", "inputs"}], "sizing"}` with every secret as "[secret]". */
export function previewJson(r: Rendered) {
    return {
        stack: r.stack,
        resources: r.resources.map((x) => ({ type: x.type, name: x.name, parent: x.parent ?? null, inputs: redact(x.inputs) })),
        sizing: sizingSummary(r.plan),
        /** what the stack buys (vCPUs by family, disks, the database) and the quotas it counts against */
        footprint: {
            ...footprint(r.plan),
            /** each proxy region's (quotas are regional; no database there) */
            proxyRegions: Object.fromEntries(r.plan.proxies.map((p) => [p.name, footprint(planOfRegion(r.plan, p), false)])),
        },
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
