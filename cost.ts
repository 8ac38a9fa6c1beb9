/**
 * Cost estimate: a plan → its monthly list price, region by region, from the dated price
 * table (tiers/prices.ts). Pure functions, no Pulumi.
 *
 * Each region (the primary, then each proxy region) gets a line per node pool, the
 * database (primary only), coderd's or the proxy's load balancer, the NAT and the
 * managed Kubernetes control plane; each at the first `pulumi up` (pools at their initial
 * node counts) and with every pool at its maximum. Node counts are the ones the cloud
 * layers deploy (per-zone groups included), not the plan's totals re-derived. A month is
 * 730 hours. A region without prices of its own is priced as its fallback and says so; a
 * machine or SKU without a price makes its line "no price" and the estimate incomplete,
 * never a crash. Figures keep full precision: rounding is the display's.
 */
import { Settings, usesExistingNetwork } from "./config";
import { Plan, PoolPlan, deployedNodes, natGatewayPlan } from "./sizing";
import { CloudName, GCP_NAT, POOL_ROLES, PoolRole, TierName } from "./tiers";
import { DatabasePrices, DiskPrices, PRICES, PriceFigure, RegionPrices } from "./tiers/prices";

/** Hours in a month: 365 x 24 / 12, the month every vendor's calculator uses. */
export const HOURS_PER_MONTH = 730;

/**
 * Source ports Cloud NAT reserves a VM (tiers: GCP_NAT, as components/gcp/network.ts sets
 * it, with dynamic port allocation): with AUTO_ONLY, NAT IPs are added as VMs need them.
 */
const GCP_NAT_PORTS_PER_VM = GCP_NAT.minPortsPerVm;

export interface CostLine {
    /** "system pool", "database", "load balancer", "NAT", "cluster" */
    item: string;
    /** the machine type, SKU or what is counted */
    what: string;
    /** a pool's nodes: at the first pulumi up and with the pool at its maximum */
    nodes?: { initial: number; max: number };
    /** USD a month at the initial and the maximum counts; null: no price (see noPrice) */
    monthly: { initial: number | null; max: number | null };
    /** how the figures are made, with the unit prices used */
    basis: string;
    /** what the table has no price for; the line's figures are then null */
    noPrice?: string;
    /** a figure used is not checked against a copy of its page (tiers/prices.ts `checked: false`) */
    unchecked: boolean;
    /** the region whose prices the line takes, where its own region (or the region's fallback) has none for it */
    pricedAs?: string;
}

export interface RegionCost {
    /** "primary", or the proxy region's name */
    name: string;
    region: string;
    /** the priced region this region is priced as (tiers/prices.ts `fallback`); absent: its own prices */
    pricedAs?: string;
    lines: CostLine[];
    /** the sum of the priced lines */
    subtotal: { initial: number; max: number };
    /** false: a line has no price, and the subtotal leaves it out */
    complete: boolean;
}

export interface CostEstimate {
    cloud: CloudName;
    tier: TierName;
    currency: "USD";
    /** the price table's date (YYYY-MM) */
    priceDate: string;
    hoursPerMonth: number;
    /** the primary region first, then each proxy region in the stack's order */
    regions: RegionCost[];
    total: { initial: number; max: number };
    /** false: a line has no price, and the total leaves it out */
    complete: boolean;
    /** fallback regions, lines without a price, unchecked figures, and what is not counted */
    notes: string[];
}

/** What the estimate leaves out, said with every estimate. */
const NOT_COUNTED = [
    "data transfer: internet egress, cross-zone and cross-region traffic",
    "load balancer data processing (GCP per GB, AWS NLCUs, Azure per GB) and NAT data processing (per GB on every cloud)",
    "database backups and point-in-time-recovery logs beyond the free allowance, and storage the database grows into (autoresize)",
    "workspace volumes and the observability bundle's volumes (PersistentVolumes), created at run time",
    "Hyperdisk Balanced IOPS and throughput above the 3,000 IOPS and 140 MiB/s it includes",
    "DNS zones, KMS keys, log and metric ingestion and retention (Cloud Logging, CloudWatch, Azure Monitor), support plans, taxes",
    "credits and discounts: free tiers, committed use, savings plans, reservations",
];

