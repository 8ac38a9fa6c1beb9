/**
 * Tier upgrades in place: a stack moved 1k → 2k → 3k (→ 10k, which adds the proxy regions)
 * keeps its cluster, database and node pools and only resizes them. Each cloud's 1k stack file
 * is rendered with only `coder-refarch:tier` changed (and, for 10k, the proxy regions of that
 * cloud's 10k stack file), under the same stack name, so physical names derived from the stack
 * stay comparable. What the provider would replace comes from preview/replacement.ts; the test
 * names say, step by step, which resources are replaced and which planned changes the program
 * leaves to the cloud (ignoreChanges).
 *
 * And staging clones (`pulumi stack init staging --copy-config-from <cloud>-3k`): every
 * physical name the program derives for a globally or regionally unique resource differs from
 * the original's, so the clone deploys next to it in the same project, account or subscription.
 * (Staging clones at a smaller scale: test/staging.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { Rendered, RenderedResource, renderConfig, reveal } from "../preview/render";
import { forcesReplacement } from "../preview/replacement";
import { factsFor } from "./cloud-facts";
import { POOL_KEY, rawConfig, release } from "./helpers";

type Obj = Record<string, any>;
const CLOUDS = ["gcp", "aws", "azure"] as const;
type Cloud = (typeof CLOUDS)[number];
const TIERS = ["1k", "2k", "3k", "10k"] as const;
const STEPS = TIERS.slice(1).map((to, i) => [TIERS[i]!, to] as const);

/** The `deleteBeforeReplace` option each resource registers with (undefined: not set, the provider decides). */
interface Render extends Rendered {
    deleteBeforeReplace: Map<string, boolean | undefined>;
}

const cache = new Map<string, Promise<Render>>();
let queue: Promise<unknown> = Promise.resolve();
/** Renders once per file, one at a time (Pulumi's runtime and the option log are global). */
function rendered(key: string, stack: string, raw: () => Record<string, string>): Promise<Render> {
    let r = cache.get(key);
    if (!r) {
        r = queue.then(async () => {
            const r = await renderConfig(stack, raw());
            return { ...r, deleteBeforeReplace: new Map(r.resources.map((x) => [`${x.type}::${x.name}`, x.deleteBeforeReplace])) };
        });
        queue = r.catch(() => undefined);
        cache.set(key, r);
    }
    return r;
}

/** The cloud's 1k stack at a tier: only the tier changes (and 10k brings the 10k stack's proxy regions). */
function atTier(cloud: Cloud, tier: string): Promise<Render> {
    return rendered(`${cloud}@${tier}`, `${cloud}-1k`, () => rawConfig(`${cloud}-1k`, {
        tier,
        ...(tier === "10k" ? { proxyRegions: JSON.parse(rawConfig(`${cloud}-10k`)["coder-refarch:proxyRegions"]!) } : {}),
    }));
}

// ---- facts of the clouds, restated from the providers' sources (preview/replacement.ts cites them) ----

/** Node pool resources, and how to read a pool's machine, label and fixed physical name. */
const POOLS: Record<string, { machine: (i: Obj) => string; labels: (i: Obj) => Record<string, string>; name: string }> = {
    "gcp:container/nodePool:NodePool": { machine: (i) => i.nodeConfig?.machineType, labels: (i) => i.nodeConfig?.labels ?? {}, name: "name" },
    "aws:eks/nodeGroup:NodeGroup": { machine: (i) => i.instanceTypes?.[0], labels: (i) => i.labels ?? {}, name: "nodeGroupName" },
    "azure-native:containerservice:AgentPool": { machine: (i) => i.vmSize, labels: (i) => i.nodeLabels ?? {}, name: "agentPoolName" },
};

/**
 * Whether the cloud replaces a node pool whose machine type changes. GKE: no, machine_type is
 * updated in place by a surge upgrade of the pool's nodes (terraform-provider-google 5.10+,
 * magic-modules#9575). EKS: yes, instance_types is ForceNew. AKS: yes, vmSize is fixed at the
 * pool's creation (azure-native forceNewMap; Azure/AKS#1790).
 */
const REPLACED_FOR_MACHINE: Record<Cloud, boolean> = { gcp: false, aws: true, azure: true };

