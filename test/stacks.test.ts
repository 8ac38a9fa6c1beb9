/**
 * Whole-stack invariants, for every Pulumi.<stack>.yaml and every cloud: what a reviewer
 * of the architecture checks before `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Rendered, isSecretValue, redact, renderConfig, reveal } from "../preview/render";
import { cidrRange } from "../config";
import { FLEXIBLE_SERVER_SIZES_GIB, SEEDS, daemonSetAllowance } from "./fixtures/seeds";
import { PoolFact, factsFor } from "./cloud-facts";
import { POOL_KEY, REGIONS, STACKS, ofType, one, rawConfig, release, render as renderStackOnce, renderRegion } from "./helpers";
import { CERT_MANAGER_PASS_THROUGH, CERT_MANAGER_VALUES } from "./fixtures/cert-manager/chart";

type Obj = Record<string, any>;

const CHART_VALUES: Record<string, Obj> = {
    coder: parse(fs.readFileSync(path.join(__dirname, "../components/k8s/charts/coder-values.yaml"), "utf8")),
    "coder-provisioner": parse(fs.readFileSync(path.join(__dirname, "../components/k8s/charts/provisioner-values.yaml"), "utf8")),
    "cert-manager": CERT_MANAGER_VALUES as Obj,
    "cluster-autoscaler": parse(fs.readFileSync(path.join(__dirname, "fixtures/cluster-autoscaler/values.yaml"), "utf8")),
};

/** A pod spec's placement as the Helm values set it. */
interface PodPlacement {
    what: string;
    role: string;
    nodeSelector: Record<string, string>;
    tolerations: { key: string; operator: string; value?: string; effect: string }[];
}

function podsOf(r: Rendered): PodPlacement[] {
    const coder = reveal(release(r, "coder").inputs.values) as Obj;
    const prov = reveal(release(r, "coder-provisioner").inputs.values) as Obj;
    return [
        { what: "coderd", role: "coderd", nodeSelector: coder.coder.nodeSelector, tolerations: coder.coder.tolerations },
        { what: "provisioners", role: "provisioners", nodeSelector: prov.coder.nodeSelector, tolerations: prov.coder.tolerations },
        // what workspace templates are told to set (stack output workspacePlacement)
        { what: "workspaces", role: "workspaces", ...r.plan.pools.workspaces.placement },
    ];
}

/** Pools a pod can land on: the pool has every selected label, and the pod tolerates every taint. */
function poolsFor(pod: PodPlacement, pools: PoolFact[]): PoolFact[] {
    return pools.filter((p) =>
        Object.entries(pod.nodeSelector).every(([k, v]) => p.labels[k] === v) &&
        p.taints.every((t) => pod.tolerations.some((tol) =>
            tol.key === t.key && tol.effect === t.effect && (tol.operator === "Exists" || tol.value === t.value))));
}

/**
 * Values the charts hand to the pod spec as they are (`toYaml`): any valid Kubernetes
 * object of that field is accepted, whatever example the values file shows.
 */
const PASS_THROUGH = new Set([
    "coder.affinity.", "coder.nodeSelector.", "coder.resources.", "coder.topologySpreadConstraints.",
    // cluster-autoscaler: a map of command-line flags, rendered as --key=value
    "extraArgs.",
    ...CERT_MANAGER_PASS_THROUGH,
]);

/** Keys of `ours` that the chart's values.yaml does not have (free-form below null, [], {} or lists). */
function unknownKeys(ours: unknown, chart: unknown, at = ""): string[] {
    if (!ours || typeof ours !== "object" || Array.isArray(ours) || PASS_THROUGH.has(at)) return [];
    if (!chart || typeof chart !== "object" || Array.isArray(chart) || Object.keys(chart).length === 0) return [];
    return Object.entries(ours as Obj).flatMap(([k, v]) =>
        k in (chart as Obj) ? unknownKeys(v, (chart as Obj)[k], `${at}${k}.`) : [`${at}${k}`]);
}

/** Groups of custom resources, validated against their own CRDs instead (test/k8s-layer.test.ts). */
const CUSTOM_GROUPS = new Set(["monitoring.googleapis.com"]);

