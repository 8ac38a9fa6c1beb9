/**
 * The shared Kubernetes layer (components/k8s): provisioner credentials and a start that
 * waits for the license, pods that roll when a Secret they read changes, workspaces held
 * to their pool, metrics scraped on GKE, and the network rules for DNS and the tailnet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { Provider } from "@pulumi/kubernetes/provider";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CoderKubernetes, CoderKubernetesArgs } from "../components/k8s/coder";
import { METADATA_RANGE } from "../components/k8s/types";
import { chartValues, documentedKeys, unknownKeys } from "../components/k8s/settings";
import { DIGEST_ANNOTATIONS } from "../components/k8s/values";
import { placementMessage, placementValidations } from "../components/k8s/workspace-policy";
import { Rendered, isSecretValue, redact, renderConfig, reveal } from "../preview/render";
import { placementFor } from "../sizing";
import { STACKS, ofType, rawConfig, release, render } from "./helpers";
import { workspacePlacement } from "../program";

type Obj = Record<string, any>;

// ---- the layer alone, under Pulumi's mocks, with the args a caller gives ----

interface LayerResource {
    type: string;
    name: string;
    inputs: Obj;
    dependsOn: string[];
}

/** What the mocks answer for resources whose outputs the layer reads. */
function mockState(type: string, name: string, inputs: Obj): Obj {
    if (type === "random:index/randomPassword:RandomPassword") return { ...inputs, result: `mock-${name}` };
    return inputs;
}

/**
 * Registers CoderKubernetes with a caller's args (the defaults below, changed by `change`,
 * which may create resources of its own with the options it is given) and returns every
 * resource it registered, with inputs as the provider would receive them.
 */
async function renderLayer(change: (opts: pulumi.CustomResourceOptions) => Partial<CoderKubernetesArgs> = () => ({})): Promise<LayerResource[]> {
    const registered = new Map<string, Obj>();
    pulumi.runtime.setMocks({
        newResource: (a) => {
            registered.set(`${a.type}::${a.name}`, a.inputs as Obj);
            return { id: `${a.name}-id`, state: mockState(a.type, a.name, a.inputs as Obj) };
        },
        call: () => ({}),
    }, "coder-refarch", "layer", false);

    const captured: { type: string; name: string; opts: pulumi.ResourceOptions; resource: pulumi.Resource }[] = [];
    const capture: pulumi.ResourceTransformation = (a) => {
        captured.push({ type: a.type, name: a.name, opts: a.opts, resource: a.resource });
        return undefined;
    };
    const opts = { transformations: [capture] };
    const resources = { cpuMillis: 500, memoryMiB: 1024 };
    const args: CoderKubernetesArgs = {
        cluster: {
            provider: new Provider("k8s", { kubeconfig: "{}" }),
            loadBalancerAnnotations: {},
            workspaceStorageClass: "standard",
            protectedRanges: ["10.100.0.0/16", METADATA_RANGE],
            podMonitoring: false,
        },
        control: { kind: "coderd", database: { url: pulumi.secret("postgres://coder:db-password-not-in-clear@10.100.0.3:5432/coder?sslmode=require") } },
        namespaces: { coder: "coder", provisioners: "coder-provisioners", workspaces: "coder-workspaces" },
        accessUrl: "https://coder.example.com",
        wildcardAccessUrl: "*.coder.example.com",
        tlsSecretNames: [],
        chart: { repository: "https://helm.coder.com/v2", version: "2.34.5" },
        metricsNamespaces: ["gmp-system"],
        coderd: { replicas: 2, requests: resources, limits: resources, placement: placementFor("coderd"), maxOpenConnections: 10 },
        provisioners: { replicas: 6, requests: resources, limits: resources, placement: placementFor("provisioners") },
        provisionerStart: { auth: { kind: "psk" } },
        aggregateAgentStats: false,
        workspaces: { placement: placementFor("workspaces"), requests: { cpuMillis: 100, memoryMiB: 128 } },
        ...change(opts),
    };
    new CoderKubernetes("coder-k8s", args, opts);
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const names = new Map(captured.map((c) => [c.resource, c.name]));
    return captured.map((c) => ({
        type: c.type,
        name: c.name,
        inputs: registered.get(`${c.type}::${c.name}`) ?? {},
        dependsOn: ([] as unknown[]).concat(c.opts.dependsOn ?? []).map((d) => names.get(d as pulumi.Resource) ?? "?"),
    }));
}

/**
 * A stack's Kubernetes resources cluster by cluster (by their provider): the primary's first,
 * then each proxy region's, each with the plan of its own pools.
 */
function clustersOf(r: Rendered): { r: Rendered; pools: Rendered["plan"]["pools"]; proxy: boolean }[] {
    const providers = [...new Set(r.resources.filter((x) => x.type.startsWith("kubernetes:") && x.provider).map((x) => x.provider!))];
    return providers.map((p, i) => ({
        r: { ...r, resources: r.resources.filter((x) => x.provider === p) },
        pools: i === 0 ? r.plan.pools : r.plan.proxies[i - 1]!.pools,
        proxy: i > 0,
    }));
}

