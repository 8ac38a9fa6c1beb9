/**
 * Several regions in one stack (seed 000's 10k tier, or any tier with proxy regions): a
 * primary with coderd and the database, proxy regions with workspace proxies, provisioners
 * and workspaces of their own, registered with coderd through its API.
 */
import { describe, expect, it } from "vitest";
import { Rendered, isSecretValue, redact, renderConfig, reveal } from "../preview/render";
import { previewJson } from "../preview/output";
import { SEEDS } from "./fixtures/seeds";
import { ofType, rawConfig, release, renderRegion } from "./helpers";

type Obj = Record<string, any>;

/** A license-shaped JWT (header.claims.signature), for renders; never checked offline. */
const LICENSE = "eyJhbGciOiJFZERTQSJ9.eyJsaWNlbnNlX2V4cGlyZXMiOjB9.c2lnbmF0dXJl";
const withLicense = (stack: string, changes: Record<string, unknown> = {}) =>
    renderConfig(stack, rawConfig(stack, { license: LICENSE, ...changes }), ["coder-refarch:license"]);

/** Seed 000: three regions, coderd and the database in the primary, proxies elsewhere. */
const TEN_K = SEEDS["10k"];

const releasesOf = (r: Rendered, chart: string) => ofType(r, "kubernetes:helm.sh/v3:Release").filter((x) => x.inputs.chart === chart);
const values = (x: { inputs: Obj }) => reveal(x.inputs.values) as Obj;