/**
 * Whether the provider asks the engine to delete a replaced resource before creating the new
 * one when the program does not say. azure-native: yes, for any resource it did not name itself
 * (provider.go Diff). The bridged providers: only for a fixed name the program sets.
 */
const PROVIDER_DELETES_FIRST: Record<Cloud, boolean> = { gcp: false, aws: false, azure: true };

/** The inputs that may replace a pool for its machine: the machine and what AKS derives from it (the pool's name). */
const MACHINE_INPUTS: Record<string, RegExp> = {
    "gcp:container/nodePool:NodePool": /^nodeConfig\.machineType$/,
    "aws:eks/nodeGroup:NodeGroup": /^instanceTypes(\[\d+\])?$/,
    "azure-native:containerservice:AgentPool": /^(vmSize|agentPoolName)$/,
};

const CLUSTERS = ["gcp:container/cluster:Cluster", "aws:eks/cluster:Cluster", "azure-native:containerservice:ManagedCluster"];
const DATABASES = ["gcp:sql/databaseInstance:DatabaseInstance", "aws:rds/instance:Instance", "azure-native:dbforpostgresql:Server"];
/** The database's content and its users, on the instance. */
const DATABASE_PARTS = ["gcp:sql/database:Database", "gcp:sql/user:User", "azure-native:dbforpostgresql:Database"];

/** What a tier changes on the database: its machine and its storage, nothing else. */
const DATABASE_GROWS: Record<string, RegExp> = {
    "gcp:sql/databaseInstance:DatabaseInstance": /^settings\.(tier|diskSize)$/,
    "aws:rds/instance:Instance": /^(instanceClass|allocatedStorage|maxAllocatedStorage)$/,
    "azure-native:dbforpostgresql:Server": /^(sku\.name|storage\.storageSizeGB)$/,
};

/** vCPUs of a database machine from its name: db-custom-8-30720, db.m8g.2xlarge, Standard_D8ds_v5. */
function databaseVcpus(name: string): number {
    const gcp = /^db-custom-(\d+)-\d+$/.exec(name);
    if (gcp) return Number(gcp[1]);
    const aws = /^db\.[a-z0-9]+\.(\d*)(x?large)$/.exec(name);
    if (aws) return aws[2] === "large" ? 2 : 4 * Number(aws[1] || 1);
    const azure = /^Standard_[A-Z](\d+)[a-z]*_v\d+$/.exec(name);
    if (azure) return Number(azure[1]);
    throw new Error(`no vCPU count for the database machine ${name}`);
}

/** Top-level inputs that name a resource or place it: physical names, their scopes, regions. */
const NAME_INPUT = /^(name|identifier|accountId|nodeGroupName|agentPoolName|serverName|databaseName|resourceName|resourceGroupName|clusterName|dnsPrefix|nodeResourceGroup|cluster|instance|location|region|project)$/;

// ---- reading two renders ----

/** A resource's URN as Pulumi builds it: its type chain from the root, and its name. */
function urnOf(r: Rendered, x: RenderedResource): string {
    const byName = new Map(r.resources.map((y) => [y.name, y]));
    const types: string[] = [];
    for (let p = x.parent ? byName.get(x.parent) : undefined; p; p = p.parent ? byName.get(p.parent) : undefined) types.unshift(p.type);
    return `${[...types, x.type].join("$")}::${x.name}`;
}

/** The primary region's resources (proxy regions' are named `coder-<region name>-...`). */
function primary(r: Rendered): RenderedResource[] {
    const proxies = r.settings.proxyRegions.map((p) => p.name);
    return r.resources.filter((x) => !proxies.some((p) => x.name.startsWith(`coder-${p}-`)));
}

interface Change {
    path: string;
    from: unknown;
    to: unknown;
}

const isObject = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

/** Changed inputs, down to the leaves; an object or list element added or removed is one change at its path. */
function changes(a: unknown, b: unknown, path = "", out: Change[] = []): Change[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return out;
    if (isObject(a) && isObject(b)) {
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) changes(a[k], b[k], path ? `${path}.${k}` : k, out);
    } else if (Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.max(a.length, b.length); i++) changes(a[i], b[i], `${path}[${i}]`, out);
    } else {
        out.push({ path, from: a, to: b });
    }
    return out;
}