/** A priced region: the region's own prices, or its fallback's. */
function pricesOf(cloud: CloudName, region: string): { prices?: RegionPrices; pricedAs?: string } {
    const table = PRICES.clouds[cloud];
    const own = table.regions[region];
    if (own) return { prices: own };
    const to = table.fallback[region];
    const fallback = to ? table.regions[to] : undefined;
    return fallback ? { prices: fallback, pricedAs: to } : {};
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** `$0.42336` for unit prices, `$1,234.56` for sums: text only, the figures stay exact. */
const unit = (usd: number): string => {
    const [whole, frac = ""] = String(Number(usd.toPrecision(6))).split(".");
    return `$${whole}.${frac.padEnd(2, "0")}`;
};
/** Dollars to the cent, for display only (the estimate keeps full precision); null: "no price". */
export function usd(x: number | null): string {
    return x === null ? "no price" : `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A line without a price: its figures null, what is missing named. */
const noPriceLine = (item: string, what: string, missing: string, nodes?: { initial: number; max: number }): CostLine => ({
    item, what, ...(nodes ? { nodes } : {}), monthly: { initial: null, max: null }, basis: "no price", noPrice: missing, unchecked: false,
});

/** A boot disk's price a month, and the figure it comes from. */
function diskMonth(d: DiskPrices | undefined, sizeGb: number): { usd: number; figure: PriceFigure; text: string } | undefined {
    if (!d) return undefined;
    if (d.kind === "per-gb") return { usd: sizeGb * d.gbMonth.usd, figure: d.gbMonth, text: `${sizeGb} GB x ${unit(d.gbMonth.usd)}/GB-month` };
    const tier = d.tiers.find((t) => t.maxGb >= sizeGb);
    return tier ? { usd: tier.month.usd, figure: tier.month, text: `${sizeGb} GB: a ${tier.name} disk, ${unit(tier.month.usd)} a month` } : undefined;
}

function poolLine(cloud: CloudName, pool: PoolPlan, prices: RegionPrices, pricedIn: string): CostLine {
    const item = `${pool.role} pool`;
    const nodes = deployedNodes(cloud, pool);
    const machine = prices.machines[pool.machine.name];
    const disk = diskMonth(prices.disks[pool.bootDisk.type], pool.bootDisk.sizeGb);
    const missing = [
        ...(machine ? [] : [`machine ${pool.machine.name} in ${pricedIn}`]),
        ...(disk ? [] : [`boot disk ${pool.bootDisk.type} (${pool.bootDisk.sizeGb} GB) in ${pricedIn}`]),
    ];
    if (!machine || !disk) return noPriceLine(item, pool.machine.name, missing.join("; "), nodes);
    const perNode = machine.usd * HOURS_PER_MONTH + disk.usd;
    return {
        item,
        what: pool.machine.name,
        nodes,
        monthly: { initial: nodes.initial * perNode, max: nodes.max * perNode },
        basis: `a node: ${unit(machine.usd)}/h x ${HOURS_PER_MONTH} h + boot disk ${pool.bootDisk.type} ${disk.text} = ${usd(perNode)} a month`,
        unchecked: !machine.checked || !disk.figure.checked,
    };
}

/**
 * The database line. The price table has database prices in the stacks' primary regions
 * only: a primary elsewhere whose priced region (or fallback) has none is priced as the
 * cloud's first region with them, and the line says so.
 */
function databaseOf(plan: Plan, prices: RegionPrices, pricedIn: string): CostLine {
    if (prices.database) return databaseLine(plan, prices.database, pricedIn);
    const [region, other] = Object.entries(PRICES.clouds[plan.cloud].regions).find(([, r]) => r.database) ?? [];
    if (!region || !other) return databaseLine(plan, undefined, pricedIn);
    return { ...databaseLine(plan, other.database, region), pricedAs: region };
}

/** The database: its instances (a standby too with HA, as each service bills it) and its storage. */
function databaseLine(plan: Plan, d: DatabasePrices | undefined, pricedIn: string): CostLine {
    const db = plan.database;
    const ha = db.highAvailability;
    const instances = ha ? 2 : 1;
    const what = `${instances} x ${db.machine.name}${ha ? " (primary and standby)" : ""}, ${db.storageGb} GB`;
    if (!d) return noPriceLine("database", what, `managed PostgreSQL in ${pricedIn}`);
    let hourly: number;
    let figures: PriceFigure[];
    let compute: string;
    if (d.kind === "per-resource") {
        hourly = db.machine.vcpu * d.vcpuHour.usd + db.machine.memoryGiB * d.memoryGbHour.usd;
        figures = [d.vcpuHour, d.memoryGbHour];
        compute = `${db.machine.vcpu} vCPU x ${unit(d.vcpuHour.usd)} + ${db.machine.memoryGiB} GB x ${unit(d.memoryGbHour.usd)} = ${unit(hourly)}/h`;
    } else {
        const instance = d.instanceHour[db.machine.name];
        if (!instance) return noPriceLine("database", what, `${db.machine.name} in ${pricedIn}`);
        hourly = instance.usd;
        figures = [instance];
        compute = `${unit(hourly)}/h`;
    }
    const computeFactor = ha ? d.ha.compute : 1;
    const storageFactor = ha ? d.ha.storage : 1;
    const month = hourly * computeFactor * HOURS_PER_MONTH + db.storageGb * d.storageGbMonth.usd * storageFactor;
    return {
        item: "database",
        what,
        monthly: { initial: month, max: month },
        basis: `${compute}${ha ? ` x ${computeFactor} (HA)` : ""} x ${HOURS_PER_MONTH} h + ${db.storageGb} GB x ${unit(d.storageGbMonth.usd)}/GB-month` +
            `${ha ? ` x ${storageFactor} (HA)` : ""}`,
        unchecked: [...figures, d.storageGbMonth].some((f) => !f.checked) || (ha && !d.ha.checked),
    };
}

/**
 * The public load balancer of coderd (or of a region's proxy): GCP one forwarding rule (its
 * static address is free while in use); AWS an NLB with a public IPv4 address in each zone's
 * public subnet; Azure a Standard Load Balancer and its static public IP.
 */
function loadBalancerLine(cloud: CloudName, zones: number, prices: RegionPrices, internal: boolean): CostLine {
    const lb = prices.loadBalancer;
    // internal (coder-refarch:internalLoadBalancer): the same balancer, on private addresses only
    const ips = lb.ipHour && !internal ? (cloud === "aws" ? zones : 1) : 0;
    const hourly = lb.hour.usd + ips * (lb.ipHour?.usd ?? 0);
    const what = cloud === "gcp" ? `${internal ? "internal " : ""}forwarding rule`
        : cloud === "aws" ? (internal ? "internal NLB" : `NLB, ${ips} public IPv4`)
            : internal ? "internal Standard Load Balancer" : "Standard Load Balancer, 1 public IP";
    const month = hourly * HOURS_PER_MONTH;
    return {
        item: "load balancer",
        what,
        monthly: { initial: month, max: month },
        basis: `${ips ? `(${unit(lb.hour.usd)} + ${ips} x ${unit(lb.ipHour!.usd)} an IP)` : unit(lb.hour.usd)}/h x ${HOURS_PER_MONTH} h`,
        unchecked: !lb.hour.checked || (ips > 0 && !lb.ipHour!.checked),
    };
}

/**
 * Outbound NAT. GCP: Cloud NAT bills a VM-hour for each node up to its cap, and each NAT IP,
 * which AUTO_ONLY allocates by the ports the VMs reserve (an estimate: dynamic allocation may
 * add more under load). AWS: a NAT gateway and its Elastic IP a zone (components/aws/network.ts).
 * Azure: one NAT gateway and the public IPs natGatewayPlan sizes for the pools' maximum.
 */
function natLine(plan: Plan, pools: Record<PoolRole, PoolPlan>, zones: number, prices: RegionPrices): CostLine {
    const nat = prices.nat;
    if (nat.kind === "per-vm") {
        const vms = POOL_ROLES.map((r) => deployedNodes(plan.cloud, pools[r]));
        const at = (n: number) => {
            const ips = Math.max(1, Math.ceil((n * GCP_NAT_PORTS_PER_VM) / nat.portsPerIp));
            return { ips, hourly: Math.min(n, nat.maxVms) * nat.vmHour.usd + ips * nat.ipHour.usd };
        };
        const initial = at(sum(vms.map((v) => v.initial)));
        const max = at(sum(vms.map((v) => v.max)));
        return {
            item: "NAT",
            what: `Cloud NAT, ${initial.ips === max.ips ? initial.ips : `${initial.ips}-${max.ips}`} IP${max.ips > 1 ? "s" : ""}`,
            monthly: { initial: initial.hourly * HOURS_PER_MONTH, max: max.hourly * HOURS_PER_MONTH },
            basis: `${unit(nat.vmHour.usd)} a VM-hour for up to ${nat.maxVms} VMs + ${unit(nat.ipHour.usd)} an IP-hour ` +
                `(an IP a ${Math.floor(nat.portsPerIp / GCP_NAT_PORTS_PER_VM)} VMs), x ${HOURS_PER_MONTH} h`,
            unchecked: !nat.vmHour.checked || !nat.ipHour.checked,
        };
    }
    const gateways = plan.cloud === "aws" ? zones : 1;
    const ips = plan.cloud === "aws" ? zones : natGatewayPlan(pools).publicIps;
    const month = (gateways * nat.gatewayHour.usd + ips * nat.ipHour.usd) * HOURS_PER_MONTH;
    return {
        item: "NAT",
        what: `${gateways} NAT gateway${gateways > 1 ? "s" : ""}, ${ips} public IP${ips > 1 ? "s" : ""}`,
        monthly: { initial: month, max: month },
        basis: `(${gateways} x ${unit(nat.gatewayHour.usd)} + ${ips} x ${unit(nat.ipHour.usd)})/h x ${HOURS_PER_MONTH} h`,
        unchecked: !nat.gatewayHour.checked || !nat.ipHour.checked,
    };
}

function clusterLine(cloud: CloudName, prices: RegionPrices): CostLine {
    const month = prices.clusterHour.usd * HOURS_PER_MONTH;
    return {
        item: "cluster",
        what: cloud === "gcp" ? "GKE" : cloud === "aws" ? "EKS" : "AKS Standard",
        monthly: { initial: month, max: month },
        basis: `${unit(prices.clusterHour.usd)} a cluster-hour x ${HOURS_PER_MONTH} h`,
        unchecked: !prices.clusterHour.checked,
    };
}

/**
 * The NAT of a network the program does not create (coder-refarch:network). AWS: the NAT
 * gateways are the network's, billed by the hour whoever uses them. GCP: Cloud NAT bills a
 * VM-hour for each VM that uses it, and the addresses their ports need, so the stack's nodes
 * add to the network's bill (assuming they leave through its Cloud NAT): counted as the
 * program's own NAT would be.
 */
function existingNatLine(plan: Plan, pools: Record<PoolRole, PoolPlan>, zones: number, prices: RegionPrices): CostLine {
    if (prices.nat.kind === "per-vm") {
        const l = natLine(plan, pools, zones, prices);
        return { ...l, what: `the existing network's Cloud NAT, for this stack's nodes (${l.what.replace(/^Cloud NAT, /, "")})` };
    }
    return {
        item: "NAT", what: "the existing network's", monthly: { initial: 0, max: 0 },
        basis: "not created by the program (coder-refarch:network): its NAT gateways are billed with the network", unchecked: false,
    };
}

/** What of the stack's settings the estimate follows, besides the plan: who makes the network, and the balancer's kind. */
export type CostSettings = Pick<Settings, "network" | "internalLoadBalancer">;

function regionCost(
    plan: Plan, name: string, region: string, zones: number, pools: Record<PoolRole, PoolPlan>, withDatabase: boolean,
    existingNetwork: boolean, internalLoadBalancer: boolean,
): RegionCost {
    const { prices, pricedAs } = pricesOf(plan.cloud, region);
    const pricedIn = pricedAs ?? region;
    const lines: CostLine[] = prices
        ? [
            ...POOL_ROLES.map((r) => poolLine(plan.cloud, pools[r], prices, pricedIn)),
            ...(withDatabase ? [databaseOf(plan, prices, pricedIn)] : []),
            loadBalancerLine(plan.cloud, zones, prices, internalLoadBalancer),
            (existingNetwork ? existingNatLine : natLine)(plan, pools, zones, prices),
            clusterLine(plan.cloud, prices),
        ]
        : [noPriceLine("region", region, `region ${region}: no prices and no fallback in tiers/prices.ts`)];
    const priced = lines.filter((l) => l.noPrice === undefined);
    return {
        name,
        region,
        ...(pricedAs ? { pricedAs } : {}),
        lines,
        subtotal: { initial: sum(priced.map((l) => l.monthly.initial ?? 0)), max: sum(priced.map((l) => l.monthly.max ?? 0)) },
        complete: priced.length === lines.length,
    };
}

/** The plan's monthly list price, region by region (see the file's comment). */
export function estimateCost(plan: Plan, s: CostSettings = { network: {}, internalLoadBalancer: false }): CostEstimate {
    const regions = [
        // an existing network is the primary region's; a proxy region's network is always the program's (settingsForRegion)
        regionCost(plan, "primary", plan.region, plan.zones.length, plan.pools, true, usesExistingNetwork(s), s.internalLoadBalancer),
        ...plan.proxies.map((p) => regionCost(plan, p.name, p.region, p.zones.length, p.pools, false, false, s.internalLoadBalancer)),
    ];
    const lines = regions.flatMap((r) => r.lines.map((l) => ({ region: r, line: l })));
    const unchecked = lines.filter((x) => x.line.unchecked).length;
    const notes = [
        ...regions.filter((r) => r.pricedAs).map((r) => `${r.name} (${r.region}): priced as ${r.pricedAs}, the nearest priced region (tiers/prices.ts fallback)`),
        ...lines.filter((x) => x.line.pricedAs !== undefined)
            .map((x) => `${x.region.name}: ${x.line.item}: priced as ${x.line.pricedAs} (tiers/prices.ts has no ${x.line.item} price for ${x.region.pricedAs ?? x.region.region})`),
        ...lines.filter((x) => x.line.noPrice !== undefined)
            .map((x) => `${x.region.name}: ${x.line.item}: no price for ${x.line.noPrice}; the totals leave it out (incomplete)`),
        ...(unchecked > 0
            ? [`${unchecked} of ${lines.length} lines use figures taken from the price pages without a copy to check them against (tiers/prices.ts checked: false)`]
            : []),
        ...(plan.cloud === "aws" && POOL_ROLES.some((r) => plan.pools[r].instanceTypes.length > 1)
            ? ["autoscaled node groups may launch same-shape types where the planned one is short; every node is priced as the planned type"]
            : []),
        ...(plan.cloud === "gcp" ? ["Cloud NAT IPs are estimated from the ports a VM reserves (1,024); dynamic port allocation may add IPs under load"] : []),
        `not counted: ${NOT_COUNTED.join("; ")}`,
    ];
    return {
        cloud: plan.cloud,
        tier: plan.tier.name,
        currency: "USD",
        priceDate: PRICES.date,
        hoursPerMonth: HOURS_PER_MONTH,
        regions,
        total: { initial: sum(regions.map((r) => r.subtotal.initial)), max: sum(regions.map((r) => r.subtotal.max)) },
        complete: regions.every((r) => r.complete),
        notes,
    };
}
