/** The sizing plan: pods → pools, per-zone rounding, machine choice, fit errors. No Pulumi here. */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../config";
import { buildPlan, rolloutSurge } from "../sizing";
import { DAEMONSET_ALLOWANCE, GKE_ALLOCATABLE, SEEDS } from "./fixtures/seeds";
import { POOL_KEY, rawConfig } from "./helpers";

const plan = (stack: string, changes: Record<string, unknown> = {}) => buildPlan(validateConfig(rawConfig(stack, changes), stack));

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
        // tier, pool, machine, nodes per zone (min, max); 3 zones each
        ["3k", "coderd", "n2-standard-8", 2, 2], // 4 coderd, 1 a node, rounded up to 2 in each of 3 zones
        ["3k", "provisioners", "t2d-standard-8", 1, 3], // 8 nodes x 30 (seed 001) -> 3 a zone
        ["3k", "workspaces", "t2d-standard-8", 1, 86], // 256 nodes (seed 001) -> 86 a zone
        ["2k", "coderd", "n1-standard-4", 1, 1], // 2 coderd + a rollout slot = 3 nodes
        ["2k", "provisioners", "t2d-standard-8", 1, 2], // 4 nodes x 30
        ["2k", "workspaces", "t2d-standard-8", 1, 43], // 128 nodes
        ["1k", "coderd", "n4-standard-4", 2, 2], // 3 coderd + a rollout slot = 4 nodes -> 2 a zone
        ["1k", "provisioners", "n4-standard-8", 1, 3], // 60 x 1000m, 7 a node -> 9 nodes
        ["1k", "workspaces", "t2d-standard-8", 1, 13], // 600 workspaces / 16 a node
    ] as const)("%s %s: %s, %i-%i nodes a zone", (tier, role, machine, min, max) => {
        const p = plan(`gcp-${tier}`).pools[role];
        expect(p.machine.name).toBe(machine);
        expect(p.perZone).toEqual({ min, max });
        expect(p.total).toEqual({ min: min * 3, max: max * 3 });
        expect(p.labels).toEqual({ [POOL_KEY]: role });
        expect(p.taints).toEqual([{ key: POOL_KEY, value: role, effect: "NoSchedule" }]);
    });

    it("keeps the system pool untainted, one node a zone", () => {
        const p = plan("gcp-3k").pools.system;
        expect(p.taints).toEqual([]);
        expect(p.perZone).toEqual({ min: 1, max: 1 });
    });

    it.each(["1k", "2k", "3k"] as const)("%s: every planned pod fits its nodes (GKE allocatable minus DaemonSets)", (tier) => {
        const p = plan(`gcp-${tier}`);
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
        expect(p.machine.name).toBe("n2-standard-8");
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
        expect(p.pools.provisioners.perZone.max).toBe(2); // 60 / 12 = 5 nodes -> 2 a zone
    });

    it("override a pool's machine, bounds and density", () => {
        const p = plan("gcp-3k", { sizing: { pools: { workspaces: { machineType: "n2-standard-16", nodes: 30, minNodesPerZone: 0, podsPerNode: 24 } } } });
        expect(p.pools.workspaces.machine.name).toBe("n2-standard-16");
        expect(p.pools.workspaces.perZone).toEqual({ min: 0, max: 10 });
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
            /sizing\.pools\.coderd\.nodes: 3 nodes hold 3 coderd pods, the tier asks for 4/],
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
