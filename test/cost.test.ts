/**
 * The cost estimate. The unit prices below are copied from the vendors' price pages (and
 * the copies tiers/prices.ts names), not imported from tiers/prices.ts: a wrong figure there
 * fails these tests. Node counts come from the plan and the rendered resources.
 */
import { describe, expect, it } from "vitest";
import { CostEstimate, HOURS_PER_MONTH, estimateCost } from "../cost";
import { costTable } from "../preview/cost-table";
import { Plan, PoolPlan, deployedNodes, natGatewayPlan } from "../sizing";
import { CLOUDS, CloudName, POOL_ROLES, PoolRole, REGIONS as CLOUD_REGIONS } from "../tiers";
import { PRICES } from "../tiers/prices";

/** The domain of each cloud's own price pages: every figure's `url` must be on it. */
const PRICE_DOMAINS: Readonly<Record<CloudName, string>> = { gcp: "cloud.google.com", aws: "aws.amazon.com", azure: "azure.microsoft.com" };
import { POOL_KEY, REGIONS, STACKS, ofType, rawConfig, render, renderRegion } from "./helpers";
import { previewJson } from "../preview/output";
import { renderConfig } from "../preview/render";

type Obj = Record<string, any>;
const H = 730;

/** A region's line of an estimate. */
function line(c: CostEstimate, item: string, region = "primary") {
    const r = c.regions.find((x) => x.name === region)!;
    const l = r.lines.find((x) => x.item === item);
    if (!l) throw new Error(`no line ${item} in ${region}`);
    return l;
}

const cloudOf = (stack: string): CloudName => (stack === "dev" ? "gcp" : (stack.split("-")[0] as CloudName));

