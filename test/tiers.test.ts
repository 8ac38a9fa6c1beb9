/** The tier catalogue against figures copied from the seed pages (test/fixtures/seeds.ts). */
import { describe, expect, it } from "vitest";
import { parseCpuMillis, parseMemoryMiB } from "../config";
import { TIERS, TIER_CATALOGUE, databaseShape, findDatabaseMachine, findNodeMachine, sameShapeTypes } from "../tiers";
import { CURRENT_FAMILIES, DATABASE_FACTS, MACHINE_FACTS, SEEDS } from "./fixtures/seeds";

const tiers = Object.entries(SEEDS) as [keyof typeof SEEDS, (typeof SEEDS)[keyof typeof SEEDS]][];

describe.each(tiers)("tier %s matches its page", (name, seed) => {
    const tier = TIER_CATALOGUE[name];

    it("cites the page", () => {
        expect(tier.page).toContain(seed.page);
        expect(tier.limits.cite.source).toBe(seed.page);
    });

    it("has the page's limits", () => {
        expect(tier.limits.users).toBe(seed.users);
        if (seed.runningWorkspaces !== undefined) expect(tier.limits.runningWorkspaces).toBe(seed.runningWorkspaces);
        if (seed.concurrentBuilds !== undefined) expect(tier.limits.concurrentBuilds).toBe(seed.concurrentBuilds);
        expect(tier.limits.apiRps).toBe(seed.apiRps);
    });

    it("has the page's regions: builds are a provisioner each, in every region", () => {
        expect(tier.regions?.proxies.length ?? 0).toBe(seed.regions?.proxies.length ?? 0);
        if (seed.regions) {
            expect(tier.regions!.primary).toContain(seed.regions.primary);
            expect(tier.regions!.proxies).toEqual(seed.regions.proxies);
            expect(tier.regions!.cite.source).toBe(seed.page);
        }
        const regions = 1 + (tier.regions?.proxies.length ?? 0);
        expect(tier.limits.concurrentBuilds).toBe(regions * tier.provisioners.replicas);
        // the workspace pools of every region hold the running workspaces the page plans
        const ws = tier.pools.workspaces;
        if (ws.nodes !== undefined && ws.podsPerNode !== undefined && seed.pools.workspaces) {
            expect(regions * ws.nodes * ws.podsPerNode).toBeGreaterThanOrEqual(tier.limits.runningWorkspaces!);
        }
    });

    it("has the page's workspace proxies, or none (proxies then run with coderd's figures)", () => {
        if (!seed.proxy) {
            expect(tier.proxy).toBeUndefined();
            return;
        }
        const want = { cpuMillis: parseCpuMillis(seed.proxy.cpu), memoryMiB: parseMemoryMiB(seed.proxy.memory) };
        expect(tier.proxy).toMatchObject({ replicas: seed.proxy.replicas, limits: want, requests: want });
        expect(tier.proxy!.cite.source).toBe(seed.page);
    });

    it("cites every figure: the page, or a decision with its reason", () => {
        const cites = [
            tier.limits.cite, tier.coderd.cite, tier.provisioners.cite, tier.workspace.cite, tier.database.cite,
            ...(tier.proxy ? [tier.proxy.cite] : []), ...(tier.regions ? [tier.regions.cite] : []),
            ...[tier.coderd, tier.provisioners, tier.proxy].flatMap((w) => (w?.resourcesCite ? [w.resourcesCite] : [])),
            ...(tier.database.storageCite ? [tier.database.storageCite] : []),
            ...Object.values(tier.pools).map((p) => p.cite),
        ];
        for (const c of cites) {
            expect(c.source).toBeTruthy();
            expect(c.note, c.source).toBeTruthy();
        }
        // a page's named type replaced, or a type chosen where the page names none: always with a reason
        for (const m of [...Object.values(tier.pools).flatMap((p) => Object.values(p.machines)), ...Object.values(tier.database.machines)]) {
            if (m?.chosen) expect(m.why, m.chosen).toBeTruthy();
        }
    });

    it("has the page's coderd and provisioner replicas and resources", () => {
        expect(tier.coderd.replicas).toBe(seed.coderd.replicas);
        expect(tier.provisioners.replicas).toBe(seed.provisioners.replicas);
        if (seed.coderd.cpu) {
            expect(tier.coderd.requests.cpuMillis).toBe(parseCpuMillis(seed.coderd.cpu));
            expect(tier.coderd.limits.cpuMillis).toBe(parseCpuMillis(seed.coderd.cpu));
            expect(tier.coderd.requests.memoryMiB).toBe(parseMemoryMiB(seed.coderd.memory!));
            expect(tier.coderd.limits.memoryMiB).toBe(parseMemoryMiB(seed.coderd.memory!));
        }
        if (seed.provisioners.cpu) {
            expect(tier.provisioners.requests.cpuMillis).toBe(parseCpuMillis(seed.provisioners.cpu));
            expect(tier.provisioners.limits.memoryMiB).toBe(parseMemoryMiB(seed.provisioners.memory!));
        }
        if (seed.coderdDecision) {
            const d = seed.coderdDecision;
            expect(tier.coderd.requests).toEqual({ cpuMillis: parseCpuMillis(d.requests.cpu), memoryMiB: parseMemoryMiB(d.requests.memory) });
            expect(tier.coderd.limits).toEqual({ cpuMillis: parseCpuMillis(d.limits.cpu), memoryMiB: parseMemoryMiB(d.limits.memory) });
        }
        // a coderd is never throttled below what Coder measured at this scale
        if (seed.measured) expect(tier.coderd.limits.cpuMillis).toBeGreaterThanOrEqual(parseCpuMillis(seed.measured.coderdPeakCpu));
        // memory is not compressible: request = limit
        expect(tier.coderd.requests.memoryMiB).toBe(tier.coderd.limits.memoryMiB);
    });

    it.each(["coderd", "provisioners", "workspaces"] as const)("has the page's %s pool", (role) => {
        const want = seed.pools[role];
        const pool = tier.pools[role];
        if (!want) return; // the page names no pool: a documented decision (README)
        expect(pool.capacity).toEqual({ vcpu: want.vcpu, memoryGiB: want.memoryGB });
        expect(pool.nodes).toBe(want.nodes);
        expect(pool.podsPerNode).toBe(want.perNode);
        expect(pool.machines.gcp?.named).toBe(want.gcp);
        expect(pool.machines.aws?.named).toBe(want.aws);
        expect(pool.machines.azure?.named).toBe(want.azure);
        expect(pool.cite.source).toBe(seed.page);
    });

    it("has the page's database", () => {
        expect(tier.database.vcpu).toBe(seed.database.vcpu);
        expect(tier.database.memoryGiB).toBe(seed.database.memoryGB);
        expect(tier.database.replicas).toBe(seed.database.replicas);
        if (seed.database.storage) expect(tier.database.storageGb).toBe(Number.parseFloat(seed.database.storage) * 1000);
        if (seed.databaseDecision?.storageGb) {
            expect(tier.database.storageGb).toBe(seed.databaseDecision.storageGb);
            expect(tier.database.storageCite?.source).toBe("decision");
        }
        if (seed.database.gcp) expect(tier.database.machines.gcp?.named).toBe(seed.database.gcp);
        if (seed.database.aws) expect(tier.database.machines.aws?.named).toBe(seed.database.aws);
        if (seed.database.azure) expect(tier.database.machines.azure?.named).toBe(seed.database.azure);
    });

    it("replaces a named type only for a stated reason, with the stated capacity and no burst", () => {
        for (const pool of Object.values(tier.pools)) {
            for (const [cloud, m] of Object.entries(pool.machines)) {
                if (!m?.chosen) continue;
                expect(m.why, `${name} ${pool.role} ${cloud}`).toBeTruthy();
                const chosen = findNodeMachine(cloud as "gcp", m.chosen);
                expect(chosen, m.chosen).toBeDefined();
                expect(chosen!.burstable).toBe(false);
                expect(chosen!.vcpu).toBeGreaterThanOrEqual(pool.capacity.vcpu);
                expect(chosen!.memoryGiB).toBeGreaterThanOrEqual(pool.capacity.memoryGiB);
            }
        }
    });
});