describe.each(["gcp-10k", "aws-10k"])("%s: three regions", (stack) => {
    it("three clusters in three distinct regions, the primary's first", async () => {
        const primary = await renderRegion(stack);
        const europe = await renderRegion(`${stack}/europe`);
        const asia = await renderRegion(`${stack}/asia`);
        const regions = [primary, europe, asia].map((r) => r.settings.region);
        expect(new Set(regions).size).toBe(3);
        for (const r of [primary, europe, asia]) {
            if (stack.startsWith("gcp")) {
                const clusters = ofType(r, "gcp:container/cluster:Cluster");
                expect(clusters.map((c) => c.inputs.location)).toEqual([r.settings.region]);
            } else {
                const clusters = ofType(r, "aws:eks/cluster:Cluster");
                expect(clusters).toHaveLength(1);
                // a proxy region's resources go through its own provider, for its region
                // (its children inherit it: test/aws.test.ts checks each resource's provider)
                if (r.proxy) expect(ofType(r, "pulumi:providers:aws").map((p) => p.inputs.region)).toEqual([r.settings.region]);
            }
        }
    });

    it("the database and coderd only in the primary; a workspace proxy in each proxy region, at the seed's figures", async () => {
        const r = await withLicense(stack);
        const databases = r.resources.filter((x) => /sql\/databaseInstance:DatabaseInstance|rds\/instance:Instance/.test(x.type));
        expect(databases.map((d) => d.name)).toEqual([stack.startsWith("gcp") ? "coder-gcp-db-pg" : "coder-aws-db-pg"]);
        const coder = releasesOf(r, "coder");
        const coderd = coder.filter((x) => !values(x).coder.workspaceProxy);
        const proxies = coder.filter((x) => values(x).coder.workspaceProxy);
        expect(coderd.map((x) => x.name)).toEqual(["coder-k8s-coder"]);
        expect(proxies.map((x) => x.name).sort()).toEqual(["coder-asia-k8s-coder", "coder-europe-k8s-coder"]);
        expect(values(coderd[0]!).coder.replicaCount).toBe(TEN_K.coderd.replicas);
        for (const p of proxies) {
            const v = values(p).coder;
            // licensed and with an admin: registered, so they run
            expect(v.replicaCount).toBe(TEN_K.proxy!.replicas);
            const mib = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.replace("Mi", "")));
            expect(v.resources.limits).toEqual({ cpu: TEN_K.proxy!.cpu, memory: `${mib(TEN_K.proxy!.memory)}Mi` });
        }
        // 200 provisioners in every region (seed 000: "deployed in each of the 3 regions")
        const provisioners = releasesOf(r, "coder-provisioner");
        expect(provisioners).toHaveLength(3);
        for (const p of provisioners) expect(values(p).coder.replicaCount).toBe(TEN_K.provisioners.replicas);
    });

    it("each proxy is registered with coderd, its token reaches its region's cluster as a secret, and its region's provisioners get a key tagged with the region", async () => {
        const r = await withLicense(stack);
        const registered = ofType(r, "pulumi-nodejs:dynamic/coder-refarch:CoderWorkspaceProxy");
        expect(registered.map((x) => x.inputs.name).sort()).toEqual(["asia", "europe"]);
        for (const name of ["europe", "asia"]) {
            const token = ofType(r, "kubernetes:core/v1:Secret").find((s) => s.name.startsWith(`coder-${name}-`) && (s.inputs.metadata as Obj).name === "coder-workspace-proxy-session-token");
            expect(token, name).toBeDefined();
            expect(isSecretValue(token!.inputs.stringData) || Object.values(token!.inputs.stringData as Obj).every(isSecretValue)).toBe(true);
            const keys = ofType(r, "pulumi-nodejs:dynamic/coder-refarch:CoderProvisionerKey").filter((k) => (reveal(k.inputs.tags) as Obj)?.region === name);
            expect(keys, name).toHaveLength(1);
            const prov = releasesOf(r, "coder-provisioner").find((x) => x.name.startsWith(`coder-${name}-`))!;
            // they dial the primary with that key
            expect(values(prov).coder.env.find((e: Obj) => e.name === "CODER_URL").value).toBe(r.settings.accessUrl);
            expect(values(prov).provisionerDaemon.keySecretName).toBe("coder-provisioner-key");
        }
        // no proxy token in clear anywhere
        expect(JSON.stringify(r.resources.map((x) => redact(x.inputs)))).not.toContain("mock-proxy-token");
    });

    it("nothing in a proxy region waits on the primary's database or node pools: only on registering with coderd", async () => {
        const r = await withLicense(stack);
        // the project's APIs (GCP), which the primary owns, and the calls to coderd's API
        const allowed = new Set([...ofType(r, "gcp:projects/service:Service").map((x) => x.name),
            ...r.resources.filter((x) => x.name.startsWith("coder-coder-api-")).map((x) => x.name)]);
        for (const name of ["europe", "asia"]) {
            const own = r.resources.filter((x) => x.name.startsWith(`coder-${name}-`));
            const waitsOn = new Set(own.flatMap((x) => x.dependsOn).filter((d) => !d.startsWith(`coder-${name}-`)));
            for (const d of waitsOn) expect(allowed.has(d), `${name} waits on ${d}`).toBe(true);
        }
        // and none of those calls waits on the database itself: only on coderd's release
        const db = r.resources.find((x) => /sql\/databaseInstance:DatabaseInstance|rds\/instance:Instance/.test(x.type))!.name;
        for (const x of r.resources.filter((y) => y.name.startsWith("coder-coder-api-"))) expect(x.dependsOn).not.toContain(db);
    });

    it("the preview shows every region's sizing and footprint", async () => {
        const r = await renderRegion(stack);
        const out = previewJson(r);
        expect(out.sizing.proxyRegions.map((p) => p.name)).toEqual(["europe", "asia"]);
        for (const p of out.sizing.proxyRegions) {
            const ws = p.pools.find((x) => x.pool === "workspaces")!;
            expect(ws.nodes.max).toBe(TEN_K.pools.workspaces!.nodes);
            expect(ws.podsPerNode).toBe(TEN_K.pools.workspaces!.perNode);
            expect(p.pools.find((x) => x.pool === "coderd")!.pods).toBe(`${TEN_K.proxy!.replicas} proxy`);
        }
        expect(Object.keys(out.footprint.proxyRegions)).toEqual(["europe", "asia"]);
        for (const f of Object.values(out.footprint.proxyRegions)) expect(f.database).toBeUndefined();
        expect(out.footprint.database).toBeDefined();
    });
});

