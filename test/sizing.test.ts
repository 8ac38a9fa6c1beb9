/** The sizing plan: pods → pools, per-zone rounding, machine choice, fit errors. No Pulumi here. */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../config";
import { buildPlan, rolloutSurge } from "../sizing";
import { CURRENT_FAMILIES, DAEMONSET_ALLOWANCE, DATABASE_FACTS, GKE_ALLOCATABLE, MACHINE_FACTS, SEEDS } from "./fixtures/seeds";
import { listStacks } from "../preview/stack-config";
import { POOL_KEY, rawConfig } from "./helpers";

const plan = (stack: string, changes: Record<string, unknown> = {}) => buildPlan(validateConfig(rawConfig(stack, changes), stack));

/**
 * A tier's plan on a cloud: its example stack, or, where the tier has none, the cloud's 3k
 * stack with the tier set. `pools` are the primary region's.
 */
const STACKS = new Set(listStacks());
const planTier = (cloud: "gcp" | "aws", tier: string, changes: Record<string, unknown> = {}) =>
    STACKS.has(`${cloud}-${tier}`) ? plan(`${cloud}-${tier}`, changes) : plan(`${cloud}-3k`, { tier, ...changes });

function problems(stack: string, changes: Record<string, unknown>): string[] {
    try {
        plan(stack, changes);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

describe("GCP pools from the seeds", () => {
    it.each([
        // tier, pool, machine, nodes in all (min, max), the most in one zone; 3 zones each.
        // GKE counts totals over the zones (autoscaling total limits): the seeds' counts, not
        // a multiple of the zones.
        ["3k", "coderd", "n4-standard-8", 4, 4, 2], // 4 coderd, 1 a node (seed 001: 4 nodes), not 2 in each of 3 zones
        ["3k", "provisioners", "t2d-standard-8", 3, 8, 3], // 8 nodes x 30 (seed 001), not 9
        ["3k", "workspaces", "t2d-standard-8", 3, 256, 86], // 256 nodes (seed 001)
        ["2k", "coderd", "n4-standard-4", 2, 3, 1], // 2 coderd, + a rollout slot = 3 nodes
        ["2k", "provisioners", "t2d-standard-8", 3, 4, 2], // 4 nodes x 30, not 6
        ["2k", "workspaces", "t2d-standard-8", 3, 128, 43], // 128 nodes
        ["1k", "coderd", "n4-standard-4", 3, 4, 2], // 3 coderd on 3 nodes, + a rollout slot = 4, not 6
        ["1k", "provisioners", "n4-standard-8", 3, 9, 3], // 60 x 1000m, 7 a node -> 9 nodes
        ["1k", "workspaces", "t2d-standard-8", 3, 38, 13], // 600 workspaces / 16 a node
        ["10k", "coderd", "n4-standard-16", 4, 4, 2], // 10 coderd, 3 a node (decision) = 4 nodes; c2d-standard-16's shape
        ["10k", "provisioners", "n4-standard-16", 3, 4, 2], // 200 provisioners, 50 a node (decision)
        ["10k", "workspaces", "t2d-standard-8", 3, 256, 86], // 256 nodes (seed 000), each region
    ] as const)("%s %s: %s, %i-%i nodes, at most %i a zone", (tier, role, machine, min, max, zoneMax) => {
        const p = planTier("gcp", tier).pools[role];
        expect(p.machine.name).toBe(machine);
        expect(p.total).toEqual({ min, max });
        expect(p.perZone.max).toBe(zoneMax);
        expect(p.labels).toEqual({ [POOL_KEY]: role });
        expect(p.taints).toEqual([{ key: POOL_KEY, value: role, effect: "NoSchedule" }]);
    });

    it.each([
        // tier, pool, initial nodes a zone (GKE's initialNodeCount), in all
        ["1k", "coderd", 1, 3], // the 3 replicas' nodes; the surge node comes with a rollout
        ["2k", "coderd", 1, 3],
        ["3k", "coderd", 1, 3], // 2 a zone would be 6, above the pool's 4: the 4th from one scale-up
        ["1k", "provisioners", 3, 9],
        ["2k", "provisioners", 1, 3], // 2 a zone would be 6, above 4
        ["3k", "provisioners", 2, 6], // 3 a zone would be 9, above 8
        ["3k", "workspaces", 1, 3],
        ["10k", "coderd", 1, 3], // 2 a zone would be 6, above the pool's 4: 9 replicas start, the 10th from one scale-up
        ["10k", "provisioners", 1, 3], // 150 provisioners start, 50 from one scale-up
        ["10k", "workspaces", 1, 3],
    ] as const)("%s %s starts with %i node(s) a zone, %i in all, never above the pool's maximum", (tier, role, perZone, total) => {
        const p = planTier("gcp", tier).pools[role];
        expect(p.initial).toEqual({ perZone, total });
        expect(p.initial.total).toBeLessThanOrEqual(p.total.max);
        // what is left comes from one scale-up: fewer than a node a zone
        if (p.workload?.name !== "workspace") {
            expect(Math.ceil(p.workload!.replicas / p.workload!.perNode) - p.initial.total).toBeLessThan(p.zones.length);
        }
    });

    it("keeps the system pool untainted, one node a zone", () => {
        const p = plan("gcp-3k").pools.system;
        expect(p.taints).toEqual([]);
        expect(p.perZone).toEqual({ min: 1, max: 1 });
    });

    it.each(["1k", "2k", "3k", "10k"] as const)("%s: every planned pod fits its nodes (GKE allocatable minus DaemonSets)", (tier) => {
        const p = planTier("gcp", tier);
        for (const pool of Object.values(p.pools)) {
            if (!pool.workload) continue;
            const a = GKE_ALLOCATABLE[pool.machine.name]!;
            const cpu = a.cpuMillis - DAEMONSET_ALLOWANCE.cpuMillis;
            const mem = a.memoryMiB - DAEMONSET_ALLOWANCE.memoryMiB;
            const w = pool.workload;
            expect(w.perNode * w.requests.cpuMillis, `${tier} ${pool.role} cpu`).toBeLessThanOrEqual(cpu);
            expect(w.perNode * w.requests.memoryMiB, `${tier} ${pool.role} memory`).toBeLessThanOrEqual(mem);
            expect(pool.total.max * w.perNode, `${tier} ${pool.role} capacity`).toBeGreaterThanOrEqual(w.replicas);
            expect(pool.maxPodsPerNode).toBeGreaterThanOrEqual(w.perNode + 8);
        }
    });

    it("packs the seeds' densities: 30 provisioners and 12-16 workspaces a node", () => {
        expect(plan("gcp-3k").pools.provisioners.workload?.perNode).toBe(SEEDS["3k"].pools.provisioners!.perNode);
        expect(plan("gcp-3k").pools.workspaces.workload?.perNode).toBe(SEEDS["3k"].pools.workspaces!.perNode);
        expect(plan("gcp-2k").pools.workspaces.workload?.perNode).toBe(SEEDS["2k"].pools.workspaces!.perNode);
        const p10k = planTier("gcp", "10k");
        for (const role of ["coderd", "provisioners", "workspaces"] as const) {
            expect(p10k.pools[role].workload?.perNode, `10k ${role}`).toBe(SEEDS["10k"].pools[role]!.perNode);
        }
    });
});

describe("rollout headroom", () => {
    it.each([[1, 1], [2, 1], [3, 1], [4, 0], [10, 0]])("%i replicas need %i surge slot(s)", (replicas, surge) => {
        expect(rolloutSurge(replicas)).toBe(surge);
    });
});

describe("machine choice where the seeds conflict", () => {
    it("deploys the stated 8 vCPU / 32 GB for 3k coderd, not the named n1-standard-4", () => {
        const p = plan("gcp-3k").pools.coderd;
        expect(p.machine.name).toBe("n4-standard-8");
        expect(p.machineSource).toMatch(/n1-standard-4/);
    });

    it("deploys the named type with machineTypes=asNamed, and then 6000m coderd does not fit", () => {
        const errs = problems("gcp-3k", { machineTypes: "asNamed" });
        expect(errs.join("\n")).toMatch(/sizing\.pools\.coderd: one coderd pod \(6000m \/ 24Gi\) does not fit on n1-standard-4/);
    });

    it("asNamed with coderd resources that fit deploys n1-standard-4", () => {
        const p = plan("gcp-3k", { machineTypes: "asNamed", sizing: { coderd: { requests: { cpu: "3", memory: "10Gi" }, limits: { cpu: "3", memory: "10Gi" } } } });
        expect(p.pools.coderd.machine.name).toBe("n1-standard-4");
    });

    it("1k: the catalogue picks N4 (seed 003: N4-series work well)", () => {
        const p = plan("gcp-1k");
        expect(p.pools.coderd.machine.name).toMatch(/^n4-/);
        expect(p.pools.provisioners.machine.name).toMatch(/^n4-/);
    });
});

describe("overrides", () => {
    it("override every figure of a workload", () => {
        const p = plan("gcp-2k", {
            sizing: {
                provisioners: { replicas: 60, requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
                pools: { provisioners: { podsPerNode: 12 } },
            },
        });
        expect(p.provisioners).toMatchObject({ replicas: 60, requests: { cpuMillis: 500, memoryMiB: 1024 }, limits: { cpuMillis: 1000, memoryMiB: 2048 } });
        expect(p.provisioners.cite.source).toBe("stack override");
        expect(p.pools.provisioners.workload?.perNode).toBe(12);
        expect(p.pools.provisioners.total.max).toBe(5); // 60 / 12 = 5 nodes
        expect(p.pools.provisioners.perZone.max).toBe(2); // at most 2 in a zone
    });

    it("override a pool's machine, bounds and density", () => {
        const p = plan("gcp-3k", { sizing: { pools: { workspaces: { machineType: "n2-standard-16", nodes: 30, minNodesPerZone: 0, podsPerNode: 24 } } } });
        expect(p.pools.workspaces.machine.name).toBe("n2-standard-16");
        expect(p.pools.workspaces.perZone).toEqual({ min: 0, max: 10 });
        expect(p.pools.workspaces.total).toEqual({ min: 0, max: 30 });
    });

    it("override the database", () => {
        const p = plan("gcp-3k", { sizing: { database: { machineType: "db-custom-16-61440", storageGb: 2000, highAvailability: false, maxConnections: 400 } } });
        expect(p.database).toMatchObject({ storageGb: 2000, highAvailability: false, maxConnections: 400 });
        expect(p.database.machine).toMatchObject({ vcpu: 16, memoryGiB: 60 });
    });

    it("one max_connections, whatever the coderd replicas: scaling coderd does not restart the database", () => {
        // Coder's scale-test rig's value (scaletest/terraform/action/scenarios.tf: max_connections 500)
        expect(plan("gcp-3k").database.maxConnections).toBe(500);
        expect(plan("gcp-3k", { sizing: { coderd: { replicas: 8 } } }).database.maxConnections).toBe(500);
        expect(plan("aws-1k").database.maxConnections).toBe(500);
        // 20 replicas need (10 pool + 2 pubsub) x 2 (rollout) x 20 + 50 = 530: a config error that says so
        expect(() => plan("gcp-3k", { sizing: { coderd: { replicas: 20 } } })).toThrow(/maxConnections: 500 is below what 20 coderd replicas open .*; set at least 530/);
    });
});

describe("pools that cannot hold their pods are config errors", () => {
    it.each([
        ["30 provisioners a node on a 16 GiB machine", { sizing: { pools: { provisioners: { machineType: "n2-standard-4" } } } },
            /sizing\.pools\.provisioners: 30 provisioners pods a node .* do not fit on n2-standard-4/],
        ["a coderd larger than its node", { sizing: { coderd: { requests: { cpu: "16" }, limits: { cpu: "16" } } } },
            /sizing\.pools\.coderd: one coderd pod \(16000m/],
        ["too few nodes for the replicas", { sizing: { pools: { coderd: { nodes: 2 } } } },
            /sizing\.pools\.coderd\.nodes: 2 nodes hold 2 coderd pods, the tier asks for 4/], // GKE: 2 in all, not 2 rounded up to a node a zone
        ["requests above limits", { sizing: { coderd: { requests: { cpu: "7" } } } },
            /sizing\.coderd: requests \(7000m \/ 24Gi\) exceed limits \(6000m \/ 24Gi\)/],
        ["max pods below the planned pods", { sizing: { pools: { provisioners: { maxPodsPerNode: 32 } } } },
            /sizing\.pools\.provisioners\.maxPodsPerNode: 32 is below the 38 pods planned a node/],
        ["max pods above GKE's limit", { sizing: { pools: { workspaces: { maxPodsPerNode: 512 } } } },
            /maxPodsPerNode: 512 is above gcp's limit of 256/],
        ["an unknown machine type", { sizing: { pools: { coderd: { machineType: "n9-huge-1" } } } },
            /'n9-huge-1' is not in the gcp machine catalogue/],
        ["a pod range too small for the pools at their maximum", { podCidr: "10.16.0.0/18" },
            /podCidr: 10\.16\.0\.0\/18 has 16384 addresses; the pools at their maximum need \d+/],
        ["an impossible Cloud SQL tier", { sizing: { database: { machineType: "db-custom-3-1000" } } },
            /'db-custom-3-1000' is not a known gcp database type/],
        ["max_connections below what coderd opens", { sizing: { database: { maxConnections: 30 } } },
            /maxConnections: 30 is below what 4 coderd replicas open/],
    ])("%s", (_, changes, message) => {
        const errs = problems("gcp-3k", changes);
        expect(errs.join("\n")).toMatch(message);
    });

    it("reports every problem at once", () => {
        const errs = problems("gcp-3k", { sizing: { pools: { coderd: { machineType: "n9-huge-1" }, provisioners: { machineType: "n2-standard-4" } } } });
        expect(errs.length).toBeGreaterThanOrEqual(2);
    });
});

// Machine generations: "where a page names an older or burstable type, deploy the current
// generation of the same shape; `machineTypes: asNamed` keeps the named ones".
type TierKey = keyof typeof SEEDS;
type Role = "coderd" | "provisioners" | "workspaces";
const TIER_KEYS = Object.keys(SEEDS) as TierKey[];
const ROLES: Role[] = ["coderd", "provisioners", "workspaces"];

/** The node shape the page states for a pool (or README's decision where seed 003 sizes none), and the type it names. */
function pageShape(tier: TierKey, role: Role, cloud: "gcp" | "aws") {
    const seed = SEEDS[tier];
    const pool = seed.pools[role];
    if (pool) return { vcpu: pool.vcpu, memoryGiB: pool.memoryGB, named: pool[cloud] as string | undefined };
    const d = seed.poolDecisions![role];
    return { vcpu: d.vcpu, memoryGiB: d.memoryGB, named: d[cloud] };
}
const familyOf = (cloud: "gcp" | "aws", name: string) => (cloud === "gcp" ? name.split("-")[0]! : name.replace(/^db\./, "").split(".")[0]!);
const isCurrent = (cloud: "gcp" | "aws", name: string) =>
    (cloud === "gcp" ? CURRENT_FAMILIES.gcp : CURRENT_FAMILIES.awsX86).includes(familyOf(cloud, name) as never);

/**
 * `machineTypes: asNamed` with what makes the named types hold the pods: seed 001's coderd
 * types are 4 vCPU / 15-16 GB (a 6000m coderd does not fit), and the 2k page's c5.2xlarge
 * has 16 GiB for 30 provisioners.
 */
const AS_NAMED: Record<TierKey, Record<string, unknown>> = {
    "1k": { machineTypes: "asNamed" },
    "2k": { machineTypes: "asNamed", sizing: { pools: { provisioners: { podsPerNode: 12 } } } },
    "3k": { machineTypes: "asNamed", sizing: { coderd: { requests: { cpu: "3", memory: "10Gi" }, limits: { cpu: "3", memory: "10Gi" } } } },
    // c2d-standard-16 holds seed 000's pods as they are
    "10k": { machineTypes: "asNamed" },
};

describe("current machine generations of the page's shape by default; asNamed deploys the named types", () => {
    const rows = TIER_KEYS.flatMap((tier) => (["gcp", "aws"] as const).flatMap((cloud) => ROLES.map((role) => [tier, cloud, role] as const)));
    it.each(rows)("%s %s %s", (tier, cloud, role) => {
        const want = pageShape(tier, role, cloud);
        const p = planTier(cloud, tier).pools[role];
        const fact = MACHINE_FACTS[p.machine.name];
        expect(fact, `${p.machine.name} in the vendor facts`).toBeDefined();
        expect({ vcpu: fact!.vcpu, memoryGiB: fact!.memoryGiB }).toEqual({ vcpu: want.vcpu, memoryGiB: want.memoryGiB });
        expect(fact!.burstable).toBe(false);
        expect(isCurrent(cloud, p.machine.name), `${p.machine.name} is a current generation`).toBe(true);
        if (cloud === "aws") expect(p.machine.arch).toBe("x86_64");

        const named = planTier(cloud, tier, AS_NAMED[tier]).pools[role];
        // a page's type (or, where none is named, the same pick as by default), alone
        expect(named.machine.name).toBe(want.named ?? p.machine.name);
        expect(named.instanceTypes).toEqual([named.machine.name]);
    });
});

describe("AWS autoscaled groups launch several same-shape x86 types", () => {
    it.each(TIER_KEYS)("%s: provisioners and workspaces list the machine first, then same-shape current types", (tier) => {
        const p = planTier("aws", tier);
        for (const role of ["provisioners", "workspaces"] as const) {
            const pool = p.pools[role];
            expect(pool.autoscaling).toBe(true);
            expect(pool.instanceTypes[0]).toBe(pool.machine.name);
            expect(pool.instanceTypes.length, `${tier} ${role}`).toBeGreaterThanOrEqual(2);
            expect(new Set(pool.instanceTypes).size).toBe(pool.instanceTypes.length);
            for (const t of pool.instanceTypes) {
                const fact = MACHINE_FACTS[t];
                expect(fact, `${t} in the vendor facts`).toBeDefined();
                expect({ vcpu: fact!.vcpu, memoryGiB: fact!.memoryGiB, burstable: fact!.burstable })
                    .toEqual({ vcpu: pool.machine.vcpu, memoryGiB: pool.machine.memoryGiB, burstable: false });
                expect(isCurrent("aws", t), `${t}: a current x86 generation`).toBe(true);
            }
        }
        // static pools and every GCP pool: one type
        expect(p.pools.coderd.instanceTypes).toEqual([p.pools.coderd.machine.name]);
        expect(p.pools.system.instanceTypes).toEqual([p.pools.system.machine.name]);
        for (const pool of Object.values(planTier("gcp", tier).pools)) expect(pool.instanceTypes).toEqual([pool.machine.name]);
    });

    it("a stack's own machineType is deployed alone", () => {
        const p = plan("aws-3k", { sizing: { pools: { workspaces: { machineType: "m7i.2xlarge" } } } });
        expect(p.pools.workspaces.instanceTypes).toEqual(["m7i.2xlarge"]);
        expect(p.pools.provisioners.instanceTypes.length).toBeGreaterThanOrEqual(2);
    });
});

describe("the database: never smaller than a smaller tier's, current generation", () => {
    // The rule, from the pages' figures: the largest vCPUs and memory of this tier's page and every smaller tier's.
    const rule = (tier: TierKey) => {
        const upTo = TIER_KEYS.filter((t) => SEEDS[t].users <= SEEDS[tier].users).map((t) => SEEDS[t].database);
        return { vcpu: Math.max(...upTo.map((d) => d.vcpu)), memoryGiB: Math.max(...upTo.map((d) => d.memoryGB)) };
    };
    const rows = TIER_KEYS.flatMap((tier) => (["gcp", "aws"] as const).map((cloud) => [tier, cloud] as const));
    it.each(rows)("%s %s", (tier, cloud) => {
        const rule_ = rule(tier);
        // the README's decision where it deploys more than the rule (10k: one class larger)
        const decision = SEEDS[tier].databaseDecision;
        const want = decision ? { vcpu: decision.vcpu, memoryGiB: decision.memoryGB } : rule_;
        expect(want.vcpu).toBeGreaterThanOrEqual(rule_.vcpu);
        const d = planTier(cloud, tier).database;
        if (decision) expect(d.machine.name).toBe(decision[cloud]);
        if (decision?.storageGb) expect(d).toMatchObject({ storageGb: decision.storageGb, sources: { storage: "decision" } });
        const fact = DATABASE_FACTS[d.machine.name];
        expect(fact, `${d.machine.name} in the vendor facts`).toBeDefined();
        expect(fact!.vcpu).toBe(want.vcpu);
        // classes come in steps (RDS: 4 GiB a vCPU; Cloud SQL: the tier the seeds name)
        expect(Math.abs(fact!.memoryGiB - want.memoryGiB) / want.memoryGiB).toBeLessThanOrEqual(0.1);
        expect(fact!.burstable).toBe(false);
        if (cloud === "aws") expect(CURRENT_FAMILIES.awsDatabase).toContain(d.machine.name.split(".").slice(0, 2).join("."));
        expect(d.maxConnections).toBe(500);

        // asNamed: the page's own class, where it names one
        const named = SEEDS[tier].database[cloud];
        expect(planTier(cloud, tier, AS_NAMED[tier]).database.machine.name).toBe(named ?? d.machine.name);
    });

    it("warns when a stack's database is smaller than the tier's", () => {
        const p = plan("aws-2k", { sizing: { database: { machineType: "db.m7g.xlarge" } } });
        expect(p.database.machine.name).toBe("db.m7g.xlarge");
        expect(p.warnings.join("\n")).toMatch(/sizing\.database\.machineType: db\.m7g\.xlarge has 4 vCPU, below the tier's 8 vCPU/);
    });
});