const layerRelease = (rs: LayerResource[], chart: string) => rs.find((x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs.chart === chart)!;
const layerValues = (rs: LayerResource[], chart: string) => reveal(layerRelease(rs, chart).inputs.values) as Obj;
const secretsOf = (rs: LayerResource[]) => rs.filter((x) => x.type === "kubernetes:core/v1:Secret");
const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
/** The pods' digest annotations (the scale-down guard and the observability bundle's scrape annotations aside). */
const annotationsOf = (values: Obj): Record<string, string> =>
    Object.fromEntries(Object.entries(values.coder.podAnnotations ?? {})
        .filter(([key]) => key !== SAFE_TO_EVICT && !key.startsWith("prometheus.io/"))) as Record<string, string>;

describe("scale-down never evicts coderd, a provisioner or a workspace", () => {
    // cluster-autoscaler FAQ: a pod annotated safe-to-evict "false" keeps its node; Coder's
    // control plane pool must be static, and an evicted provisioner fails its build.
    it.each(["gcp-3k", "aws-3k"])("%s: coderd and provisioner pods, and the placement templates are given", async (stack) => {
        const r = await renderConfig(stack, rawConfig(stack));
        for (const chart of ["coder", "coder-provisioner"]) {
            expect((reveal(release(r, chart).inputs.values) as Obj).coder.podAnnotations[SAFE_TO_EVICT]).toBe("false");
        }
        const out = workspacePlacement(r.plan);
        expect(out.annotations).toEqual({ [SAFE_TO_EVICT]: "false" });
        expect(out.nodeSelector).toEqual({ "coder-refarch/pool": "workspaces" });
    });
});

describe("provisioners", () => {
    it("replicas 0 renders a provisioner release with replicaCount 0 (nothing dials an unlicensed coderd)", async () => {
        const rs = await renderLayer(() => ({
            provisioners: { replicas: 0, requests: { cpuMillis: 250, memoryMiB: 768 }, limits: { cpuMillis: 1000, memoryMiB: 1024 }, placement: placementFor("provisioners") },
        }));
        expect(layerValues(rs, "coder-provisioner").coder.replicaCount).toBe(0);
        expect(layerValues(rs, "coder").coder.replicaCount).toBe(2);
    });

    it("with a provisioner key: the key Secret, the chart's key values, and no PSK in the provisioner release", async () => {
        const key = "provisioner-key-not-in-clear";
        const rs = await renderLayer(() => ({ provisionerStart: { auth: { kind: "key", key: pulumi.secret(key) } } }));
        const keySecret = secretsOf(rs).find((s) => s.inputs.metadata.name === "coder-provisioner-key")!;
        expect(keySecret.inputs.metadata.namespace).toBe("coder-provisioners");
        expect(keySecret.inputs.type).toBe("Opaque");
        const data = keySecret.inputs.stringData;
        for (const v of isSecretValue(data) ? [data] : Object.values(data as Obj)) expect(isSecretValue(v)).toBe(true);
        expect(reveal(keySecret.inputs.stringData)).toEqual({ key });
        const { Secret } = await import("kubernetes-models/v1/Secret");
        expect(() => new Secret(reveal(keySecret.inputs) as never).validate()).not.toThrow();

        // helm/provisioner/templates/_coder.tpl: the key is used when keySecretName and keySecretKey
        // are set; a pskSecretName other than the default beside them, or tags, fail the render.
        const prov = layerValues(rs, "coder-provisioner");
        expect(prov.provisionerDaemon).toEqual({ keySecretName: "coder-provisioner-key", keySecretKey: "key", pskSecretName: "", terminationGracePeriodSeconds: 600 });
        const provText = JSON.stringify(prov);
        expect(provText).not.toContain("coder-provisioner-psk");
        expect(provText).not.toContain("mock-coder-k8s-provisioner-psk");
        expect(Object.keys(annotationsOf(prov))).toEqual([DIGEST_ANNOTATIONS.provisionerKey]);
        // the PSK stays with coderd alone
        const pskNamespaces = secretsOf(rs).filter((s) => s.inputs.metadata.name === "coder-provisioner-psk").map((s) => s.inputs.metadata.namespace);
        expect(pskNamespaces).toEqual(["coder"]);
        expect(layerValues(rs, "coder").provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
        // the key is in place before the release, and never in clear
        expect(layerRelease(rs, "coder-provisioner").dependsOn).toContain(keySecret.name);
        expect(JSON.stringify(rs.map((x) => redact(x.inputs)))).not.toContain(key);
    });

    it("with the PSK: the PSK Secret in both namespaces, the chart's PSK values, no key", async () => {
        const rs = await renderLayer();
        const prov = layerValues(rs, "coder-provisioner");
        expect(prov.provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
        expect(prov.provisionerDaemon.keySecretName).toBe("");
        expect(secretsOf(rs).map((s) => s.inputs.metadata.name)).not.toContain("coder-provisioner-key");
        const pskSecrets = secretsOf(rs).filter((s) => s.inputs.metadata.name === "coder-provisioner-psk");
        expect(pskSecrets.map((s) => s.inputs.metadata.namespace).sort()).toEqual(["coder", "coder-provisioners"]);
        expect(layerRelease(rs, "coder-provisioner").dependsOn).toContain(pskSecrets.find((s) => s.inputs.metadata.namespace === "coder-provisioners")!.name);
    });

    it("the provisioner release waits for what the caller names (the license upload), for coderd and for the workspace guards", async () => {
        // the hook is called with coderd's release, so what it creates can follow coderd
        let coderd: Release | undefined;
        const rs = await renderLayer((opts) => ({
            provisionerStart: (release) => {
                coderd = release;
                const upload = new ConfigMap("license-upload", { metadata: { name: "license" } }, { ...opts, dependsOn: [release] });
                return { auth: { kind: "psk" }, dependsOn: [upload] };
            },
        }));
        expect(coderd).toBeDefined();
        const deps = layerRelease(rs, "coder-provisioner").dependsOn;
        expect(deps).toContain("license-upload");
        expect(deps).toContain(layerRelease(rs, "coder").name);
        for (const type of ["ValidatingAdmissionPolicyBinding", "LimitRange", "ServiceAccountPatch"]) {
            const guards = rs.filter((x) => x.type.endsWith(`:${type}`));
            expect(guards.length, type).toBeGreaterThan(0);
            for (const g of guards) expect(deps, g.name).toContain(g.name);
        }
    });

    it("the license's first appearance (and each new one) restarts the provisioners, not coderd", async () => {
        const without = await renderLayer();
        const first = await renderLayer(() => ({ provisionerStart: { auth: { kind: "psk" }, licenseRevision: "license-1" } }));
        const next = await renderLayer(() => ({ provisionerStart: { auth: { kind: "psk" }, licenseRevision: pulumi.secret("license-2") } }));
        const prov = (rs: LayerResource[]) => annotationsOf(layerValues(rs, "coder-provisioner"));
        expect(prov(without)[DIGEST_ANNOTATIONS.license]).toBeUndefined();
        expect(prov(first)[DIGEST_ANNOTATIONS.license]).toMatch(/^[0-9a-f]{32}$/);
        expect(prov(next)[DIGEST_ANNOTATIONS.license]).not.toBe(prov(first)[DIGEST_ANNOTATIONS.license]);
        // a secret revision still leaves the values reviewable
        expect(isSecretValue(layerRelease(next, "coder-provisioner").inputs.values)).toBe(false);
        expect(annotationsOf(layerValues(first, "coder"))).toEqual(annotationsOf(layerValues(without, "coder")));
        expect(prov(first)[DIGEST_ANNOTATIONS.provisionerPsk]).toBe(prov(without)[DIGEST_ANNOTATIONS.provisionerPsk]);
    });
});

describe("a changed Secret rolls the pods that read it", () => {
    const read = (f: string) => fs.readFileSync(path.join(__dirname, "fixtures/tls", f), "utf8");
    const coderPair = { tlsCertificate: read("coder.crt"), tlsPrivateKey: read("coder.key") };
    // other.crt covers other.example.com only: the access URLs follow it.
    const otherPair = {
        tlsCertificate: read("other.crt"), tlsPrivateKey: read("other.key"), accessUrl: "https://other.example.com", wildcardAccessUrl: "",
    };
    const secretKeys = ["coder-refarch:tlsPrivateKey", "coder-refarch:coderSecretEnv"];
    // A certificate from config, so no ACME issuer beside it.
    const renderWith = (changes: Record<string, unknown>) =>
        renderConfig("gcp-3k", rawConfig("gcp-3k", { acmeEmail: "", dnsZone: "", ...changes }), secretKeys);
    const annotations = (r: Rendered) => ({
        coderd: annotationsOf(reveal(release(r, "coder").inputs.values) as Obj),
        provisioners: annotationsOf(reveal(release(r, "coder-provisioner").inputs.values) as Obj),
    });

    it("coderd's digests: TLS pair, database URL, PSK; the provisioners': PSK; keyed digests in clear", async () => {
        const r = await renderWith(coderPair);
        const a = annotations(r);
        expect(Object.keys(a.coderd).sort()).toEqual([DIGEST_ANNOTATIONS.tls, DIGEST_ANNOTATIONS.databaseUrl, DIGEST_ANNOTATIONS.provisionerPsk].sort());
        expect(Object.keys(a.provisioners)).toEqual([DIGEST_ANNOTATIONS.provisionerPsk]);
        for (const v of [...Object.values(a.coderd), ...Object.values(a.provisioners)]) expect(v).toMatch(/^[0-9a-f]{32}$/);
        // the same PSK, the same digest on both sides
        expect(a.provisioners[DIGEST_ANNOTATIONS.provisionerPsk]).toBe(a.coderd[DIGEST_ANNOTATIONS.provisionerPsk]);
        // not a plain hash of the secret: keyed with a generated key, which appears nowhere in clear
        const { createHash } = await import("node:crypto");
        const plain = createHash("sha256").update(coderPair.tlsCertificate + coderPair.tlsPrivateKey).digest("hex");
        expect(plain.startsWith(a.coderd[DIGEST_ANNOTATIONS.tls]!)).toBe(false);
        expect(JSON.stringify(r.resources.map((x) => redact(x.inputs)))).not.toContain("mock-coder-k8s-digest-key");
        expect(isSecretValue(release(r, "coder").inputs.values)).toBe(false);
    });

    it("a new certificate and key change coderd's TLS digest and nothing else", async () => {
        const before = annotations(await renderWith(coderPair));
        const again = annotations(await renderWith(coderPair));
        const after = annotations(await renderWith(otherPair));
        expect(again).toEqual(before);
        expect(after.coderd[DIGEST_ANNOTATIONS.tls]).not.toBe(before.coderd[DIGEST_ANNOTATIONS.tls]);
        expect({ ...after.coderd, [DIGEST_ANNOTATIONS.tls]: "" }).toEqual({ ...before.coderd, [DIGEST_ANNOTATIONS.tls]: "" });
        expect(after.provisioners).toEqual(before.provisioners);
    });

    it("a new coderSecretEnv value changes coderd's secret-env digest; plain settings change no digest", async () => {
        const one = annotations(await renderWith({ ...coderPair, coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "first" } }));
        const same = annotations(await renderWith({ ...coderPair, coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "first" }, coderEnv: { TZ: "UTC" } }));
        const two = annotations(await renderWith({ ...coderPair, coderSecretEnv: { CODER_OIDC_CLIENT_SECRET: "second" } }));
        expect(one.coderd[DIGEST_ANNOTATIONS.secretEnv]).toMatch(/^[0-9a-f]{32}$/);
        expect(same).toEqual(one);
        expect(two.coderd[DIGEST_ANNOTATIONS.secretEnv]).not.toBe(one.coderd[DIGEST_ANNOTATIONS.secretEnv]);
        expect({ ...two.coderd, [DIGEST_ANNOTATIONS.secretEnv]: "" }).toEqual({ ...one.coderd, [DIGEST_ANNOTATIONS.secretEnv]: "" });
        expect(two.provisioners).toEqual(one.provisioners);
    });

    it("a changed database URL changes coderd's database digest", async () => {
        const a = await renderLayer();
        const b = await renderLayer(() => ({ control: { kind: "coderd", database: { url: pulumi.secret("postgres://coder:rotated@10.100.0.3:5432/coder?sslmode=require") } } }));
        const da = annotationsOf(layerValues(a, "coder"));
        const db = annotationsOf(layerValues(b, "coder"));
        expect(db[DIGEST_ANNOTATIONS.databaseUrl]).not.toBe(da[DIGEST_ANNOTATIONS.databaseUrl]);
        expect(db[DIGEST_ANNOTATIONS.provisionerPsk]).toBe(da[DIGEST_ANNOTATIONS.provisionerPsk]);
        expect(JSON.stringify(b.map((x) => redact(x.inputs)))).not.toContain("rotated");
    });
});

// ---- a proxy region: the same layer with a workspace proxy in coderd's place ----

describe("workspace proxy mode", () => {
    const PRIMARY = "https://coder.example.com";
    const TOKEN = "proxy-token-not-in-clear";
    const KEY = "region-provisioner-key-not-in-clear";
    /** A proxy region's args: the proxy's own hosts, the primary's URL, its token, a key for the provisioners. */
    const proxyArgs = (token: pulumi.Input<string> | null = pulumi.secret(TOKEN)): Partial<CoderKubernetesArgs> => ({
        control: { kind: "proxy", primaryAccessUrl: PRIMARY, ...(token !== null ? { token } : {}) },
        accessUrl: "https://coder-europe.example.com",
        wildcardAccessUrl: "*.coder-europe.example.com",
        provisionerStart: { auth: { kind: "key", key: pulumi.secret(KEY) } },
    });
    const envOf = (values: Obj) => values.coder.env as Obj[];
    const secretNames = (rs: LayerResource[]) => secretsOf(rs).map((x) => `${x.inputs.metadata.namespace}/${x.inputs.metadata.name}`).sort();

    it("the proxy release: workspaceProxy, its own, the wildcard and the primary's URLs, the token through secretKeyRef, Prometheus on", async () => {
        const rs = await renderLayer(() => proxyArgs());
        const values = layerValues(rs, "coder");
        expect(values.coder.workspaceProxy).toBe(true);
        expect(values.coder.replicaCount).toBe(2);
        // exactly these: no database, built-in provisioners, PSK, agent stats or database metrics (coderd's alone)
        expect(envOf(values)).toEqual([
            { name: "CODER_ACCESS_URL", value: "https://coder-europe.example.com" },
            { name: "CODER_WILDCARD_ACCESS_URL", value: "*.coder-europe.example.com" },
            { name: "CODER_PRIMARY_ACCESS_URL", value: PRIMARY },
            { name: "CODER_PROXY_SESSION_TOKEN", valueFrom: { secretKeyRef: { name: "coder-workspace-proxy-session-token", key: "token" } } },
            { name: "CODER_PROMETHEUS_ENABLE", value: "true" },
        ]);
        // no PSK env from the chart (helm/coder/templates/_coder.tpl sets it for a non-empty pskSecretName)
        expect(values.provisionerDaemon).toEqual({ pskSecretName: "" });
        expect(values.coder.podAnnotations[SAFE_TO_EVICT]).toBe("false");
        expect(Object.keys(annotationsOf(values))).toEqual([DIGEST_ANNOTATIONS.proxyToken]);

        // the token's Secret: the chart's own fixture names (helm/coder/tests/testdata/workspace_proxy.yaml)
        const tokenSecret = secretsOf(rs).find((x) => x.inputs.metadata.name === "coder-workspace-proxy-session-token")!;
        expect(tokenSecret.inputs.metadata.namespace).toBe("coder");
        expect(tokenSecret.inputs.type).toBe("Opaque");
        const data = tokenSecret.inputs.stringData;
        for (const v of isSecretValue(data) ? [data] : Object.values(data as Obj)) expect(isSecretValue(v)).toBe(true);
        expect(reveal(data)).toEqual({ token: TOKEN });
        const { Secret } = await import("kubernetes-models/v1/Secret");
        expect(() => new Secret(reveal(tokenSecret.inputs) as never).validate()).not.toThrow();
        expect(layerRelease(rs, "coder").dependsOn).toContain(tokenSecret.name);
        // never in clear, and the values stay reviewable
        expect(JSON.stringify(rs.map((x) => redact(x.inputs)))).not.toContain(TOKEN);
        expect(isSecretValue(layerRelease(rs, "coder").inputs.values)).toBe(false);
    });

    it("without a token the proxy release runs 0 replicas, with the same env and no token Secret", async () => {
        const withToken = await renderLayer(() => proxyArgs());
        const without = await renderLayer(() => proxyArgs(null));
        const values = layerValues(without, "coder");
        expect(values.coder.replicaCount).toBe(0);
        expect(values.coder.workspaceProxy).toBe(true);
        expect(envOf(values)).toEqual(envOf(layerValues(withToken, "coder")));
        expect(secretNames(without)).not.toContain("coder/coder-workspace-proxy-session-token");
        expect(annotationsOf(values)).toEqual({});
    });

    it("a regenerated token rolls the proxies: its digest changes, nothing else of the release does", async () => {
        const first = layerValues(await renderLayer(() => proxyArgs()), "coder");
        const again = layerValues(await renderLayer(() => proxyArgs()), "coder");
        const next = layerValues(await renderLayer(() => proxyArgs(pulumi.secret("regenerated-token"))), "coder");
        expect(again).toEqual(first);
        expect(annotationsOf(first)[DIGEST_ANNOTATIONS.proxyToken]).toMatch(/^[0-9a-f]{32}$/);
        expect(annotationsOf(next)[DIGEST_ANNOTATIONS.proxyToken]).not.toBe(annotationsOf(first)[DIGEST_ANNOTATIONS.proxyToken]);
        const digestless = (v: Obj) => ({ ...v, coder: { ...v.coder, podAnnotations: { ...v.coder.podAnnotations, [DIGEST_ANNOTATIONS.proxyToken]: "" } } });
        expect(digestless(next)).toEqual(digestless(first));
    });

    it("no database or PSK Secret, no PSK at all; the provisioners dial the primary's access URL with the key, after nothing of the cluster's", async () => {
        let hooked: Release | undefined;
        const rs = await renderLayer(() => ({
            ...proxyArgs(),
            provisionerStart: (control) => {
                hooked = control;
                return { auth: { kind: "key", key: pulumi.secret(KEY) } };
            },
        }));
        expect(secretNames(rs)).toEqual(["coder-provisioners/coder-provisioner-key", "coder/coder-workspace-proxy-session-token"]);
        expect(rs.filter((x) => x.type === "random:index/randomPassword:RandomPassword").map((x) => x.name)).toEqual(["coder-k8s-digest-key"]);
        // the hook gets the proxy's release
        expect(hooked).toBeInstanceOf(Release);
        expect(await new Promise((resolve) => hooked!.chart.apply(resolve))).toBe("coder");

        const prov = layerValues(rs, "coder-provisioner");
        expect(prov.coder.env).toEqual([
            { name: "CODER_URL", value: PRIMARY }, { name: "CODER_PROMETHEUS_ENABLE", value: "true" }, { name: "CODER_CACHE_DIRECTORY", value: "/tmp/coder-cache" },
        ]);
        expect(prov.coder.replicaCount).toBe(6);
        expect(prov.provisionerDaemon).toEqual({ keySecretName: "coder-provisioner-key", keySecretKey: "key", pskSecretName: "", terminationGracePeriodSeconds: 600 });
        expect(Object.keys(annotationsOf(prov))).toEqual([DIGEST_ANNOTATIONS.provisionerKey]);
        const deps = layerRelease(rs, "coder-provisioner").dependsOn;
        expect(deps).not.toContain(layerRelease(rs, "coder").name);
        expect(deps).toContain(secretsOf(rs).find((x) => x.inputs.metadata.name === "coder-provisioner-key")!.name);
        for (const g of rs.filter((x) => x.type.endsWith(":LimitRange") || x.type.endsWith(":ServiceAccountPatch"))) expect(deps).toContain(g.name);
        expect(JSON.stringify(rs.map((x) => redact(x.inputs)))).not.toContain(KEY);
    });

    it("a PSK start beside a proxy runs no provisioner and stores no PSK (the cluster's PSK would never be coderd's)", async () => {
        const rs = await renderLayer(() => ({ ...proxyArgs(), provisionerStart: { auth: { kind: "psk" }, licenseRevision: "license-1" } }));
        const prov = layerValues(rs, "coder-provisioner");
        expect(prov.coder.replicaCount).toBe(0);
        expect(prov.coder.env[0]).toEqual({ name: "CODER_URL", value: PRIMARY });
        expect(secretNames(rs)).toEqual(["coder/coder-workspace-proxy-session-token"]);
        expect(JSON.stringify(rs.map((x) => redact(x.inputs)))).not.toContain("mock-coder-k8s-provisioner-psk");
        expect(Object.keys(annotationsOf(prov))).toEqual([DIGEST_ANNOTATIONS.license]);
    });

    it("the proxies are placed, served and annotated as coderd is: pool, affinity, zone spread, Service, TLS, ServiceAccount", async () => {
        const tls = { tlsSecretNames: ["coder-acme-tls"] };
        const coderd = layerValues(await renderLayer(() => tls), "coder").coder as Obj;
        const proxy = layerValues(await renderLayer(() => ({ ...proxyArgs(), ...tls })), "coder").coder as Obj;
        for (const key of ["resources", "nodeSelector", "tolerations", "affinity", "topologySpreadConstraints", "service", "tls", "serviceAccount"]) {
            expect(proxy[key], key).toEqual(coderd[key]);
        }
        expect(proxy.tls).toEqual({ secretNames: ["coder-acme-tls"] });
        expect(proxy.podAnnotations[SAFE_TO_EVICT]).toBe("false");
        // coderd's release says it runs coderd: a stack's helmValues cannot flip it
        expect(coderd.workspaceProxy).toBe(false);
    });

    it("the same PDB, network policies, PodMonitoring, RBAC and workspace guards as coderd, selecting the proxies by the chart's labels", async () => {
        const monitored = (rs: LayerResource[]) => rs.filter((x) => /:(PodDisruptionBudget|NetworkPolicy|PodMonitoring|Role|RoleBinding|ValidatingAdmissionPolicy|ValidatingAdmissionPolicyBinding|LimitRange|ServiceAccountPatch)$/.test(x.type))
            .map((x) => ({ type: x.type, name: x.name, inputs: reveal(x.inputs) }));
        const gke = (opts: pulumi.CustomResourceOptions) => ({
            cluster: {
                provider: new Provider("k8s", { kubeconfig: "{}" }, opts), loadBalancerAnnotations: {}, workspaceStorageClass: "standard",
                protectedRanges: ["10.100.0.0/16", METADATA_RANGE], podMonitoring: true,
            },
        });
        const coderd = monitored(await renderLayer((opts) => gke(opts)));
        const proxy = monitored(await renderLayer((opts) => ({ ...gke(opts), ...proxyArgs() })));
        expect(coderd.length).toBeGreaterThanOrEqual(12);
        expect(proxy).toEqual(coderd);
        // libcoder's coder.selectorLabels: the chart's name and the release's, whatever the pods run
        const pdb = proxy.find((x) => x.type.endsWith(":PodDisruptionBudget") && (x.inputs as Obj).metadata.name === "coderd")!.inputs as Obj;
        expect(pdb.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" });
        // web ports from anywhere: users, the primary, and the proxy replicas' DERP mesh on the same port
        const policy = proxy.find((x) => x.type.endsWith(":NetworkPolicy") && (x.inputs as Obj).metadata.namespace === "coder")!.inputs as Obj;
        expect(policy.spec.ingress).toContainEqual({ ports: [{ protocol: "TCP", port: 8080 }] });
    });

    it("sets only values the charts' values files have", async () => {
        const rs = await renderLayer(() => ({ ...proxyArgs(), tlsSecretNames: ["coder-acme-tls"], coderd: proxyWorkload(3) }));
        expect(unknownKeys(layerValues(rs, "coder"), chartValues("coder"), [], documentedKeys("coder"))).toEqual([]);
        expect(unknownKeys(layerValues(rs, "coder-provisioner"), chartValues("provisioner"), [], documentedKeys("provisioner"))).toEqual([]);
        // and the key that makes it a proxy is the chart's
        expect((chartValues("coder").coder as Obj).workspaceProxy).toBe(false);
    });

    it("needs no maxOpenConnections (no database); coderd does", async () => {
        const rs = await renderLayer(() => ({ ...proxyArgs(), coderd: proxyWorkload(1) }));
        expect(layerValues(rs, "coder").coder.replicaCount).toBe(2);
        await expect(renderLayer(() => ({ coderd: proxyWorkload(1) }))).rejects.toThrow(/maxOpenConnections/);
    });
});

/** 4 vCPU / 12 GiB pods, two of them, packed `perNode` to a node. */
function proxyWorkload(perNode: number): CoderKubernetesArgs["coderd"] {
    const r = { cpuMillis: 4000, memoryMiB: 12288 };
    return { replicas: 2, requests: r, limits: r, placement: placementFor("coderd"), perNode };
}

describe("coderd and proxy density", () => {
    const hostname = { labelSelector: { matchLabels: { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" } }, topologyKey: "kubernetes.io/hostname" };
    const zoneSpread = [{
        maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" } },
    }];

    it.each([
        ["coderd", {}], ["a proxy", { control: { kind: "proxy", primaryAccessUrl: "https://coder.example.com", token: "t" } }],
    ] as const)("%s: one a node, required, at perNode 1 or absent; preferred above 1; the zone spread stays", async (_, mode) => {
        const at = async (perNode: number | undefined) => layerValues(await renderLayer(() => ({
            ...(mode as Partial<CoderKubernetesArgs>),
            coderd: { ...proxyWorkload(perNode ?? 1), perNode, maxOpenConnections: 10 },
        })), "coder").coder as Obj;
        for (const perNode of [undefined, 1]) {
            const v = await at(perNode);
            expect(v.affinity, String(perNode)).toEqual({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [hostname] } });
            expect(v.topologySpreadConstraints).toEqual(zoneSpread);
        }
        const packed = await at(3);
        expect(packed.affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: hostname }] } });
        expect(packed.topologySpreadConstraints).toEqual(zoneSpread);
        // the requests cap the density: 3 x 4 vCPU / 12 GiB on a 16 vCPU node
        expect(packed.resources.requests).toEqual({ cpu: "4000m", memory: "12288Mi" });
    });
});