/** Whether `path` is under an ignoreChanges entry (dots, `[n]` or `[*]`). */
function ignored(path: string, ignore: string[]): boolean {
    const p = path.split(/\.|(?=\[)/);
    return ignore.some((i) => {
        const q = i.split(/\.|(?=\[)/);
        return q.length <= p.length && q.every((s, n) => s === p[n] || (s === "[*]" && /^\[\d+\]$/.test(p[n]!)));
    });
}

interface Pair {
    urn: string;
    a: RenderedResource;
    b: RenderedResource;
    /** changes `pulumi up` applies (ignoreChanges left out) */
    applied: Change[];
    /** changes the program leaves to the cloud (ignoreChanges) */
    skipped: Change[];
    replacedBy: Change[];
}

interface Step {
    from: Render;
    to: Render;
    /** custom resources of the primary region, matched by URN */
    pairs: Pair[];
    /** URNs of the primary region's resources before that are gone after */
    removed: string[];
    replaced: Pair[];
    /** resources replaced with a replaced one: an input that forces replacement takes one of its outputs */
    dependents: Pair[];
}

/** Leaves of a value with their paths. */
function leaves(v: unknown, path = "", out: [string, unknown][] = []): [string, unknown][] {
    if (isObject(v)) for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
    else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${path}[${i}]`, out));
    else out.push([path, v]);
    return out;
}

/**
 * Whether `x` takes an output of `replaced` at an input that forces its own replacement. The
 * mocks answer outputs with stable values (`<name>-id`, `...<name>-mock`: preview/render.ts
 * computed), so a replaced resource's new outputs, which the real provider gives, are found by
 * those.
 */
function replacedWith(x: RenderedResource, replaced: RenderedResource): boolean {
    return leaves(reveal(x.inputs)).some(([p, v]) => typeof v === "string"
        && (v === `${replaced.name}-id` || v.endsWith(`${replaced.name}-mock`)) && forcesReplacement(x.type, p));
}

function step(from: Render, to: Render): Step {
    const after = new Map(to.resources.map((x) => [urnOf(to, x), x]));
    const pairs: Pair[] = [];
    const removed: string[] = [];
    for (const a of primary(from).filter((x) => x.custom)) {
        const urn = urnOf(from, a);
        const b = after.get(urn);
        if (!b) {
            removed.push(urn);
            continue;
        }
        const all = changes(reveal(a.inputs), reveal(b.inputs));
        const ignore = b.ignoreChanges;
        const applied = all.filter((c) => !ignored(c.path, ignore));
        pairs.push({
            urn, a, b, applied,
            skipped: all.filter((c) => ignored(c.path, ignore)),
            replacedBy: applied.filter((c) => forcesReplacement(b.type, c.path)),
        });
    }
    const replaced = pairs.filter((p) => p.replacedBy.length > 0);
    const dependents = pairs.filter((p) => !replaced.includes(p) && replaced.some((r) => replacedWith(p.b, r.b)));
    return { from, to, pairs, removed, replaced, dependents };
}

const machineOf = (x: RenderedResource) => POOLS[x.type]!.machine(x.inputs as Obj);
const isPool = (x: RenderedResource) => x.type in POOLS;

/** A replaced resource as the test names say it: `name (machine → machine)`, and what is replaced with it. */
function said(s: Step, p: Pair): string {
    const what = isPool(p.b) ? `${p.b.name} (${machineOf(p.a)} → ${machineOf(p.b)})` : `${p.b.name} (${p.replacedBy.map((c) => c.path).join(", ")})`;
    const types = s.dependents.filter((d) => replacedWith(d.b, p.b)).map((d) => d.b.type);
    const counts = [...new Set(types)].map((t) => `${types.filter((x) => x === t).length} ${t}`);
    return counts.length ? `${what} and with it ${counts.join(", ")}` : what;
}

/** Pools whose planned machine type changes, and the inline AKS system pool's, which the program ignores after creation. */
function skippedPoolChanges(s: Step): string[] {
    return s.pairs.flatMap((p) => p.skipped.filter((c) => /(^|\.)vmSize$|machineType$|instanceTypes/.test(c.path))
        .map((c) => `${p.b.name} ${c.path.replace(/^agentPoolProfiles\[\d+\]\./, "system pool ")} ${c.from} → ${c.to}`));
}

/** The pool label each workload selects (coderd, provisioners: their charts' nodeSelector; workspaces: the placement templates get). */
function selectors(r: Rendered): Record<string, Record<string, string>> {
    const own = { ...r, resources: primary(r) };
    return {
        coderd: (reveal(release(own, "coder").inputs.values) as Obj).coder.nodeSelector,
        provisioners: (reveal(release(own, "coder-provisioner").inputs.values) as Obj).coder.nodeSelector,
        workspaces: r.plan.pools.workspaces.placement.nodeSelector,
    };
}

describe.each(CLOUDS)("%s: a 1k stack moved up the tiers", async (cloud) => {
    // rendered while the tests are collected: their names say what each step replaces
    const renders = await Promise.all(TIERS.map((tier) => atTier(cloud, tier)));
    describe.each(STEPS.map(([from, to], i) => {
        const s = step(renders[i]!, renders[i + 1]!);
        const db = s.pairs.find((p) => DATABASES.includes(p.b.type))!;
        return [`${from} → ${to}`, {
            s,
            replaced: s.replaced.map((p) => said(s, p)).join(", ") || "nothing",
            skipped: skippedPoolChanges(s).join("; ") || "none",
            grown: db.skipped.map((c) => `${c.path} ${c.from} → ${c.to}`).join(", ") || "none",
        }] as const;
    }))("%s", (_, { s, replaced, skipped, grown }) => {
        it("renders the tiers asked for, under the same stack name", () => {
            expect(s.from.stack).toBe(`${cloud}-1k`);
            expect(s.to.stack).toBe(`${cloud}-1k`);
            expect(s.to.settings.tier).not.toBe(s.from.settings.tier);
        });

        it("keeps every resource of the primary region by URN (type, name and parents): it only adds", () => {
            expect(s.removed).toEqual([]);
            expect(s.pairs.length).toBeGreaterThan(50);
        });

        it(`replaces ${replaced}: only node pools whose machine type changes, where the cloud replaces a pool for that`, () => {
            const machineChanged = s.pairs.filter((p) => isPool(p.b) && machineOf(p.a) !== machineOf(p.b));
            const expected = REPLACED_FOR_MACHINE[cloud] ? machineChanged.map((p) => p.urn).sort() : [];
            expect(s.replaced.map((p) => p.urn).sort()).toEqual(expected);
            for (const p of s.replaced) {
                expect(p.replacedBy.map((c) => c.path).filter((x) => !MACHINE_INPUTS[p.b.type]!.test(x)), p.b.name).toEqual([]);
            }
            // what goes with a pool (EKS: the tags of its Auto Scaling group) is neither stateful nor a key resource
            for (const d of s.dependents) {
                expect(d.a.protect || isPool(d.b) || CLUSTERS.includes(d.b.type) || DATABASES.includes(d.b.type), d.b.name).toBe(false);
            }
            if (!REPLACED_FOR_MACHINE[cloud]) {
                // the machine changes in place: the pool is updated, its nodes surge-upgraded
                for (const p of machineChanged) expect(p.applied.map((c) => c.path), p.b.name).toContain("nodeConfig.machineType");
            }
        });

        it("replaces those pools new before old: no delete-first, a physical name that is not fixed, the same label and workloads that select it", () => {
            for (const p of s.replaced) {
                const option = s.to.deleteBeforeReplace.get(`${p.b.type}::${p.b.name}`);
                const deletesFirst = option ?? PROVIDER_DELETES_FIRST[cloud];
                expect(deletesFirst, `${p.b.name}: delete before replace`).toBe(false);
                const nameInput = POOLS[p.b.type]!.name;
                const [was, now] = [(p.a.inputs as Obj)[nameInput], (p.b.inputs as Obj)[nameInput]];
                // auto-named (Pulumi or the provider picks a new name), or a name that changes with the shape
                expect(now === undefined || now !== was, `${p.b.name}: ${nameInput} ${was} → ${now}`).toBe(true);
                const label = POOLS[p.b.type]!.labels(p.b.inputs as Obj);
                expect(label[POOL_KEY], p.b.name).toBe(POOLS[p.a.type]!.labels(p.a.inputs as Obj)[POOL_KEY]);
                const role = label[POOL_KEY]!;
                const selector = selectors(s.to)[role];
                if (selector) expect(selector, `${role}'s pods`).toEqual({ [POOL_KEY]: role });
                else expect(role).toBe("system");
            }
        });

        it(`keeps the cluster, the database and every pool by name and place (planned machine changes not applied, ignoreChanges: ${skipped})`, () => {
            const keys = s.pairs.filter((p) => CLUSTERS.includes(p.b.type) || DATABASES.includes(p.b.type) || DATABASE_PARTS.includes(p.b.type) || isPool(p.b));
            expect(keys.filter((p) => CLUSTERS.includes(p.b.type))).toHaveLength(1);
            expect(keys.filter((p) => DATABASES.includes(p.b.type))).toHaveLength(1);
            expect(keys.filter((p) => isPool(p.b)).length).toBeGreaterThanOrEqual(3);
            for (const p of keys) {
                const renamed = p.applied.filter((c) => NAME_INPUT.test(c.path));
                const byShape = s.replaced.includes(p) && cloud === "azure";
                expect(renamed.filter((c) => !(byShape && c.path === "agentPoolName")), p.b.name).toEqual([]);
            }
            // only the inline AKS system pool is left as it was created (README: Azure, the system pool inline)
            for (const line of skippedPoolChanges(s)) expect(line).toMatch(/^coder-azure-aks-aks system pool vmSize /);
        });

        it("keeps every stateful or protected resource by name, and protected", () => {
            const stateful = s.pairs.filter((p) => p.a.protect || DATABASES.includes(p.b.type) || DATABASE_PARTS.includes(p.b.type));
            expect(stateful.length).toBeGreaterThanOrEqual(1);
            for (const p of stateful) {
                expect(p.replacedBy, p.b.name).toEqual([]);
                expect(p.applied.filter((c) => NAME_INPUT.test(c.path)), p.b.name).toEqual([]);
                if (p.a.protect) expect(p.b.protect, `${p.b.name} stays protected`).toBe(true);
            }
        });

        it(`keeps the database's identity, version, zones, network and HA; only its machine and storage grow (planned storage left to the cloud's autogrow, ignoreChanges: ${grown})`, () => {
            const db = s.pairs.find((p) => DATABASES.includes(p.b.type))!;
            expect(db.applied.filter((c) => !DATABASE_GROWS[db.b.type]!.test(c.path)), db.b.name).toEqual([]);
            const [a, b] = [factsFor(s.from).database(s.from), factsFor(s.to).database(s.to)];
            expect(a.highAvailability && b.highAvailability).toBe(true);
            expect(b.protect).toBe(true);
            // the clouds refuse to shrink a database's storage
            expect(b.storageGb).toBeGreaterThanOrEqual(a.storageGb);
            expect(databaseVcpus(b.machineType)).toBeGreaterThanOrEqual(databaseVcpus(a.machineType));
            // a postmaster setting: GCP and AWS keep 500 at every tier; Flexible Server's default grows with the size
            expect(b.maxConnections).toBeGreaterThanOrEqual(a.maxConnections);
        });
    });

    it("10k adds the proxy regions, each with a cluster and pools of its own", () => {
        const [three, ten] = [renders[2]!, renders[3]!];
        const proxies = ten.settings.proxyRegions.map((p) => p.name);
        expect(proxies.length).toBeGreaterThanOrEqual(2);
        for (const p of proxies) {
            const own = ten.resources.filter((x) => x.name.startsWith(`coder-${p}-`));
            expect(own.filter((x) => CLUSTERS.includes(x.type)), p).toHaveLength(1);
            expect(own.filter(isPool).length, p).toBeGreaterThanOrEqual(3);
            expect(three.resources.filter((x) => x.name.startsWith(`coder-${p}-`)), p).toEqual([]);
        }
    });
});