describe("cost estimate: lines from the price pages", () => {
    // A pool's month: nodes x (the page's hourly price x 730 h + the boot disk's month).
    const cases: {
        stack: string; item: string; region?: string;
        nodes: { initial: number; max: number }; hourly: number; disk: number; page: string;
    }[] = [
        // cloud.google.com/compute/vm-instance-pricing, europe-west1: t2d-standard-8 $0.371784/h; pd-balanced $0.10/GB-month
        { stack: "gcp-3k", item: "workspaces pool", nodes: { initial: 3, max: 256 }, hourly: 0.371784, disk: 200 * 0.10, page: "t2d-standard-8, pd-balanced" },
        // pd-ssd $0.17/GB-month in europe-west1
        // seed 001: 240 provisioners at 30 a node run on 8 nodes (GKE starts 6, 2 a zone, and adds 2 for the pending pods)
        { stack: "gcp-3k", item: "provisioners pool", nodes: { initial: 8, max: 8 }, hourly: 0.371784, disk: 200 * 0.17, page: "t2d-standard-8, pd-ssd" },
        // us-central1: t2d-standard-8 $0.337968/h, pd-ssd $0.17
        // 2k page: 120 provisioners at 30 a node: 4 nodes
        { stack: "gcp-2k", item: "provisioners pool", nodes: { initial: 4, max: 4 }, hourly: 0.337968, disk: 200 * 0.17, page: "t2d-standard-8, pd-ssd" },
        // us-east1: n4-standard-8 $0.379088/h; Hyperdisk Balanced capacity $0.08/GB-month
        { stack: "gcp-1k", item: "provisioners pool", nodes: { initial: 9, max: 9 }, hourly: 0.379088, disk: 200 * 0.08, page: "n4-standard-8, hyperdisk-balanced" },
        // asia-southeast1 (gcp-10k's asia): n4-standard-16 $0.935361728/h
        // seed 000: 10 proxies at 3 a node (decision): 4 nodes
        { stack: "gcp-10k", region: "asia", item: "coderd pool", nodes: { initial: 4, max: 4 }, hourly: 0.935361728, disk: 100 * 0.088, page: "n4-standard-16" },
        // aws.amazon.com/ec2/pricing/on-demand/, us-east-1: m8i.2xlarge $0.42336/h; aws.amazon.com/ebs/pricing/: gp3 $0.08/GB-month
        { stack: "aws-3k", item: "workspaces pool", nodes: { initial: 3, max: 256 }, hourly: 0.42336, disk: 200 * 0.08, page: "m8i.2xlarge, gp3" },
        // azure.microsoft.com/pricing/details/virtual-machines/linux/, East US 2: D8s v5 $0.384/h; managed disks: P15 $38.02 a month
        { stack: "azure-1k", item: "workspaces pool", nodes: { initial: 3, max: 38 }, hourly: 0.384, disk: 38.02, page: "Standard_D8s_v5, P15" },
    ];
    for (const x of cases) {
        it(`${x.stack} ${x.region ?? "primary"} ${x.item}: nodes x (${x.page})`, async () => {
            const l = line(estimateCost((await render(x.stack)).plan), x.item, x.region);
            expect(l.nodes).toEqual(x.nodes);
            const month = x.hourly * H + x.disk;
            expect(l.monthly.initial).toBeCloseTo(x.nodes.initial * month, 6);
            expect(l.monthly.max).toBeCloseTo(x.nodes.max * month, 6);
        });
    }

    it("gcp-2k: Cloud SQL with HA is billed twice (primary and standby), storage too", async () => {
        const c = estimateCost((await render("gcp-2k")).plan);
        // cloud.google.com/sql/pricing, us-central1 Enterprise: $0.0413 a vCPU-hour, $0.007 a GB-hour, SSD $0.17/GB-month; HA twice each
        // db-custom-8-30720: 8 vCPU, 30 GB; 1,000 GB
        const month = 2 * (8 * 0.0413 + 30 * 0.007) * H + 1000 * 0.17 * 2;
        expect(line(c, "database").monthly).toEqual({ initial: expect.closeTo(month, 6), max: expect.closeTo(month, 6) });
        expect(line(c, "database").what).toBe("2 x db-custom-8-30720 (primary and standby), 1000 GB");
    });

    it("aws-3k: an RDS Multi-AZ instance, the NAT gateways and Elastic IPs a zone, the NLB's IPs, the EKS fee", async () => {
        const c = estimateCost((await render("aws-3k")).plan);
        // aws.amazon.com/rds/postgresql/pricing/: gp3 $0.115/GB-month; Multi-AZ bills the standby's instance-hours and storage too
        expect(line(c, "database").monthly.max).toBeCloseTo(2 * 0.7392 * H + 1500 * 0.115 * 2, 6);
        // aws.amazon.com/vpc/pricing/: NAT gateway $0.045/h (us-east-1), public IPv4 $0.005/h; one of each a zone
        expect(line(c, "NAT").monthly.max).toBeCloseTo(3 * (0.045 + 0.005) * H, 6);
        // aws.amazon.com/elasticloadbalancing/pricing/: NLB $0.0225/h; an internet-facing NLB has a public IPv4 a zone
        expect(line(c, "load balancer").monthly.max).toBeCloseTo((0.0225 + 3 * 0.005) * H, 6);
        // aws.amazon.com/eks/pricing/: $0.10 a cluster-hour
        expect(line(c, "cluster").monthly.max).toBeCloseTo(0.10 * H, 6);
    });

    it("an existing network's NAT is billed with the network; an internal load balancer has no public address", async () => {
        const r = await render("aws-3k");
        const own = estimateCost(r.plan, r.settings);
        const c = estimateCost(r.plan, { ...r.settings, network: { vpcId: "vpc-0123", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] }, internalLoadBalancer: true });
        expect(line(c, "NAT")).toMatchObject({ what: "the existing network's", monthly: { initial: 0, max: 0 } });
        // an internal NLB: its hour, no public IPv4 in any zone
        expect(line(c, "load balancer")).toMatchObject({ what: "internal NLB", monthly: { max: expect.closeTo(0.0225 * H, 6) } });
        expect(own.total.max - c.total.max).toBeCloseTo(3 * (0.045 + 0.005) * H + 3 * 0.005 * H, 6);
        // GCP: Cloud NAT bills the VMs that use it, the stack's nodes on an existing network too
        const g = await render("gcp-3k");
        const shared = estimateCost(g.plan, { ...g.settings, network: { hostProject: "host", network: "shared", subnetwork: "coder" } });
        expect(line(shared, "NAT").what).toBe("the existing network's Cloud NAT, for this stack's nodes (1-5 IPs)");
        expect(line(shared, "NAT").monthly).toEqual(line(estimateCost(g.plan, g.settings), "NAT").monthly);
        // the preview's cost follows the stack's settings: Azure's internal Standard Load Balancer without its public IP
        const azure = await renderConfig("azure-3k", rawConfig("azure-3k", { internalLoadBalancer: true }));
        expect(line(previewJson(azure).cost, "load balancer")).toMatchObject({ what: "internal Standard Load Balancer", monthly: { max: expect.closeTo(0.025 * H, 6) } });
    });

    it("azure-1k: one NAT gateway and the public IPs natGatewayPlan gives, the load balancer's IP, Flexible Server zone-redundant HA", async () => {
        const r = await render("azure-1k");
        const c = estimateCost(r.plan);
        const ips = natGatewayPlan(r.plan.pools).publicIps;
        // azure-nat-gateway: $0.045/h; ip-addresses: Standard static $0.005/h
        expect(line(c, "NAT").monthly.max).toBeCloseTo((0.045 + ips * 0.005) * H, 6);
        // load-balancer: Standard, first 5 rules $0.025/h, and its public IP
        expect(line(c, "load balancer").monthly.max).toBeCloseTo((0.025 + 0.005) * H, 6);
        // postgresql/flexible-server: D8ds v5 General Purpose $0.712/h, Premium SSD storage $0.115/GiB-month; HA bills the standby too
        expect(line(c, "database").monthly.max).toBeCloseTo(2 * 0.712 * H + 512 * 0.115 * 2, 6);
    });

    it("gcp-3k: Cloud NAT bills up to 32 VMs an hour and an IP for every 63 VMs' ports", async () => {
        const c = estimateCost((await render("gcp-3k")).plan);
        // cloud.google.com/nat/pricing: $0.0014 a VM-hour up to 32 VMs; an IP $0.005/h. Initial 18 VMs (1 IP: 3 system,
        // 4 coderd, 8 provisioners, 3 workspaces), at most 271 (5 IPs)
        expect(line(c, "NAT").monthly.initial).toBeCloseTo((18 * 0.0014 + 1 * 0.005) * H, 6);
        expect(line(c, "NAT").monthly.max).toBeCloseTo((32 * 0.0014 + 5 * 0.005) * H, 6);
        expect(line(c, "NAT").what).toBe("Cloud NAT, 1-5 IPs");
        // cloud.google.com/kubernetes-engine/pricing: $0.10 a cluster-hour; load-balancing/pricing: a forwarding rule $0.025/h
        expect(line(c, "cluster").monthly.max).toBeCloseTo(0.10 * H, 6);
        expect(line(c, "load balancer").monthly.max).toBeCloseTo(0.025 * H, 6);
    });
});