describe("the catalogue's tiers", () => {
    it("are every tier, each against its page", () => {
        expect(Object.keys(TIER_CATALOGUE).sort()).toEqual([...TIERS].sort());
        expect(Object.keys(SEEDS).sort()).toEqual([...TIERS].sort());
        for (const t of TIERS) expect(TIER_CATALOGUE[t].name).toBe(t);
    });
});

describe("machine catalogue", () => {
    it.each(Object.entries(MACHINE_FACTS))("%s has the vendor's size", (name, fact) => {
        const cloud = name.startsWith("Standard_") ? "azure" : name.includes(".") ? "aws" : "gcp";
        const m = findNodeMachine(cloud, name);
        expect(m).toMatchObject({ vcpu: fact.vcpu, memoryGiB: fact.memoryGiB, burstable: fact.burstable });
    });

    it("parses Cloud SQL custom tiers and rejects impossible shapes", () => {
        expect(findDatabaseMachine("gcp", "db-custom-8-30720")).toMatchObject({ vcpu: 8, memoryGiB: 30 });
        expect(findDatabaseMachine("gcp", "db-custom-16-61440")).toMatchObject({ vcpu: 16, memoryGiB: 60 });
        expect(findDatabaseMachine("gcp", "db-custom-3-15360")).toBeUndefined(); // odd vCPU count
        expect(findDatabaseMachine("gcp", "db-custom-2-30720")).toBeUndefined(); // 15 GB a vCPU
        expect(findDatabaseMachine("gcp", "db-n1-standard-4")).toBeUndefined();
    });

    it("knows N4 takes Hyperdisk only", () => {
        expect(findNodeMachine("gcp", "n4-standard-8")?.bootDisk).toBe("hyperdisk-balanced");
        expect(findNodeMachine("gcp", "t2d-standard-8")?.bootDisk).toBe("pd-balanced");
    });
});

