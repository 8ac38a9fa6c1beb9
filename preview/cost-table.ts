/** The cost estimate as a text table: region by region, then the total and what it leaves out. */
import { CostEstimate, CostLine, RegionCost, usd } from "../cost";
import { textTable } from "./text-table";

const table = (rows: string[][], right: ReadonlySet<number>) => textTable(rows, { right });

const nodes = (l: CostLine): string => (l.nodes ? (l.nodes.initial === l.nodes.max ? `${l.nodes.max}` : `${l.nodes.initial}-${l.nodes.max}`) : "");

function regionTable(r: RegionCost): string {
    const title = r.name === "primary" ? `Primary region ${r.region}` : `Proxy region ${r.name} (${r.region})`;
    // amounts right-aligned: columns 3 and 4
    return [
        `${title}${r.pricedAs ? `, priced as ${r.pricedAs}` : ""}`,
        table([
            ["item", "machine / what", "nodes", "$/month at first up", "$/month at max"],
            ...r.lines.map((l) => [`${l.item}${l.pricedAs ? ` (as ${l.pricedAs})` : ""}${l.unchecked ? " *" : ""}`, l.what, nodes(l), usd(l.monthly.initial), usd(l.monthly.max)]),
            ["subtotal" + (r.complete ? "" : " (incomplete)"), "", "", usd(r.subtotal.initial), usd(r.subtotal.max)],
        ], new Set([3, 4])),
    ].join("\n");
}

export function costTable(c: CostEstimate): string {
    const unchecked = c.regions.some((r) => r.lines.some((l) => l.unchecked));
    return [
        `Cost estimate: ${usd(c.total.initial)} a month at the first pulumi up, ${usd(c.total.max)} with every pool at its maximum` +
            `${c.complete ? "" : " (incomplete: some lines have no price)"}`,
        `  ${c.tier} on ${c.cloud}: on-demand list prices in ${c.currency} of ${c.priceDate}, ${c.hoursPerMonth} hours a month, no discounts`,
        ...c.regions.flatMap((r) => ["", regionTable(r)]),
        ...(c.regions.length > 1 ? ["", `Total of ${c.regions.length} regions: ${usd(c.total.initial)} at the first up, ${usd(c.total.max)} at the pools' maximum`] : []),
        ...(unchecked ? ["  * a figure of the line is taken from its price page without a copy to check it against (tiers/prices.ts checked: false)"] : []),
        "",
        "Notes:",
        ...c.notes.map((n) => `  - ${n}`),
        "",
        "How each line is priced:",
        ...c.regions.flatMap((r) => r.lines.filter((l) => l.noPrice === undefined)
            .map((l) => `  ${c.regions.length > 1 ? `${r.name} ` : ""}${l.item}: ${l.basis}`)),
    ].join("\n");
}