// ---- staging clones next to the original ----

/**
 * Physical names that must be unique in the project, account or subscription (or the region),
 * by type: the program derives them from the stack, so a clone must get others. Names inside
 * a resource group, a cluster or an instance are scoped by it; DNS records come from the URLs,
 * which a clone changes itself (README: Stacks).
 */
const UNIQUE_NAMES: Record<Cloud, Record<string, string[]>> = {
    gcp: {
        "gcp:container/cluster:Cluster": ["name"],
        "gcp:serviceaccount/account:Account": ["accountId"],
    },
    aws: {
        "aws:eks/cluster:Cluster": ["name"],
        "aws:rds/instance:Instance": ["identifier", "finalSnapshotIdentifier"],
        "aws:cloudwatch/logGroup:LogGroup": ["name"],
        "aws:kms/alias:Alias": ["name"],
        "aws:iam/role:Role": ["name"],
        "aws:ec2/launchTemplate:LaunchTemplate": ["name"],
    },
    azure: {
        "azure-native:resources:ResourceGroup": ["resourceGroupName"],
        "azure-native:containerservice:ManagedCluster": ["nodeResourceGroup", "dnsPrefix", "resourceName"],
        "azure-native:privatedns:PrivateZone": ["privateZoneName"],
        "azure-native:network:PublicIPAddress": ["publicIpAddressName"],
    },
};