describe("the database rule: a tier's database is never smaller than a smaller tier's", () => {
    // from the pages' figures: the largest vCPUs and memory of this tier's page and every smaller tier's
    const rule = (name: keyof typeof SEEDS) => {
        const upTo = tiers.filter(([, t]) => t.users <= SEEDS[name].users).map(([, t]) => t.database);
        return { vcpu: Math.max(...upTo.map((d) => d.vcpu)), memoryGiB: Math.max(...upTo.map((d) => d.memoryGB)) };
    };

    // 1k: 8 vCPU / 30 GB (seed 003); 2k: seed 003's, above its page's 4 / 16; 3k: 8 / 32 (seed 001); 10k: 16 / 60 (seed 000)
    const RULE_VCPU: Record<keyof typeof SEEDS, number> = { "1k": 8, "2k": 8, "3k": 8, "10k": 16 };

    it.each(tiers)("%s", (name, seed) => {
        const want = rule(name);
        expect(databaseShape(name)).toMatchObject(want);
        expect(want.vcpu).toBe(RULE_VCPU[name]);
        // what is deployed: the rule's shape, or the README's decision where it is larger (10k)
        const deployed = seed.databaseDecision ? { vcpu: seed.databaseDecision.vcpu, memoryGiB: seed.databaseDecision.memoryGB } : want;
        expect(deployed.vcpu).toBeGreaterThanOrEqual(want.vcpu);
        for (const cloud of ["gcp", "aws", "azure"] as const) {
            const choice = TIER_CATALOGUE[name].database.machines[cloud];
            const type = choice?.chosen ?? choice?.named;
            if (seed.databaseDecision) expect(type).toBe(seed.databaseDecision[cloud]);
            const m = findDatabaseMachine(cloud, type ?? "");
            expect(m, `${name} ${cloud} ${type}`).toBeDefined();
            expect(m!.vcpu, `${name} ${cloud} ${type}`).toBe(deployed.vcpu);
            expect(Math.abs(m!.memoryGiB - deployed.memoryGiB) / deployed.memoryGiB, `${name} ${cloud} ${type}`).toBeLessThanOrEqual(0.1);
            expect(m!.burstable).toBe(false);
            if (choice?.chosen) expect(choice.why).toBeTruthy();
        }
        const aws = TIER_CATALOGUE[name].database.machines.aws!.chosen!;
        expect(DATABASE_FACTS[aws]).toMatchObject({ vcpu: deployed.vcpu, burstable: false });
        expect(Math.abs(DATABASE_FACTS[aws]!.memoryGiB - deployed.memoryGiB) / deployed.memoryGiB).toBeLessThanOrEqual(0.1);
        expect(CURRENT_FAMILIES.awsDatabase).toContain(aws.split(".").slice(0, 2).join("."));
        // the page's own class, where it names one, is a vendor fact of the page's shape
        if (seed.database.gcp) {
            const page = DATABASE_FACTS[seed.database.gcp]!;
            expect(page.vcpu).toBe(seed.database.vcpu);
            expect(Math.abs(page.memoryGiB - seed.database.memoryGB) / seed.database.memoryGB).toBeLessThanOrEqual(0.1);
        }
    });

    it("is never smaller than a smaller tier's: the catalogue in order of users", () => {
        const byUsers = [...tiers].sort(([, a], [, b]) => a.users - b.users).map(([name]) => databaseShape(name));
        for (let i = 1; i < byUsers.length; i++) {
            expect(byUsers[i]!.vcpu).toBeGreaterThanOrEqual(byUsers[i - 1]!.vcpu);
            expect(byUsers[i]!.memoryGiB).toBeGreaterThanOrEqual(byUsers[i - 1]!.memoryGiB);
        }
        expect(databaseShape("10k")).toEqual({ vcpu: 16, memoryGiB: 60, from: ["seed 000"] });
    });
});