// ---- workspaces stay on their pool ----

const WORKSPACES = placementFor("workspaces");

describe("the workspace placement policy", () => {
    /** The exact CEL: the reviewed text, for the placement every stack deploys. */
    const POD_RULES = [
        "has(object.spec.nodeSelector) && 'coder-refarch/pool' in object.spec.nodeSelector && object.spec.nodeSelector['coder-refarch/pool'] == 'workspaces'",
        "has(object.spec.tolerations) && object.spec.tolerations.exists(x, (!has(x.effect) || x.effect == '' || x.effect == 'NoSchedule') && " +
            "(!has(x.key) || x.key == '' || x.key == 'coder-refarch/pool') && " +
            "((has(x.operator) && x.operator == 'Exists') || (has(x.value) && x.value == 'workspaces')))",
    ];
    const POD_MESSAGE = "pods in namespace coder-workspaces must run on the workspaces node pool: " +
        "set spec.nodeSelector {\"coder-refarch/pool\":\"workspaces\"} and " +
        "spec.tolerations [{\"key\":\"coder-refarch/pool\",\"operator\":\"Equal\",\"value\":\"workspaces\",\"effect\":\"NoSchedule\"}] " +
        "(in a Coder template: node_selector and toleration in the pod spec; the stack output workspacePlacement holds both)";

    it("pods: the CEL and the message, exactly", () => {
        expect(placementValidations("Pod", "coder-workspaces", WORKSPACES)).toEqual(POD_RULES.map((expression) => ({ expression, message: POD_MESSAGE })));
        expect(POD_MESSAGE).not.toMatch(/[\r\n]/);
    });

    it("Deployments: the same rules on the pod template", () => {
        const rules = placementValidations("Deployment", "coder-workspaces", WORKSPACES);
        expect(rules.map((r) => r.expression)).toEqual(POD_RULES.map((e) => e.replaceAll("object.spec.", "object.spec.template.spec.")));
        expect(rules[0]!.message).toBe(placementMessage("Deployment", "coder-workspaces", WORKSPACES));
        expect(rules[0]!.message).toMatch(/^Deployments' pods in namespace coder-workspaces .* set spec\.template\.spec\.nodeSelector /);
    });

    it("is derived from the placement: one test a selector entry, one rule a toleration", () => {
        const placement = {
            nodeSelector: { "example.com/b": "2", "example.com/a": "1" },
            tolerations: [
                { key: "example.com/a", operator: "Equal" as const, value: "1", effect: "NoSchedule" as const },
                { key: "example.com/b", operator: "Equal" as const, value: "2", effect: "NoSchedule" as const },
            ],
        };
        const rules = placementValidations("Pod", "ws", placement);
        expect(rules).toHaveLength(3);
        expect(rules[0]!.expression).toBe("has(object.spec.nodeSelector) && " +
            "'example.com/a' in object.spec.nodeSelector && object.spec.nodeSelector['example.com/a'] == '1' && " +
            "'example.com/b' in object.spec.nodeSelector && object.spec.nodeSelector['example.com/b'] == '2'");
        expect(rules[1]!.expression).toContain("x.key == 'example.com/a'");
        expect(rules[2]!.expression).toContain("x.value == '2'");
        // a value CEL would need quoted is refused, never pasted in
        expect(() => placementValidations("Pod", "ws", { nodeSelector: { "a'b": "c" }, tolerations: [] })).toThrow(/not a label key/);
    });

    it.each(STACKS)("%s: the policies, their bindings to the workspaces namespace, the LimitRange and the ServiceAccount patch (every cluster)", async (stack) => {
        for (const c of clustersOf(await render(stack))) await policiesOf(c.r, c.pools);
    });

    async function policiesOf(r: Rendered, pools: Rendered["plan"]["pools"]) {
        const ns = r.settings.namespaces.workspaces;
        const placement = pools.workspaces.placement;
        const policies = ofType(r, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((p) => reveal(p.inputs) as Obj);
        const bindings = ofType(r, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map((b) => reveal(b.inputs) as Obj);
        expect(policies.map((p) => p.spec.matchConstraints.resourceRules)).toEqual([
            [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"] }],
            [{ apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"], operations: ["CREATE", "UPDATE"] }],
        ]);
        expect(policies[0]!.spec.validations).toEqual(placementValidations("Pod", ns, placement));
        expect(policies[1]!.spec.validations).toEqual(placementValidations("Deployment", ns, placement));
        expect(policies[0]!.spec.validations[0].message).toContain(JSON.stringify(placement.nodeSelector));
        expect(bindings.map((b) => b.spec.policyName)).toEqual(policies.map((p) => p.metadata.name));
        for (const b of bindings) {
            expect(b.spec.validationActions).toEqual(["Deny"]);
            expect(b.spec.matchResources.namespaceSelector).toEqual({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [ns] }] });
        }

        const limits = reveal(ofType(r, "kubernetes:core/v1:LimitRange")[0]!.inputs) as Obj;
        const slot = pools.workspaces.workload!.requests;
        expect(limits.metadata.namespace).toBe(ns);
        expect(limits.spec.limits).toEqual([{ type: "Container", defaultRequest: { cpu: `${slot.cpuMillis}m`, memory: `${slot.memoryMiB}Mi` } }]);

        const sa = reveal(ofType(r, "kubernetes:core/v1:ServiceAccountPatch")[0]!.inputs) as Obj;
        expect(sa.metadata).toEqual({ name: "default", namespace: ns });
        expect(sa.automountServiceAccountToken).toBe(false);

        // each against the Kubernetes API schema
        const { ValidatingAdmissionPolicy } = await import("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy");
        const { ValidatingAdmissionPolicyBinding } = await import("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding");
        const { LimitRange } = await import("kubernetes-models/v1/LimitRange");
        const { ServiceAccount } = await import("kubernetes-models/v1/ServiceAccount");
        for (const p of policies) expect(() => new ValidatingAdmissionPolicy(p as never).validate()).not.toThrow();
        for (const b of bindings) expect(() => new ValidatingAdmissionPolicyBinding(b as never).validate()).not.toThrow();
        expect(() => new LimitRange(limits as never).validate()).not.toThrow();
        expect(() => new ServiceAccount(sa as never).validate()).not.toThrow();
    }

    it("the schema check rejects a malformed policy", async () => {
        const { ValidatingAdmissionPolicyBinding } = await import("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding");
        const bad = new ValidatingAdmissionPolicyBinding({ metadata: { name: "x" }, spec: { policyName: "x", validationActions: "Deny" as never } });
        expect(() => bad.validate()).toThrow();
    });

    it.each(STACKS)("%s: provisioners may build pods, volume claims and deployments, and read events and logs, nothing else", async (stack) => {
        const r = await render(stack);
        const role = reveal(ofType(r, "kubernetes:rbac.authorization.k8s.io/v1:Role")[0]!.inputs) as Obj;
        const write = ["create", "delete", "get", "list", "patch", "update", "watch"];
        expect(role.metadata.namespace).toBe(r.settings.namespaces.workspaces);
        expect(role.rules).toEqual([
            { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: write },
            { apiGroups: ["apps"], resources: ["deployments"], verbs: write },
            { apiGroups: [""], resources: ["events", "pods/log"], verbs: ["get", "list", "watch"] },
        ]);
    });
});

// ---- metrics ----

const CRD = parse(fs.readFileSync(path.join(__dirname, "fixtures/prometheus-engine/monitoring.googleapis.com_podmonitorings.yaml"), "utf8")) as Obj;

/**
 * The CRD's v1 schema as a JSON schema: structural schemas prune unknown fields, so here
 * an object with properties (and no additionalProperties of its own) refuses them, to
 * catch a misspelt field the API server would drop silently.
 */
function strict(schema: Obj): Obj {
    const out: Obj = { ...schema };
    if (out.properties) {
        out.properties = Object.fromEntries(Object.entries(out.properties as Obj).map(([k, v]) => [k, strict(v as Obj)]));
        if (out.additionalProperties === undefined && k8sObject(out)) out.additionalProperties = false;
    }
    if (out.items) out.items = strict(out.items as Obj);
    if (out.additionalProperties && typeof out.additionalProperties === "object") out.additionalProperties = strict(out.additionalProperties as Obj);
    if (Array.isArray(out.anyOf)) out.anyOf = (out.anyOf as Obj[]).map(strict);
    return out;
}
const k8sObject = (s: Obj) => s.type === "object" && !s["x-kubernetes-preserve-unknown-fields"];

const podMonitoringSchema = (() => {
    const v1 = (CRD.spec.versions as Obj[]).find((v) => v.name === "v1")!;
    const ajv = new Ajv({
        allErrors: true,
        // The Kubernetes extensions carry no JSON-schema meaning here (their CEL rules are the API server's).
        keywords: ["x-kubernetes-validations", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields"],
        formats: {
            // A Prometheus duration (prometheus/common model.ParseDuration).
            duration: /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/,
            "date-time": true,
            int32: true,
            int64: true,
        },
    });
    return ajv.compile(strict(v1.schema.openAPIV3Schema as Obj));
})();

function podMonitoringProblems(o: Obj): string[] {
    return podMonitoringSchema(o) ? [] : (podMonitoringSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("metrics", () => {
    it("the fixture is the PodMonitoring CRD", () => {
        expect(CRD.kind).toBe("CustomResourceDefinition");
        expect(CRD.spec.group).toBe("monitoring.googleapis.com");
        expect(CRD.spec.names.kind).toBe("PodMonitoring");
    });

    it.each(STACKS)("%s: PodMonitoring of coderd (or the proxies) and the provisioners on GKE only, valid against the CRD (every cluster)", async (stack) => {
        for (const c of clustersOf(await render(stack))) podMonitoringsOf(c.r);
    });

    function podMonitoringsOf(r: Rendered) {
        const monitors = ofType(r, "kubernetes:monitoring.googleapis.com/v1:PodMonitoring").map((m) => reveal(m.inputs) as Obj);
        if (r.settings.cloud !== "gcp") {
            expect(monitors).toEqual([]);
            return;
        }
        expect(monitors).toHaveLength(2);
        for (const m of monitors) expect(podMonitoringProblems(m), m.metadata.name).toEqual([]);
        for (const chart of ["coder", "coder-provisioner"]) {
            const rel = release(r, chart);
            const m = monitors.find((x) => x.metadata.namespace === rel.inputs.namespace)!;
            // libcoder's selector labels: the chart's name and the release's
            expect(m.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": rel.inputs.name } });
            expect(m.spec.endpoints).toEqual([{ port: "prometheus-http", interval: "30s" }]);
            // the charts open the named port only for CODER_PROMETHEUS_ENABLE "true"
            const env = ((reveal(rel.inputs.values) as Obj).coder.env as Obj[]).find((e) => e.name === "CODER_PROMETHEUS_ENABLE");
            expect(env?.value).toBe("true");
        }
    }

    it("the CRD check rejects a malformed PodMonitoring", () => {
        const good = { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring", metadata: { name: "x" },
            spec: { selector: { matchLabels: { a: "b" } }, endpoints: [{ port: "prometheus-http", interval: "30s" }] } };
        expect(podMonitoringProblems(good)).toEqual([]);
        expect(podMonitoringProblems({ ...good, spec: { ...good.spec, endpoints: [] } })).not.toEqual([]);
        expect(podMonitoringProblems({ ...good, spec: { ...good.spec, endpoints: [{ port: "p", interval: "30 seconds" }] } })).not.toEqual([]);
        expect(podMonitoringProblems({ ...good, spec: { ...good.spec, endpoints: [{ port: "p" }] } })).not.toEqual([]);
        expect(podMonitoringProblems({ ...good, spec: { ...good.spec, endpoint: good.spec.endpoints } })).not.toEqual([]);
    });

    it.each(STACKS)("%s: agent stats aggregated by agent name from 2k users up (coderd's setting: a proxy has none)", async (stack) => {
        for (const c of clustersOf(await render(stack))) {
            const values = reveal(release(c.r, "coder").inputs.values) as Obj;
            expect(values.coder.workspaceProxy).toBe(c.proxy);
            const env = (values.coder.env as Obj[]).find((e) => e.name === "CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY");
            if (c.r.settings.tier === "1k" || c.proxy) expect(env).toBeUndefined();
            else expect(env).toEqual({ name: "CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY", value: "agent_name" });
        }
    });
});

// ---- network rules ----

describe("network rules for DNS and the tailnet", () => {
    const policyIn = (r: Rendered, ns: string) =>
        (reveal(ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => (p.inputs.metadata as Obj).namespace === ns)!.inputs) as Obj).spec;
    const dns = [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }];
    const coderdPods = (r: Rendered) => ({
        namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [r.settings.namespaces.coder] }] },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" } },
    });

    it.each(STACKS)("%s: workspace DNS through kube-dns, NodeLocal DNSCache and Cloud DNS for GKE, port 53 only", async (stack) => {
        const r = await render(stack);
        const egress = policyIn(r, r.settings.namespaces.workspaces).egress as Obj[];
        const kubeSystem = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["kube-system"] }] };
        expect(egress).toContainEqual({
            to: [
                { namespaceSelector: kubeSystem, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
                { namespaceSelector: kubeSystem, podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } },
            ],
            ports: dns,
        });
        expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: "169.254.20.10/32" } }, { ipBlock: { cidr: "169.254.169.254/32" } }], ports: dns });
        // the metadata address is reachable on port 53 alone: every other rule that could reach it excepts it
        for (const rule of egress) {
            const blocks = (rule.to as Obj[]).filter((t) => t.ipBlock).map((t) => t.ipBlock);
            const reaches = blocks.some((b) => b.cidr === "169.254.169.254/32" || (b.cidr === "0.0.0.0/0" && !b.except.includes(METADATA_RANGE)));
            if (reaches) expect(rule.ports).toEqual(dns);
        }
    });

    it.each(STACKS)("%s: UDP on every port between coderd and workspaces, both ways", async (stack) => {
        const r = await render(stack);
        const ws = policyIn(r, r.settings.namespaces.workspaces);
        expect(ws.ingress).toEqual([{ from: [coderdPods(r)], ports: [{ protocol: "UDP" }] }]);
        expect(ws.egress).toContainEqual({ to: [coderdPods(r)], ports: [{ protocol: "UDP" }] });
        const coderd = policyIn(r, r.settings.namespaces.coder);
        expect(coderd.ingress).toContainEqual({
            from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [r.settings.namespaces.workspaces] }] } }],
            ports: [{ protocol: "UDP" }],
        });
        // UDP only from the workspaces namespace; TCP stays as before
        const udpRules = (coderd.ingress as Obj[]).filter((rule) => rule.ports.some((p: Obj) => p.protocol === "UDP"));
        expect(udpRules).toHaveLength(1);
    });
});