describe("cost estimate: regions and totals", () => {
    it("a 10k stack has three regions' subtotals, the database in the primary only", async () => {
        for (const stack of ["gcp-10k", "aws-10k", "azure-10k"]) {
            const c = estimateCost((await render(stack)).plan);
            expect(c.regions.map((r) => r.name)).toEqual(["primary", "europe", "asia"]);
            expect(c.regions.map((r) => r.lines.some((l) => l.item === "database"))).toEqual([true, false, false]);
            for (const r of c.regions) expect(r.lines.map((l) => l.item)).toEqual(expect.arrayContaining(["load balancer", "NAT", "cluster"]));
        }
    });

    it("every stack: the lines add up to the subtotals, the subtotals to the total; complete and JSON as it is", async () => {
        for (const stack of STACKS) {
            const c = estimateCost((await render(stack)).plan);
            for (const r of c.regions) {
                expect(r.subtotal.initial, stack).toBeCloseTo(r.lines.reduce((n, l) => n + l.monthly.initial!, 0), 6);
                expect(r.subtotal.max, stack).toBeCloseTo(r.lines.reduce((n, l) => n + l.monthly.max!, 0), 6);
            }
            expect(c.total.initial).toBeCloseTo(c.regions.reduce((n, r) => n + r.subtotal.initial, 0), 6);
            expect(c.total.max).toBeCloseTo(c.regions.reduce((n, r) => n + r.subtotal.max, 0), 6);
            expect(c.total.max, stack).toBeGreaterThanOrEqual(c.total.initial);
            expect([c.complete, c.currency, c.priceDate, c.hoursPerMonth], stack).toEqual([true, "USD", "2026-11", HOURS_PER_MONTH]);
            expect(JSON.parse(JSON.stringify(c))).toEqual(c);
        }
    });

    it("a region without prices is priced as its fallback and says so", async () => {
        const plan = (await render("gcp-1k")).plan;
        const own = estimateCost(plan);
        const moved = estimateCost({ ...plan, region: "us-east4", zones: ["us-east4-a", "us-east4-b", "us-east4-c"] });
        expect(moved.regions[0]).toMatchObject({ region: "us-east4", pricedAs: "us-east1", complete: true });
        expect(moved.total).toEqual(own.total);
        expect(moved.notes.join("\n")).toContain("primary (us-east4): priced as us-east1");
        expect(costTable(moved)).toContain("Primary region us-east4, priced as us-east1");
    });

    it("a region with no prices and no fallback is no price, the estimate incomplete", async () => {
        const plan = (await render("aws-1k")).plan;
        const c = estimateCost({ ...plan, region: "xx-nowhere-1" });
        expect(c.complete).toBe(false);
        expect(c.regions[0]!.lines).toHaveLength(1);
        expect(c.regions[0]!.lines[0]!.monthly).toEqual({ initial: null, max: null });
        expect(c.total).toEqual({ initial: 0, max: 0 });
    });

    it("an unknown machine gives its line no price and an incomplete total, not a crash", async () => {
        const plan = (await render("gcp-3k")).plan;
        const coderd: PoolPlan = { ...plan.pools.coderd, machine: { ...plan.pools.coderd.machine, name: "n9-standard-8" } };
        const own = estimateCost(plan);
        const c = estimateCost({ ...plan, pools: { ...plan.pools, coderd } });
        const l = line(c, "coderd pool");
        expect(l.monthly).toEqual({ initial: null, max: null });
        expect(l.noPrice).toContain("n9-standard-8");
        expect(c.complete).toBe(false);
        expect(c.regions[0]!.complete).toBe(false);
        expect(c.total.max).toBeCloseTo(own.total.max - line(own, "coderd pool").monthly.max!, 6);
        expect(c.notes.join("\n")).toMatch(/coderd pool: no price for machine n9-standard-8 in europe-west1.*incomplete/);
        const text = costTable(c);
        expect(text).toMatch(/coderd pool\s+n9-standard-8\s+4\s+no price\s+no price/);
        expect(text).toContain("(incomplete");
    });

    it("any catalogue size of a priced family is priced by its vCPUs (a stack's sizing.machineType)", async () => {
        // the families are priced linearly: europe-west1 n4-standard-2 $0.104353456/h; us-east-1 m8i.large $0.10584/h;
        // East US 2 D2s v5 $0.096/h (the pages' 2-vCPU sizes); n4-standard-48, m8i.12xlarge and D48s v5 are 24 times those
        const hourly = (stack: string, name: string) => {
            const cloud = cloudOf(stack);
            const region = { "gcp-3k": "europe-west1", "aws-3k": "us-east-1", "azure-3k": "eastus2" }[stack]!;
            return PRICES.clouds[cloud].regions[region]!.machines[name]?.usd;
        };
        expect(hourly("gcp-3k", "n4-standard-48")).toBeCloseTo(24 * 0.104353456, 9);
        expect(hourly("aws-3k", "m8i.12xlarge")).toBeCloseTo(24 * 0.10584, 9);
        expect(hourly("azure-3k", "Standard_D48s_v5")).toBeCloseTo(24 * 0.096, 9);
        // and the estimate of a pool resized to one has its price
        const plan = (await render("gcp-3k")).plan;
        const coderd: PoolPlan = { ...plan.pools.coderd, machine: { ...plan.pools.coderd.machine, name: "n4-standard-48", vcpu: 48 } };
        expect(line(estimateCost({ ...plan, pools: { ...plan.pools, coderd } }), "coderd pool").noPrice).toBeUndefined();
    });

    it("a primary region whose prices have no database takes the cloud's database prices, and says so", async () => {
        const plan = (await render("aws-3k")).plan;
        // eu-west-1 is priced (aws-10k's proxy region) without RDS; us-east-1's RDS prices stand in
        const c = estimateCost({ ...plan, region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] });
        const db = line(c, "database");
        expect(db.pricedAs).toBe("us-east-1");
        expect(db.monthly.max).toBeCloseTo(2 * 0.7392 * H + 1500 * 0.115 * 2, 6);
        expect(c.complete).toBe(true);
        expect(c.notes).toContain("primary: database: priced as us-east-1 (tiers/prices.ts has no database price for eu-west-1)");
        expect(costTable(c)).toMatch(/^database \(as us-east-1\) \*/m);
        // its own region's prices where it has them
        expect(line(estimateCost(plan), "database").pricedAs).toBeUndefined();
    });

    it("an unknown database SKU is no price, not a crash", async () => {
        const plan = (await render("azure-3k")).plan;
        const c = estimateCost({ ...plan, database: { ...plan.database, machine: { ...plan.database.machine, name: "Standard_D8s_v3" } } });
        expect(line(c, "database").noPrice).toBe("Standard_D8s_v3 in eastus2");
        expect(c.complete).toBe(false);
    });
});