describe("same-shape instance types an autoscaled AWS group may launch", () => {
    it("m8i.2xlarge: the current x86 generations of 8 vCPU / 32 GiB, itself first", () => {
        const types = sameShapeTypes("aws", findNodeMachine("aws", "m8i.2xlarge")!);
        expect(types[0]).toBe("m8i.2xlarge");
        expect(types).toEqual(expect.arrayContaining(["m7i.2xlarge", "m6i.2xlarge"]));
        for (const t of types) {
            expect(MACHINE_FACTS[t], t).toMatchObject({ vcpu: 8, memoryGiB: 32, burstable: false });
            expect(CURRENT_FAMILIES.awsX86, t).toContain(t.split(".")[0]);
        }
    });

    it("m8i.4xlarge (10k provisioners): the current x86 generations of 16 vCPU / 64 GiB, no C (32 GiB) or R (128 GiB)", () => {
        const types = sameShapeTypes("aws", findNodeMachine("aws", "m8i.4xlarge")!);
        expect(types).toEqual(["m8i.4xlarge", "m7i.4xlarge", "m6i.4xlarge", "m8a.4xlarge", "m7a.4xlarge", "m6a.4xlarge"]);
        for (const t of types) {
            expect(MACHINE_FACTS[t], t).toMatchObject({ vcpu: 16, memoryGiB: 64, burstable: false });
            expect(CURRENT_FAMILIES.awsX86, t).toContain(t.split(".")[0]);
        }
        for (const other of ["c7i.4xlarge", "r7i.4xlarge"]) {
            expect(findNodeMachine("aws", other)).toMatchObject({ vcpu: MACHINE_FACTS[other]!.vcpu, memoryGiB: MACHINE_FACTS[other]!.memoryGiB });
            expect(types).not.toContain(other);
        }
    });

    it("Graviton stays Graviton; GKE node pools take one type", () => {
        const arm = sameShapeTypes("aws", findNodeMachine("aws", "m7g.2xlarge")!);
        expect(arm.length).toBeGreaterThanOrEqual(2);
        for (const t of arm) expect(findNodeMachine("aws", t)?.arch, t).toBe("arm64");
        expect(sameShapeTypes("gcp", findNodeMachine("gcp", "n4-standard-8")!)).toEqual(["n4-standard-8"]);
    });
});
