/**
 * Staging clones at a scale factor (coder-refarch:scale): a cheaper rehearsal of a tier
 * that keeps its topology (zones, regions, every pool, the database and its HA) and
 * shrinks replica counts and pools. Figures below are the seeds' (test/fixtures/seeds.ts),
 * scaled here by hand: ceil(figure x scale), coderd and proxies at least 2, a pool at
 * least a node in each of its three zones.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config";
import { Rendered, renderConfig, reveal } from "../preview/render";
import { factsFor } from "./cloud-facts";
import { SEEDS } from "./fixtures/seeds";
import { POOL_KEY, ofType, rawConfig, release } from "./helpers";

type Obj = Record<string, any>;
const CLOUDS = ["gcp", "aws", "azure"] as const;

/** A staging clone of a tier stack (`pulumi stack init staging --copy-config-from <stack>`), at a scale. */
const cache = new Map<string, Promise<Rendered>>();
let queue: Promise<unknown> = Promise.resolve();
function staging(from: string, scale?: string): Promise<Rendered> {
    const key = `${from}@${scale}`;
    let r = cache.get(key);
    if (!r) {
        // licensed, so the provisioners run their planned replicas
        const changes: Record<string, unknown> = { licenseInstalled: true, ...(scale === undefined ? {} : { scale }) };
        r = queue.then(() => renderConfig("staging", rawConfig(from, changes)));
        queue = r.catch(() => undefined);
        cache.set(key, r);
    }
    return r;
}

/** Max nodes of each pool of the primary region, over its groups (EKS/AKS: a group a zone for workspaces). */
function poolMax(r: Rendered): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of factsFor(r).pools(primary(r))) {
        const role = p.labels[POOL_KEY] ?? "system";
        out[role] = (out[role] ?? 0) + p.maxNodes;
    }
    return out;
}

/** The primary region's resources only (a 10k stack's proxy regions are named `coder-<region>-...`). */
function primary(r: Rendered): Rendered {
    const proxies = r.settings.proxyRegions.map((p) => p.name);
    return { ...r, resources: r.resources.filter((x) => !proxies.some((p) => x.name.includes(`-${p}-`) || x.name.endsWith(`-${p}`))) };
}

/**
 * The resources by name, less an Azure NAT gateway's public IPs: their count follows the
 * pools' maximum (SNAT ports a node, sizing.ts natGatewayPlan), so a smaller rehearsal has fewer.
 */
const NAT_IP = /^azure-native:network:PublicIPAddress::.*-nat-ip-\d+$/;
const customNames = (r: Rendered) => r.resources.filter((x) => x.custom).map((x) => `${x.type}::${x.name}`).filter((n) => !NAT_IP.test(n)).sort();
const natIps = (r: Rendered) => r.resources.filter((x) => NAT_IP.test(`${x.type}::${x.name}`)).length;