describe("gcp-10k: the stack's Coder settings and the workspace proxies", () => {
    it("the proxies get the coderEnv settings Coder marks for proxies (CODER_DISABLE_PATH_APPS), not coderd's own (OIDC); coderd gets both", async () => {
        const stack = "gcp-10k";
        const r = await renderConfig(stack, rawConfig(stack, {
            coderEnv: { CODER_DISABLE_PATH_APPS: "true", CODER_OIDC_ISSUER_URL: "https://accounts.google.com" },
        }));
        const envOf = (x: { inputs: Obj }) => Object.fromEntries((values(x).coder.env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
        const coder = releasesOf(r, "coder");
        const coderd = coder.filter((x) => !values(x).coder.workspaceProxy);
        const proxies = coder.filter((x) => values(x).coder.workspaceProxy);
        expect(coderd).toHaveLength(1);
        expect(proxies.map((x) => x.name).sort()).toEqual(["coder-asia-k8s-coder", "coder-europe-k8s-coder"]);
        expect(envOf(coderd[0]!)).toMatchObject({ CODER_DISABLE_PATH_APPS: "true", CODER_OIDC_ISSUER_URL: "https://accounts.google.com" });
        for (const p of proxies) {
            const env = envOf(p);
            expect(env.CODER_DISABLE_PATH_APPS, p.name).toBe("true");
            expect(env, p.name).not.toHaveProperty("CODER_OIDC_ISSUER_URL");
        }
    });

    it("coderSecretEnv never reaches a proxy", async () => {
        const stack = "gcp-10k";
        const r = await renderConfig(stack, rawConfig(stack, { coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "s3cret" } }), ["coder-refarch:coderSecretEnv"]);
        for (const p of releasesOf(r, "coder").filter((x) => values(x).coder.workspaceProxy)) {
            const names = (values(p).coder.env as Obj[]).map((e) => e.name);
            expect(names, p.name).not.toContain("CODER_OIDC_CLIENT_SECRET");
            expect(JSON.stringify(values(p).coder.env), p.name).not.toContain("coder-env");
        }
    });
});

describe("regions come and go without touching the others", () => {
    it("removing a proxy region changes no other resource's name or inputs", async () => {
        const stack = "gcp-10k";
        const all = await withLicense(stack);
        const regions = JSON.parse(rawConfig(stack)["coder-refarch:proxyRegions"]!) as Obj[];
        const fewer = await withLicense(stack, { proxyRegions: regions.filter((p) => p.name !== "asia") });
        const before = new Map(all.resources.map((x) => [`${x.type}::${x.name}`, JSON.stringify(redact(x.inputs))]));
        for (const x of fewer.resources) {
            const key = `${x.type}::${x.name}`;
            expect(before.has(key), key).toBe(true);
            expect(JSON.stringify(redact(x.inputs)), key).toBe(before.get(key));
        }
        const gone = [...before.keys()].filter((k) => !fewer.resources.some((x) => `${x.type}::${x.name}` === k));
        expect(gone.length).toBeGreaterThan(30);
        for (const k of gone) expect(k).toMatch(/::coder-(asia-|coder-api-(wsproxy|provisioner-key)-asia)/);
    });

    it("raising a region's tokenGeneration regenerates its proxy's token and nothing else of the others", async () => {
        const stack = "gcp-10k";
        const regions = JSON.parse(rawConfig(stack)["coder-refarch:proxyRegions"]!) as Obj[];
        const r = await withLicense(stack, { proxyRegions: regions.map((p) => (p.name === "europe" ? { ...p, tokenGeneration: 1 } : p)) });
        const byName = Object.fromEntries(ofType(r, "pulumi-nodejs:dynamic/coder-refarch:CoderWorkspaceProxy").map((x) => [x.inputs.name, x.inputs.tokenGeneration]));
        expect(byName).toEqual({ europe: 1, asia: 0 });
    });

    it("a 3k deployment with one European proxy is a few lines of stack config", async () => {
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", {
            proxyRegions: [{
                name: "europe", region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                accessUrl: "https://coder-europe.example.com", wildcardAccessUrl: "*.coder-europe.example.com",
            }],
        }));
        expect(ofType(r, "aws:eks/cluster:Cluster")).toHaveLength(2);
        const proxy = releasesOf(r, "coder").find((x) => values(x).coder.workspaceProxy)!;
        // the tier names no proxy figures: coderd's (seed 001)
        expect(values(proxy).coder.resources).toEqual(values(releasesOf(r, "coder").find((x) => !values(x).coder.workspaceProxy)!).coder.resources);
        expect(r.warnings.join("\n")).toMatch(/proxy regions europe: .*need a license/);
    });
});