describe("cost estimate: node counts as the cloud layers deploy them", () => {
    it("counts Cloud NAT IPs from the ports the rendered NAT reserves a node", async () => {
        const r = await render("gcp-3k");
        const nat = r.resources.find((x) => x.type === "gcp:compute/routerNat:RouterNat")!.inputs as Obj;
        // an IP's 64,512 source ports (the Cloud NAT page) over the ports a node starts with
        expect(line(estimateCost(r.plan), "NAT").basis).toContain(`an IP a ${Math.floor(64_512 / nat.minPortsPerVm)} VMs`);
    });

    it("EKS workspaces: a group a zone, each started at its zone's minimum", async () => {
        const plan = (await render("aws-1k")).plan;
        // 10 nodes over 3 zones: groups of 4, 3, 3; a minimum of 2 a zone starts 6 nodes, not the plan's 3
        const pool: PoolPlan = { ...plan.pools.workspaces, total: { min: 6, max: 10 }, perZone: { min: 2, max: 4 }, initial: { perZone: 1, total: 3 } };
        expect(deployedNodes("aws", pool)).toEqual({ initial: 6, max: 10 });
    });

    /** Each pool's nodes in a region's resources: at the first up and at the most. */
    function renderedNodes(cloud: CloudName, resources: { type: string; inputs: Obj }[]): Partial<Record<PoolRole, { initial: number; max: number }>> {
        const out: Partial<Record<PoolRole, { initial: number; max: number }>> = {};
        const add = (role: PoolRole, initial: number, max: number) => {
            const o = out[role] ?? { initial: 0, max: 0 };
            out[role] = { initial: o.initial + initial, max: o.max + max };
        };
        for (const x of resources) {
            const i = x.inputs;
            if (cloud === "gcp" && x.type === "gcp:container/nodePool:NodePool") {
                const zones = (i.nodeLocations as string[]).length;
                const role = i.nodeConfig.labels[POOL_KEY] as PoolRole;
                if (i.autoscaling) add(role, i.initialNodeCount * zones, i.autoscaling.totalMaxNodeCount);
                else add(role, i.nodeCount * zones, i.nodeCount * zones);
            }
            if (cloud === "aws" && x.type === "aws:eks/nodeGroup:NodeGroup") {
                add(i.labels[POOL_KEY], i.scalingConfig.desiredSize, i.scalingConfig.maxSize);
            }
            if (cloud === "azure" && x.type === "azure-native:containerservice:ManagedCluster") {
                for (const p of i.agentPoolProfiles as Obj[]) add(p.nodeLabels[POOL_KEY], p.count, p.enableAutoScaling ? p.maxCount : p.count);
            }
            if (cloud === "azure" && x.type === "azure-native:containerservice:AgentPool") {
                add(i.nodeLabels[POOL_KEY], i.count, i.enableAutoScaling ? i.maxCount : i.count);
            }
        }
        return out;
    }

    for (const id of REGIONS) {
        it(`${id}: the estimate's nodes and machines are the rendered ones, and every rendered machine and SKU is priced`, async () => {
            const [stack, proxy] = id.split("/") as [string, string | undefined];
            const r = await renderRegion(id);
            const cloud = cloudOf(stack);
            // the whole stack's estimate, and this region's part of it
            const c = estimateCost((await render(stack)).plan);
            const name = proxy ?? "primary";
            const region = c.regions.find((x) => x.name === name)!;
            expect(region.region).toBe(r.settings.region);
            const rendered = renderedNodes(cloud, r.resources);
            for (const role of POOL_ROLES) {
                const est = line(c, `${role} pool`, name).nodes!;
                expect(deployedNodes(cloud, r.plan.pools[role])).toEqual(est);
                // GKE: the pool starts initialNodeCount a zone, then its pending replicas scale it up
                // (the lines above hold those counts, from the seeds); elsewhere the counts as rendered
                if (cloud === "gcp" && (role === "coderd" || role === "provisioners")) {
                    expect(est.max, `${id} ${role}`).toBe(rendered[role]!.max);
                    expect(est.initial, `${id} ${role}`).toBeGreaterThanOrEqual(rendered[role]!.initial);
                    expect(est.initial, `${id} ${role}`).toBeLessThanOrEqual(rendered[role]!.max);
                } else {
                    expect(est, `${id} ${role}`).toEqual(rendered[role]);
                }
            }
            // the machine types and database SKUs the resources name, each priced in the region (or its fallback)
            const table = PRICES.clouds[cloud];
            const prices = table.regions[r.settings.region] ?? table.regions[table.fallback[r.settings.region]!]!;
            expect(prices, id).toBeDefined();
            const machines = new Set<string>();
            const skus = new Set<string>();
            for (const x of r.resources) {
                const i = x.inputs as Obj;
                if (x.type === "gcp:container/nodePool:NodePool") machines.add(i.nodeConfig.machineType);
                if (x.type === "aws:eks/nodeGroup:NodeGroup") machines.add(i.instanceTypes[0]);
                if (x.type === "azure-native:containerservice:ManagedCluster") for (const p of i.agentPoolProfiles as Obj[]) machines.add(p.vmSize);
                if (x.type === "azure-native:containerservice:AgentPool") machines.add(i.vmSize);
                if (x.type === "gcp:sql/databaseInstance:DatabaseInstance") skus.add(i.settings.tier);
                if (x.type === "aws:rds/instance:Instance") skus.add(i.instanceClass);
                if (x.type === "azure-native:dbforpostgresql:Server") skus.add(i.sku.name);
            }
            expect(machines.size, id).toBeGreaterThan(0);
            for (const m of machines) expect(prices.machines[m], `${id}: ${m}`).toBeDefined();
            expect(new Set(POOL_ROLES.map((role) => line(c, `${role} pool`, name).what))).toEqual(machines);
            const db = prices.database;
            for (const sku of skus) {
                expect(db, `${id}: database prices`).toBeDefined();
                if (db?.kind === "per-instance") expect(db.instanceHour[sku], `${id}: ${sku}`).toBeDefined();
            }
            expect(skus.size, id).toBe(proxy ? 0 : 1);
            if (!proxy) expect(line(c, "database").noPrice, id).toBeUndefined();
            expect(region.lines.every((l) => l.noPrice === undefined), id).toBe(true);
        });
    }
});