describe.each(CLOUDS)("a staging clone of %s-3k at scale 0.1", (cloud) => {
    const stack = `${cloud}-3k`;
    const seed = SEEDS["3k"];

    it("runs coderd at 2 replicas (4 x 0.1, kept highly available) and the provisioners at 24 (240 x 0.1)", async () => {
        const r = await staging(stack, "0.1");
        expect((reveal(release(r, "coder").inputs.values) as Obj).coder.replicaCount).toBe(Math.max(2, Math.ceil(seed.coderd.replicas * 0.1)));
        expect((reveal(release(r, "coder-provisioner").inputs.values) as Obj).coder.replicaCount).toBe(Math.ceil(seed.provisioners.replicas * 0.1));
    });

    it("shrinks the workspaces pool to 26 nodes at most (256 x 0.1) and keeps every pool in three zones", async () => {
        const [full, small] = await Promise.all([staging(stack), staging(stack, "0.1")]);
        expect(poolMax(small).workspaces).toBe(Math.ceil(seed.pools.workspaces!.nodes * 0.1));
        expect(poolMax(full).workspaces).toBe(seed.pools.workspaces!.nodes);
        // the provisioners' pool: 24 pods at 30 a node fit on one node, kept at one a zone
        expect(poolMax(small).provisioners).toBe(3);
        for (const role of Object.keys(poolMax(full))) expect(poolMax(small)[role], role).toBeLessThanOrEqual(poolMax(full)[role]!);
        const zones = (r: Rendered) => [...new Set(factsFor(r).pools(primary(r)).flatMap((p) => p.zones))].sort();
        expect(zones(small)).toEqual(zones(full));
        expect(zones(small)).toHaveLength(3);
    });

    it("keeps the same machine types, and the same resources by name: switching scale changes sizes in place", async () => {
        const [full, small] = await Promise.all([staging(stack), staging(stack, "0.1")]);
        const machines = (r: Rendered) => factsFor(r).pools(r).map((p) => `${p.name}=${p.machineType}`).sort();
        expect(machines(small)).toEqual(machines(full));
        expect(customNames(small)).toEqual(customNames(full));
        expect(natIps(small)).toBeLessThanOrEqual(natIps(full));
        if (cloud === "azure") expect(natIps(small)).toBeGreaterThanOrEqual(1);
    });

    it("keeps the database as the tier has it: same class, storage, highly available and protected", async () => {
        const [full, small] = await Promise.all([staging(stack), staging(stack, "0.1")]);
        const db = factsFor(small).database(small);
        expect(db).toEqual(factsFor(full).database(full));
        expect(db.highAvailability).toBe(true);
        expect(db.protect).toBe(true);
    });

    it("says in the run that it is a rehearsal, not the tier", async () => {
        const r = await staging(stack, "0.1");
        expect(r.warnings.join("\n")).toMatch(/coder-refarch:scale: 0\.1: a rehearsal at 10% of the 3k tier's replicas and node pools \(the database, zones and regions at full size\)/);
        expect((await staging(stack)).warnings.join("\n")).not.toMatch(/coder-refarch:scale/);
    });
});

describe.each(CLOUDS)("a staging clone of %s-10k at scale 0.1", (cloud) => {
    const stack = `${cloud}-10k`;
    const seed = SEEDS["10k"];

    it("keeps the three regions, each with its proxies at 2 replicas (10 x 0.1, kept HA) and its pools", async () => {
        const [full, small] = await Promise.all([staging(stack), staging(stack, "0.1")]);
        expect(customNames(small)).toEqual(customNames(full));
        expect(small.plan.proxies.map((p) => p.region)).toEqual(full.plan.proxies.map((p) => p.region));
        expect(small.plan.proxy.replicas).toBe(Math.max(2, Math.ceil(seed.proxy!.replicas * 0.1)));
        expect(small.plan.coderd.replicas).toBe(Math.max(2, Math.ceil(seed.coderd.replicas * 0.1)));
        expect(small.plan.provisioners.replicas).toBe(Math.ceil(seed.provisioners.replicas * 0.1));
        for (const p of small.plan.proxies) expect(p.pools.workspaces.total.max).toBe(Math.ceil(seed.pools.workspaces!.nodes * 0.1));
    });
});

describe("coder-refarch:scale", () => {
    it("defaults to the tier as published: no key renders what scale 1 renders", async () => {
        const [none, one] = await Promise.all([staging("gcp-3k"), staging("gcp-3k", "1")]);
        expect(one.plan).toEqual(none.plan);
        expect(none.plan.coderd.replicas).toBe(SEEDS["3k"].coderd.replicas);
    });

    it("leaves explicit sizing overrides as they are (they are the stack's, not the tier's)", async () => {
        const r = await renderConfig("staging", rawConfig("aws-3k", { scale: "0.1", sizing: { coderd: { replicas: 3 }, pools: { workspaces: { nodes: 40 } } } }));
        expect(r.plan.coderd.replicas).toBe(3);
        expect(r.plan.pools.workspaces.total.max).toBe(40);
    });

    it.each(["0", "1.5", "2", "-0.1", "ten", "0.0", ""])("refuses %j, naming the key and the range", async (scale) => {
        const registered: string[] = [];
        const e = await renderConfig("staging", rawConfig("gcp-3k", { scale }), [], registered).then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as Error).message).toMatch(/coder-refarch:scale: .*a factor above 0 and at most 1, such as 0\.1/);
        expect(registered).toEqual([]);
    });

    it("takes a factor as `pulumi config set coder-refarch:scale 0.25` writes it", async () => {
        const r = await renderConfig("staging", rawConfig("azure-3k", { scale: "0.25" }));
        expect(r.plan.pools.workspaces.total.max).toBe(Math.ceil(SEEDS["3k"].pools.workspaces!.nodes * 0.25));
        expect(ofType(r, "azure-native:dbforpostgresql:Server")).toHaveLength(1);
    });
});