/**
 * Resources whose unique physical name the program leaves to Pulumi (a random suffix, so a
 * clone never collides): the input stays unset.
 */
const AUTO_NAMED: Record<Cloud, Record<string, string>> = {
    gcp: {
        "gcp:sql/databaseInstance:DatabaseInstance": "name",
        "gcp:compute/network:Network": "name",
        "gcp:compute/address:Address": "name",
        "gcp:container/nodePool:NodePool": "name",
    },
    aws: {
        "aws:ec2/securityGroup:SecurityGroup": "name",
        "aws:rds/subnetGroup:SubnetGroup": "name",
        "aws:rds/parameterGroup:ParameterGroup": "name",
        "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
    },
    azure: {
        // Flexible Server names are global (<name>.postgres.database.azure.com)
        "azure-native:dbforpostgresql:Server": "serverName",
        "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    },
};

describe.each(CLOUDS)("a staging clone of %s-3k (pulumi stack init staging --copy-config-from)", async (cloud) => {
    const original = await rendered(`${cloud}-3k`, `${cloud}-3k`, () => rawConfig(`${cloud}-3k`));
    const staging = await rendered(`staging@${cloud}-3k`, "staging", () => rawConfig(`${cloud}-3k`));
    const names = (r: Rendered) => r.resources.flatMap((x) => (UNIQUE_NAMES[cloud][x.type] ?? [])
        .filter((k) => (x.inputs as Obj)[k] !== undefined)
        .map((k) => ({ id: `${x.type}::${x.name}.${k}`, value: JSON.stringify(reveal((x.inputs as Obj)[k])) })));

    it("has the same resources, the same tier and config", () => {
        expect(staging.settings.tier).toBe(original.settings.tier);
        expect(staging.resources.map((x) => `${x.type}::${x.name}`).sort()).toEqual(original.resources.map((x) => `${x.type}::${x.name}`).sort());
    });

    it("derives every unique physical name from its own stack: none is the original's", () => {
        const theirs = new Map(names(original).map((n) => [n.id, n.value]));
        const ours = names(staging);
        expect(ours.length).toBeGreaterThanOrEqual(Object.keys(UNIQUE_NAMES[cloud]).length);
        expect(ours.map((n) => n.id).sort()).toEqual([...theirs.keys()].sort());
        const clashes = ours.filter((n) => n.value === theirs.get(n.id) || [...theirs.values()].includes(n.value));
        expect(clashes).toEqual([]);
        for (const n of ours) expect(n.value, n.id).toMatch(/staging/);
    });

    it("leaves the other unique names to Pulumi's auto-naming (a random suffix)", () => {
        for (const [type, input] of Object.entries(AUTO_NAMED[cloud])) {
            const found = staging.resources.filter((x) => x.type === type);
            expect(found.length, type).toBeGreaterThan(0);
            for (const x of found) expect((x.inputs as Obj)[input], `${x.name}.${input}`).toBeUndefined();
        }
    });
});