describe("the price table", () => {
    it("is dated, and every figure cites a page on its cloud's own pricing domain", () => {
        expect(PRICES.date).toMatch(/^\d{4}-(0[1-9]|1[0-2])$/);
        expect(PRICES.currency).toBe("USD");
        for (const cloud of CLOUDS) {
            const figures: Obj[] = [];
            const walk = (v: unknown): void => {
                if (Array.isArray(v)) v.forEach(walk);
                else if (v && typeof v === "object") {
                    if ("url" in v) figures.push(v as Obj);
                    Object.values(v).forEach(walk);
                }
            };
            walk(PRICES.clouds[cloud].regions);
            expect(figures.length, cloud).toBeGreaterThan(20);
            for (const f of figures) {
                expect(new URL(f.url).protocol, f.url).toBe("https:");
                expect(new URL(f.url).hostname, f.url).toBe(PRICE_DOMAINS[cloud]);
                expect(typeof f.checked, f.url).toBe("boolean");
                if ("usd" in f) expect(f.usd, f.url).toBeGreaterThan(0);
            }
        }
    });

    it("every region of the catalogue is priced, or falls back to a priced region", () => {
        for (const cloud of CLOUDS) {
            const t = PRICES.clouds[cloud];
            for (const to of Object.values(t.fallback)) expect(t.regions[to], `${cloud} fallback ${to}`).toBeDefined();
            for (const region of Object.keys(t.regions)) expect(t.fallback[region], `${cloud} ${region}`).toBeUndefined();
            for (const region of CLOUD_REGIONS[cloud].regions) {
                expect(t.regions[region] ?? t.fallback[region], `${cloud} ${region}`).toBeDefined();
            }
        }
    });

    it("a plan's machines and SKUs of every stack region are priced in that region's own table", async () => {
        // the stacks' regions have prices of their own: no stack is estimated from a fallback
        for (const stack of STACKS) {
            const plan: Plan = (await render(stack)).plan;
            const c = estimateCost(plan);
            expect(c.regions.filter((r) => r.pricedAs).map((r) => r.region), stack).toEqual([]);
        }
    });
});

describe("the cost table", () => {
    it("gcp-10k: a table a region, the total of three regions, the notes and what is not counted", async () => {
        const c = estimateCost((await render("gcp-10k")).plan);
        const text = costTable(c);
        expect(text).toMatch(/^Cost estimate: \$[\d,]+\.\d\d a month at the first pulumi up, \$[\d,]+\.\d\d with every pool at its maximum/);
        expect(text).toContain("Primary region us-east1");
        expect(text).toContain("Proxy region europe (europe-west1)");
        expect(text).toContain("Proxy region asia (asia-southeast1)");
        expect(text).toMatch(/workspaces pool\s+t2d-standard-8\s+3-256/);
        expect(text).toContain("Total of 3 regions");
        expect(text).toContain("not counted: data transfer");
        expect(text).toContain("list prices in USD of 2026-11, 730 hours a month");
    });
});