/**
 * kubernetes:<group>/<version>:<Kind> → the kubernetes-models module path and kind. A
 * `<Kind>Patch` (Server-Side Apply patch of an existing object) validates as the object.
 */
function modelOf(type: string): { module: string; kind: string } | undefined {
    const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
    if (!m || m[1] === "helm.sh" || CUSTOM_GROUPS.has(m[1]!)) return undefined;
    const [, group, version, kind] = m;
    // cert-manager's own kinds: their schemas from @kubernetes-models/cert-manager
    if (group === "cert-manager.io") return { module: `@kubernetes-models/cert-manager/${group}/${version}`, kind: kind! };
    return { module: group === "core" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`, kind: kind!.replace(/Patch$/, "") };
}

/** Every region of a stack holds the invariants: the primary, and each proxy region (without a database). */
describe.each(REGIONS)("stack %s", (id) => {
    const render = () => renderRegion(id);
    const stack = id.split("/")[0]!;
    it("renders", async () => {
        const r = await render();
        expect(r.resources.length).toBeGreaterThan(30);
        expect(r.settings.stack).toBe(stack);
    });

    it("has a cluster, the four pools, a database (the primary's alone) and both Helm releases", async () => {
        const r = await render();
        const pools = factsFor(r).pools(r);
        expect(pools.map((p) => p.labels[POOL_KEY]).sort()).toEqual(["coderd", "provisioners", "system", "workspaces"]);
        if (r.proxy) expect(() => factsFor(r).database(r)).toThrow(/no (Cloud SQL|RDS|Flexible Server) instance/);
        else expect(factsFor(r).database(r)).toBeDefined();
        expect(release(r, "coder").inputs.version).toBe(r.settings.coderVersion);
        expect(release(r, "coder-provisioner").inputs.version).toBe(r.settings.coderVersion);
    });

    it("every pod's node selector and tolerations match exactly one pool, its own", async () => {
        const r = await render();
        const pools = factsFor(r).pools(r);
        for (const pod of podsOf(r)) {
            const matches = poolsFor(pod, pools);
            expect(matches.map((p) => p.name), pod.what).toHaveLength(1);
            expect(matches[0]!.labels[POOL_KEY], pod.what).toBe(pod.role);
        }
        // and nothing without tolerations lands on a dedicated pool
        const untolerated = pools.filter((p) => p.taints.length === 0).map((p) => p.labels[POOL_KEY]);
        expect(untolerated).toEqual(["system"]);
    });

    it("pods fit their pools (allocatable after system reservations and DaemonSets)", async () => {
        const r = await render();
        const f = factsFor(r);
        const pools: Record<string, PoolFact> = Object.fromEntries(f.pools(r).map((p) => [p.labels[POOL_KEY], p]));
        const coder = reveal(release(r, "coder").inputs.values) as Obj;
        const prov = reveal(release(r, "coder-provisioner").inputs.values) as Obj;
        const mi = (q: string) => Number(q.replace("Mi", ""));
        const m = (q: string) => Number(q.replace("m", ""));
        const fits = (pool: PoolFact, requests: Obj) => {
            const a = f.allocatable(pool);
            return Math.floor(Math.min(
                (a.cpuMillis - daemonSetAllowance(r.settings.cloud).cpuMillis) / m(requests.cpu),
                (a.memoryMiB - daemonSetAllowance(r.settings.cloud).memoryMiB) / mi(requests.memory)));
        };
        // coderd (a proxy region: its workspace proxies, 0 replicas until registered): one a node
        // (required anti-affinity), or as many as fit where the tier packs several (10k: 3 of
        // 4 vCPU on 16), plus room for a rollout's surge pod below 4 replicas
        const coderd = coder.coder;
        const replicas = r.proxy ? r.plan.proxy.replicas : coderd.replicaCount;
        const density = r.plan.pools.coderd.workload!.perNode;
        expect(fits(pools.coderd!, coderd.resources.requests)).toBeGreaterThanOrEqual(density);
        const antiAffinity = coderd.affinity.podAntiAffinity;
        if (density === 1) expect(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
        else expect(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
        const surge = replicas < 4 ? 1 : 0;
        // every replica's node always; the rollout's surge pod at least at the pool's maximum
        expect(pools.coderd!.minNodes * density).toBeGreaterThanOrEqual(replicas);
        expect(pools.coderd!.maxNodes * density).toBeGreaterThanOrEqual(replicas + surge);
        // provisioners: all replicas fit at the pool's maximum
        const perNode = fits(pools.provisioners!, prov.coder.resources.requests);
        expect(perNode * pools.provisioners!.maxNodes).toBeGreaterThanOrEqual(r.plan.provisioners.replicas);
        for (const p of Object.values(pools)) expect(p.maxPodsPerNode ?? 110).toBeGreaterThanOrEqual(30);
    });

    it("pools span every zone; coderd is static, provisioners and workspaces autoscale", async () => {
        const r = await render();
        for (const p of factsFor(r).pools(r)) {
            expect(p.zones.length ? p.zones : r.settings.zones).toEqual(r.settings.zones);
            expect(p.minNodes).toBeLessThanOrEqual(p.maxNodes);
            // static pools have a node in every zone
            if (!p.autoscaling) expect(p.minNodes).toBeGreaterThanOrEqual(r.settings.zones.length);
        }
        const byRole: Record<string, PoolFact> = Object.fromEntries(factsFor(r).pools(r).map((p) => [p.labels[POOL_KEY], p]));
        const coderdPods = (reveal(release(r, "coder").inputs.values) as Obj).coder;
        if (r.settings.cloud === "gcp") {
            // GKE counts totals only in autoscaling limits: a node a replica, at most one more for the
            // rollout's surge pod; static in Coder's sense, as scale-down never evicts coderd
            const replicas = r.proxy ? r.plan.proxy.replicas : coderdPods.replicaCount;
            expect(byRole.coderd!.minNodes).toBe(Math.ceil(replicas / r.plan.pools.coderd.workload!.perNode));
            expect(byRole.coderd!.maxNodes - byRole.coderd!.minNodes).toBeLessThanOrEqual(1);
            expect(coderdPods.podAnnotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]).toBe("false");
        } else {
            expect(byRole.coderd!.autoscaling).toBe(false);
            expect(byRole.coderd!.minNodes).toBe(byRole.coderd!.maxNodes);
        }
        expect(byRole.provisioners!.autoscaling).toBe(true);
        expect(byRole.workspaces!.autoscaling).toBe(true);
        expect(byRole.workspaces!.maxNodes).toBeGreaterThan(byRole.workspaces!.minNodes);
    });

    it("the database is HA, private, TLS-only, backed up and protected; a proxy region has none and dials none", async () => {
        const r = await render();
        if (r.proxy) {
            expect(r.resources.filter((x) => /sql\/databaseInstance|rds\/instance|servicenetworking|rds\/subnetGroup|dbforpostgresql|privatedns/.test(x.type)).map((x) => x.name)).toEqual([]);
            const proxyEnv = ((reveal(release(r, "coder").inputs.values) as Obj).coder.env as Obj[]).map((e) => e.name);
            expect(proxyEnv).not.toContain("CODER_PG_CONNECTION_URL");
            return;
        }
        const db = factsFor(r).database(r);
        expect(db.highAvailability).toBe(true);
        expect(db.privateOnly).toBe(true);
        expect(db.tlsRequired).toBe(true);
        expect(db.backups).toBe(true);
        expect(db.pointInTimeRecovery).toBe(true);
        expect(db.deletionProtection).toBe(r.settings.deletionProtection);
        expect(db.protect).toBe(r.settings.deletionProtection);
        // max_connections covers every coderd connection twice over (rollouts) plus reserved ones
        const coder = reveal(release(r, "coder").inputs.values) as Obj;
        const maxOpen = Number(coder.coder.env.find((e: Obj) => e.name === "CODER_PG_CONN_MAX_OPEN").value);
        expect(db.maxConnections).toBeGreaterThanOrEqual(coder.coder.replicaCount * maxOpen * 2);
    });

    it("secrets are secret", async () => {
        const r = await render();
        // Every Kubernetes Secret's data is secret.
        const secrets = ofType(r, "kubernetes:core/v1:Secret");
        // a proxy region before its proxy is registered holds none (no database, no pre-shared key, no token yet)
        expect(secrets.length).toBeGreaterThanOrEqual(r.proxy ? 0 : 3);
        for (const s of secrets) {
            const data = s.inputs.stringData;
            const values = isSecretValue(data) ? [data] : Object.values(data as Obj);
            for (const v of values) expect(isSecretValue(v), s.name).toBe(true);
        }
        // The cluster credentials are secret.
        const provider = one(r, "pulumi:providers:kubernetes");
        expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
        // No secret value appears anywhere in clear: not in Helm values, not in any input.
        const secretValues = r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword").map((x) => `mock-${x.name}`);
        expect(secretValues.length).toBeGreaterThanOrEqual(r.proxy ? 1 : 2);
        const clear = JSON.stringify(r.resources.map((x) => redact(x.inputs)));
        for (const v of secretValues) expect(clear).not.toContain(v);
        for (const rel of ofType(r, "kubernetes:helm.sh/v3:Release")) expect(JSON.stringify(rel.inputs.values)).not.toMatch(/postgres:\/\//);
    });

    it("sets only Helm values that exist in the charts' values files", async () => {
        const r = await render();
        for (const rel of ofType(r, "kubernetes:helm.sh/v3:Release")) {
            // checked with its subcharts' keys in test/observability.test.ts
            if (rel.inputs.chart === "coder-observability") continue;
            const chart = CHART_VALUES[rel.inputs.chart as string];
            expect(chart, String(rel.inputs.chart)).toBeDefined();
            expect(unknownKeys(reveal(rel.inputs.values), chart), String(rel.inputs.chart)).toEqual([]);
        }
    });

    it("coderd: external provisioners only, Prometheus on, access and wildcard URLs, PSK from a secret; a proxy region: the workspace proxy", async () => {
        const r = await render();
        if (r.proxy) {
            const values = reveal(release(r, "coder").inputs.values) as Obj;
            const env = Object.fromEntries(values.coder.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
            expect(values.coder.workspaceProxy).toBe(true);
            expect(env.CODER_ACCESS_URL).toBe(r.settings.accessUrl);
            expect(env.CODER_WILDCARD_ACCESS_URL).toBe(r.settings.wildcardAccessUrl);
            const primary = (await renderStackOnce(stack)).settings.accessUrl;
            expect(env.CODER_PRIMARY_ACCESS_URL).toBe(primary);
            expect(env.CODER_PROXY_SESSION_TOKEN).toEqual({ secretKeyRef: { name: "coder-workspace-proxy-session-token", key: "token" } });
            expect(env.CODER_PROMETHEUS_ENABLE).toBe("true");
            // not registered yet (no license in the shipped stacks): no proxy and no provisioner runs
            expect(values.coder.replicaCount).toBe(0);
            const prov = reveal(release(r, "coder-provisioner").inputs.values) as Obj;
            expect(prov.coder.replicaCount).toBe(0);
            expect(prov.coder.env.find((e: Obj) => e.name === "CODER_URL").value).toBe(primary);
            return;
        }
        const coder = reveal(release(r, "coder").inputs.values) as Obj;
        const env = Object.fromEntries(coder.coder.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
        expect(env.CODER_PROVISIONER_DAEMONS).toBe("0");
        expect(env.CODER_PROMETHEUS_ENABLE).toBe("true");
        expect(env.CODER_ACCESS_URL).toBe(r.settings.accessUrl);
        if (r.settings.wildcardAccessUrl) expect(env.CODER_WILDCARD_ACCESS_URL).toBe(r.settings.wildcardAccessUrl);
        expect(env.CODER_PG_CONNECTION_URL).toEqual({ secretKeyRef: { name: "coder-db-url", key: "url" } });
        expect(coder.provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
        // the certificate cert-manager issues where the stack has a zone and an ACME account
        expect(coder.coder.tls.secretNames).toEqual([...r.settings.tlsSecretNames, ...(r.settings.dnsZone && r.settings.acmeEmail ? ["coder-acme-tls"] : [])]);
        const prov = reveal(release(r, "coder-provisioner").inputs.values) as Obj;
        // no license in the shipped stacks: the provisioners wait (0 replicas) with the pre-shared key
        expect(prov.provisionerDaemon.pskSecretName).toBe("coder-provisioner-psk");
        expect(prov.coder.replicaCount).toBe(0);
        // coderd and provisioners live in different namespaces (seed 001: zero trust)
        expect(release(r, "coder").inputs.namespace).not.toBe(release(r, "coder-provisioner").inputs.namespace);
        // the PSK secret exists in both namespaces
        const pskNamespaces = ofType(r, "kubernetes:core/v1:Secret")
            .filter((s) => (s.inputs.metadata as Obj).name === "coder-provisioner-psk").map((s) => (s.inputs.metadata as Obj).namespace).sort();
        expect(pskNamespaces).toEqual([r.settings.namespaces.coder, r.settings.namespaces.provisioners].sort());
    });

    it("has a disruption budget for coderd and the provisioners", async () => {
        const r = await render();
        const pdbs = ofType(r, "kubernetes:policy/v1:PodDisruptionBudget").map((p) => (p.inputs.spec as Obj).selector.matchLabels);
        expect(pdbs).toContainEqual({ "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" });
        expect(pdbs).toContainEqual({ "app.kubernetes.io/name": "coder-provisioner", "app.kubernetes.io/instance": "coder-provisioner" });
    });

    it("lets provisioners build workspaces in the workspaces namespace only", async () => {
        const r = await render();
        const binding = one(r, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs as Obj;
        expect(binding.metadata.namespace).toBe(r.settings.namespaces.workspaces);
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "coder-provisioner", namespace: r.settings.namespaces.provisioners }]);
        // and no cluster-wide rights
        const clusterBindings = ofType(r, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((b) => b.inputs as Obj);
        for (const b of clusterBindings) expect(b.subjects.map((x: Obj) => x.name)).not.toContain("coder-provisioner");
    });

    it("every Kubernetes object it creates validates against the Kubernetes API schema", async () => {
        const r = await render();
        const objects = r.resources.filter((x) => x.custom && modelOf(x.type));
        expect(objects.length).toBeGreaterThanOrEqual(10);
        for (const o of objects) {
            const { module, kind } = modelOf(o.type)!;
            const mod = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
            const Model = mod[kind];
            expect(Model, `${module} ${kind}`).toBeDefined();
            const { compat: _compat, ...data } = reveal(o.inputs) as Obj;
            expect(() => new Model!(data).validate(), `${o.type} ${o.name}`).not.toThrow();
        }
    });

    it("protects stateful resources, with logical names that do not change with the tier", async () => {
        const r = await render();
        if (!r.proxy) expect(factsFor(r).database(r).protect).toBe(r.settings.deletionProtection);
        for (const x of r.resources) expect(x.name, x.type).not.toMatch(/\b\d+k\b/);
    });
});

/** A license-shaped JWT (header.claims.signature), for renders; never checked offline. */
const LICENSE = "eyJhbGciOiJFZERTQSJ9.eyJsaWNlbnNlX2V4cGlyZXMiOjB9.c2lnbmF0dXJl";

describe("tier stacks deploy the seeds' figures", () => {
    const tierStacks = STACKS.filter((s) => /-(1k|2k|3k)$/.test(s));
    it.each(tierStacks)("%s", async (stack) => {
        // with a license, so that the provisioners run (without one they wait at 0 replicas)
        const r = await renderConfig(stack, rawConfig(stack, { license: LICENSE }), ["coder-refarch:license"]);
        const seed = SEEDS[r.settings.tier];
        expect(r.settings.deletionProtection).toBe(true);
        const coder = reveal(release(r, "coder").inputs.values) as Obj;
        const prov = reveal(release(r, "coder-provisioner").inputs.values) as Obj;
        expect(coder.coder.replicaCount).toBe(seed.coderd.replicas);
        expect(prov.coder.replicaCount).toBe(seed.provisioners.replicas);
        if (seed.coderd.cpu) {
            expect(coder.coder.resources.requests.cpu).toBe(seed.coderd.cpu);
            expect(coder.coder.resources.limits).toEqual(coder.coder.resources.requests);
        }
        if (seed.coderdDecision) {
            expect(coder.coder.resources.requests.cpu).toBe(seed.coderdDecision.requests.cpu);
            expect(coder.coder.resources.limits.cpu).toBe(seed.coderdDecision.limits.cpu);
        }
        const pools: Record<string, PoolFact> = Object.fromEntries(factsFor(r).pools(r).map((p) => [p.labels[POOL_KEY], p]));
        for (const role of ["coderd", "provisioners", "workspaces"] as const) {
            const want = seed.pools[role];
            if (!want) continue;
            expect(pools[role]!.maxNodes, role).toBeGreaterThanOrEqual(want.nodes);
            // rounded up to whole nodes in each zone, never more than one extra a zone
            expect(pools[role]!.maxNodes, role).toBeLessThan(want.nodes + r.settings.zones.length + (role === "coderd" ? r.settings.zones.length : 0));
        }
        const db = factsFor(r).database(r);
        const seedGb = seed.database.storage ? Number.parseFloat(seed.database.storage) * 1000 : undefined;
        if (seedGb && r.settings.cloud === "azure") {
            // the smallest Flexible Server size (GiB) that holds the seed's GB
            expect(db.storageGb).toBe(FLEXIBLE_SERVER_SIZES_GIB.find((g) => g * 2 ** 30 >= seedGb * 1e9));
        } else if (seedGb) expect(db.storageGb).toBe(seedGb);
    });
});

describe("the checks above can fail", () => {
    it("the Kubernetes schema check rejects a malformed object", async () => {
        const { PodDisruptionBudget } = await import("kubernetes-models/policy/v1/PodDisruptionBudget");
        const bad = new PodDisruptionBudget({ metadata: { name: "x" }, spec: { maxUnavailable: { n: 1 } as never } });
        expect(() => bad.validate()).toThrow();
    });

    it("the Helm values check reports a key the chart does not have", () => {
        expect(unknownKeys({ coder: { replicaCount: 1, podDisruptionBudget: { minAvailable: 1 } } }, CHART_VALUES.coder))
            .toEqual(["coder.podDisruptionBudget"]);
        expect(unknownKeys({ coder: { serviceAccount: { workspaceNamespaces: [] } } }, CHART_VALUES["coder-provisioner"]))
            .toEqual(["coder.serviceAccount.workspaceNamespaces"]);
    });

    it("the placement check sees a pod without tolerations match only the system pool", async () => {
        const r = await renderStackOnce("gcp-3k");
        const pools = factsFor(r).pools(r);
        expect(poolsFor({ what: "x", role: "", nodeSelector: {}, tolerations: [] }, pools).map((p) => p.labels[POOL_KEY])).toEqual(["system"]);
        expect(poolsFor({ what: "x", role: "", nodeSelector: { [POOL_KEY]: "coderd" }, tolerations: [] }, pools)).toEqual([]);
    });
});

describe("first rollout", () => {
    it.each(STACKS)("%s: the pools start with room for every coderd and provisioner replica", async (stack) => {
        const r = await renderStackOnce(stack);
        for (const role of ["coderd", "provisioners"] as const) {
            const p = r.plan.pools[role];
            // GKE starts a pool with the same count in every zone, never above its maximum: where the
            // replicas need a node or two more than a multiple of the zones, one scale-up adds them
            const short = r.settings.cloud === "gcp" ? r.settings.zones.length - 1 : 0;
            expect((p.initial.total + short) * p.workload!.perNode, `${stack} ${role}`).toBeGreaterThanOrEqual(p.workload!.replicas);
            expect(p.initial.total).toBeLessThanOrEqual(p.total.max);
            if (r.settings.cloud !== "gcp") expect(p.initial.total).toBeGreaterThanOrEqual(p.total.min);
        }
        expect(r.plan.pools.workspaces.initial.total).toBe(r.plan.pools.workspaces.total.min);
    });
});

/** The ports Coder's charts open on coderd (helm/coder/templates/_coder.tpl): http, https with TLS, prometheus-http. */
function coderContainerPorts(values: Obj): number[] {
    const env = Object.fromEntries((values.coder.env as Obj[]).map((e) => [e.name, e.value]));
    return [8080, ...(values.coder.tls?.secretNames?.length ? [8443] : []), ...(env.CODER_PROMETHEUS_ENABLE === "true" ? [2112] : [])].sort();
}

describe("network policies admit what the charts serve", () => {
    it.each(REGIONS)("%s: coderd's ingress ports are the chart's container ports", async (stack) => {
        const r = await renderRegion(stack);
        const values = reveal(release(r, "coder").inputs.values) as Obj;
        const policy = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => (p.inputs.metadata as Obj).namespace === r.settings.namespaces.coder)!.inputs as Obj;
        // TCP: the container ports; UDP is the tailnet's, on ports of its own choosing.
        const ports = policy.spec.ingress.flatMap((rule: Obj) => rule.ports.filter((p: Obj) => p.protocol === "TCP").map((p: Obj) => p.port)).sort();
        expect(ports).toEqual(coderContainerPorts(values));
    });
});

describe("HTTPS at coderd", () => {
    // A real pair for coder.example.com and *.coder.example.com (test/fixtures/tls): the program checks the PEM.
    const read = (f: string) => fs.readFileSync(path.join(__dirname, "fixtures/tls", f), "utf8");
    // a certificate of one's own instead of the shipped stacks' cert-manager one
    const pem = { tlsCertificate: read("coder.crt"), tlsPrivateKey: read("coder.key"), dnsZone: "", acmeEmail: "" };
    /** a piece of the key's base64 body, to look for in clear */
    const keyBody = pem.tlsPrivateKey.split("\n")[1]!.slice(0, 40);
    const secretKeys = ["coder-refarch:tlsCertificate", "coder-refarch:tlsPrivateKey"];

    it("a certificate from config becomes a kubernetes.io/tls Secret coderd serves, before the release, with 8443 open", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", pem), secretKeys);
        const tls = ofType(r, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as Obj).name === "coder-tls")!;
        expect(tls.inputs.type).toBe("kubernetes.io/tls");
        expect(isSecretValue(tls.inputs.stringData)).toBe(true);
        expect(reveal(tls.inputs.stringData)).toEqual({ "tls.crt": pem.tlsCertificate, "tls.key": pem.tlsPrivateKey });
        const { Secret } = await import("kubernetes-models/v1/Secret");
        expect(() => new Secret(reveal(tls.inputs) as never).validate()).not.toThrow();
        const coder = release(r, "coder");
        expect((reveal(coder.inputs.values) as Obj).coder.tls.secretNames).toEqual(["coder-tls"]);
        expect(coder.dependsOn).toContain(tls.name);
        const clear = JSON.stringify(r.resources.map((x) => redact(x.inputs)));
        expect(keyBody.length).toBe(40);
        expect(clear).not.toContain(keyBody);
        const policy = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name.endsWith("netpol-coderd"))!.inputs as Obj;
        expect(policy.spec.ingress[0].ports.map((p: Obj) => p.port)).toContain(8443);
    });

    it("needs both the certificate and the key", async () => {
        const registered: string[] = [];
        await expect(renderConfig("gcp-3k", rawConfig("gcp-3k", { tlsCertificate: pem.tlsCertificate }), secretKeys, registered))
            .rejects.toThrow(/coder-refarch:tlsPrivateKey: missing; set both tlsCertificate and tlsPrivateKey, or neither/);
        expect(registered).toEqual([]);
    });

    it("an https access URL that nothing serves is a config error naming the ways to serve it", async () => {
        const registered: string[] = [];
        await expect(renderConfig("gcp-3k", rawConfig("gcp-3k", { dnsZone: "", acmeEmail: "" }), [], registered))
            .rejects.toThrow(/coder-refarch:accessUrl: https, but nothing serves HTTPS: set coder-refarch:dnsZone and coder-refarch:acmeEmail/);
        expect(registered).toEqual([]);
    });
});

describe("workspaces run users' code: what they may reach", () => {
    const within = (inner: string, outer: string) => {
        const a = cidrRange(inner);
        const b = cidrRange(outer);
        return a.first >= b.first && a.last <= b.last;
    };

    it.each(REGIONS)("%s: coderd, DNS and the internet, but not the database or the metadata service", async (stack) => {
        const r = await renderRegion(stack);
        const spec = (ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => (p.inputs.metadata as Obj).namespace === r.settings.namespaces.workspaces)!.inputs as Obj).spec;
        expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
        const coderdPods = { "app.kubernetes.io/name": "coder", "app.kubernetes.io/instance": "coder" };
        // nothing dials in but coderd's tailnet, over UDP (test/k8s-layer.test.ts)
        expect(spec.ingress.map((rule: Obj) => [rule.from.map((f: Obj) => f.podSelector.matchLabels), rule.ports])).toEqual([[[coderdPods], [{ protocol: "UDP" }]]]);
        const toCoderd = spec.egress.find((rule: Obj) => rule.ports?.some((p: Obj) => p.protocol === "TCP" && p.port === 8080));
        const toDns = spec.egress.find((rule: Obj) => rule.to.some((t: Obj) => t.podSelector?.matchLabels?.["k8s-app"] === "kube-dns"));
        const toInternet = spec.egress.at(-1);
        expect(toCoderd.to[0].podSelector.matchLabels).toEqual(coderdPods);
        expect(toCoderd.to[0].namespaceSelector.matchExpressions[0].values).toEqual([r.settings.namespaces.coder]);
        expect(toDns.to[0].podSelector.matchLabels).toEqual({ "k8s-app": "kube-dns" });
        expect(toDns.ports.map((p: Obj) => `${p.protocol}/${p.port}`).sort()).toEqual(["TCP/53", "UDP/53"]);
        // only the last rule reaches beyond the cluster's pods and DNS, and only it has no ports
        expect(toInternet.ports).toBeUndefined();
        expect(spec.egress.filter((rule: Obj) => !rule.ports)).toEqual([toInternet]);
        const blocked: string[] = toInternet.to[0].ipBlock.except;
        expect(toInternet.to[0].ipBlock.cidr).toBe("0.0.0.0/0");
        expect(blocked).toContain("169.254.169.254/32");
        // a proxy region has no database of its own (the primary's is in another network)
        for (const db of r.proxy ? [] : factsFor(r).databaseRanges(r)) {
            expect(blocked.some((b) => within(db, b)), `${db} in ${blocked.join(", ")}`).toBe(true);
        }
        for (const api of factsFor(r).controlPlaneRanges(r)) {
            expect(blocked.some((b) => within(api, b)), `control plane ${api} in ${blocked.join(", ")}`).toBe(true);
        }
    });

    it.each(REGIONS)("%s: metrics only from the monitoring namespaces", async (stack) => {
        const r = await renderRegion(stack);
        for (const ns of [r.settings.namespaces.coder, r.settings.namespaces.provisioners]) {
            const spec = (ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .find((p) => (p.inputs.metadata as Obj).namespace === ns)!.inputs as Obj).spec;
            const metricsRules = spec.ingress.filter((rule: Obj) => rule.ports.some((p: Obj) => p.port === 2112));
            expect(metricsRules).toHaveLength(1);
            expect(metricsRules[0].ports).toEqual([{ protocol: "TCP", port: 2112 }]);
            // and the observability bundle's collector where the region runs one (2k up)
            const observed = ofType(r, "kubernetes:helm.sh/v3:Release").some((x) => x.inputs.chart === "coder-observability");
            expect(metricsRules[0].from[0].namespaceSelector.matchExpressions[0].values)
                .toEqual([...r.settings.metricsNamespaces, ...(observed ? ["coder-observability"] : [])]);
        }
    });

    it.each(REGIONS)("%s: workspace volumes get the default StorageClass", async (stack) => {
        const r = await renderRegion(stack);
        const sc = one(r, "kubernetes:storage.k8s.io/v1:StorageClass").inputs as Obj;
        expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
        expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
    });
});
