/** What is GCP-specific: GKE cluster settings, node pools, Cloud SQL and the known traps. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Settings, validateConfig } from "../config";
import { REQUIRED_APIS } from "../components/gcp/apis";
import { GKE_MAINTENANCE_START, GkeCluster } from "../components/gcp/cluster";
import { GcpPlatform } from "../components/gcp/platform";
import { MAX_SURGE_NODES, poolRollout } from "../components/gcp/rollout";
import { gkeClusterName, serviceAccountId } from "../components/gcp/names";
import { GCP_NAT } from "../tiers";
import { cloudReader } from "../components/network-check";
import { loadPlan } from "../program";
import { computed as mockOutputs, renderConfig, reveal } from "../preview/render";
import { readStackConfig } from "../preview/stack-config";
import { buildPlan } from "../sizing";
import { Machine, NODE_PROFILES } from "../tiers";
import { NODE_DISK_DECISION } from "./fixtures/seeds";
import { POOL_KEY, STACKS, one, ofType, rawConfig, render as renderAll } from "./helpers";

/**
 * A stack's primary region: a proxy region's resources (named `coder-<region name>-...` by the
 * program) are left out; each region's platform is tested on its own below.
 */
async function render(stack: string) {
    const r = await renderAll(stack);
    const ids = (r.settings.proxyRegions ?? []).map((p) => `coder-${p.name}-`);
    return ids.length ? { ...r, resources: r.resources.filter((x) => !ids.some((id) => x.name.startsWith(id))) } : r;
}

type Obj = Record<string, any>;
const gcpStacks = STACKS.filter((s) => s === "dev" || s.startsWith("gcp-"));

/** The DNS-based endpoint GKE gives a cluster (an output only the real API computes). */
const DNS_ENDPOINT = "gke-0123456789abcdef0123456789abcdef0123-123456789012.us-east1.gke.goog";

/**
 * The stack's GKE cluster alone, under mocks that also answer the cluster's DNS endpoint:
 * its kubeconfig and every resource's options (timeouts are options, not inputs).
 */
async function renderGke(stack: string): Promise<{ kubeconfig: Obj; opts: Map<string, pulumi.CustomResourceOptions> }> {
    const raw = rawConfig(stack);
    const { secretKeys } = readStackConfig(stack);
    pulumi.runtime.setMocks({
        newResource: (a) => {
            const inputs = (a.inputs ?? {}) as Obj;
            const out = mockOutputs(a.type, a.name, inputs);
            if (a.type === "gcp:container/cluster:Cluster") {
                const endpoints = (inputs.controlPlaneEndpointsConfig ?? {}) as Obj;
                out.controlPlaneEndpointsConfig = { ...endpoints, dnsEndpointConfig: { ...endpoints.dnsEndpointConfig, endpoint: DNS_ENDPOINT } };
            }
            return { id: `${a.name}-id`, state: { ...inputs, ...out } };
        },
        call: (a) => { throw new Error(`no mock for the call ${a.token}`); },
    }, "coder-refarch", stack, false);
    pulumi.runtime.setAllConfig(raw, secretKeys);
    const { settings: s, plan } = await loadPlan(raw, stack, secretKeys, cloudReader(() => false));
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const gke = new GkeCluster("coder-gcp-gke", {
        project: s!.gcpProject!, region: s!.region, network: "projects/p/global/networks/n", subnet: "projects/p/regions/r/subnetworks/s",
        podRangeName: "pods", serviceRangeName: "services", pools: plan!.pools, clusterName: s!.prefix, releaseChannel: s!.gkeReleaseChannel,
        kubernetesVersion: s!.kubernetesVersion, controlPlaneCidr: s!.controlPlaneCidr, apiAuthorizedNetworks: s!.apiAuthorizedNetworks,
        deletionProtection: s!.deletionProtection,
    }, { transformations: [(a) => { opts.set(`${a.type}::${a.name}`, a.opts); return undefined; }] });
    const kubeconfig = await new Promise<string>((resolve) => gke.kubeconfig.apply(resolve));
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { kubeconfig: JSON.parse(kubeconfig) as Obj, opts };
}

/** Hours of the week (0 = Monday 00:00 UTC) a window covers. */
function weekHours(daily: { start: string; hours: number } | { day: number; hour: number; hours: number }): Set<number> {
    const out = new Set<number>();
    const add = (from: number, hours: number) => { for (let h = 0; h < hours; h++) out.add((from + h) % (7 * 24)); };
    if ("start" in daily) for (let d = 0; d < 7; d++) add(d * 24 + Number(daily.start.split(":")[0]), daily.hours);
    else add((daily.day - 1) * 24 + daily.hour, daily.hours);
    return out;
}

describe.each(gcpStacks)("GCP stack %s", (stack) => {
    it("regional GKE: private nodes, Workload Identity, release channel, Dataplane V2, no default pool", async () => {
        const r = await render(stack);
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.location).toBe(r.settings.region);
        expect(c.removeDefaultNodePool).toBe(true);
        expect(c.privateClusterConfig).toMatchObject({ enablePrivateNodes: true, masterIpv4CidrBlock: r.settings.controlPlaneCidr });
        expect(c.workloadIdentityConfig).toEqual({ workloadPool: `${r.settings.gcpProject}.svc.id.goog` });
        expect(c.releaseChannel).toEqual({ channel: r.settings.gkeReleaseChannel });
        // Dataplane V2 enforces NetworkPolicy
        expect(c.datapathProvider).toBe("ADVANCED_DATAPATH");
        expect(c.networkingMode).toBe("VPC_NATIVE");
        // an internal load balancer reaches more than 250 nodes only with GKE subsetting
        expect(c.enableL4IlbSubsetting).toBe(true);
        expect(c.deletionProtection).toBe(r.settings.deletionProtection);
        expect(c.name).toBe(`coder-${stack}`);
        expect(ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").length).toBe(3);
    });

    it("node pools: total counts over the stack's zones (the system pool one a zone), labels and NO_SCHEDULE taints, metadata server, own service account", async () => {
        const r = await render(stack);
        for (const p of ofType(r, "gcp:container/nodePool:NodePool")) {
            const i = p.inputs as Obj;
            const role = i.nodeConfig.labels[POOL_KEY] as keyof typeof r.plan.pools;
            const plan = r.plan.pools[role];
            expect(i.nodeLocations).toEqual(r.settings.zones);
            if (role === "system") {
                expect(i.nodeCount).toBe(1);
                expect(i.autoscaling).toBeUndefined();
            } else {
                // totals, not per-zone limits: the plan's counts are what is deployed
                expect(i.autoscaling).toEqual({ totalMinNodeCount: plan.total.min, totalMaxNodeCount: plan.total.max, locationPolicy: "BALANCED" });
                expect(i.initialNodeCount).toBe(plan.initial.perZone);
                expect(i.initialNodeCount * r.settings.zones.length).toBeLessThanOrEqual(plan.total.max);
                expect(i.nodeCount).toBeUndefined();
                expect(p.ignoreChanges).toContain("initialNodeCount");
            }
            expect(i.maxPodsPerNode).toBe(plan.maxPodsPerNode);
            expect(i.nodeConfig.taints).toEqual(role === "system" ? [] : [{ key: POOL_KEY, value: role, effect: "NO_SCHEDULE" }]);
            expect(i.nodeConfig.workloadMetadataConfig).toEqual({ mode: "GKE_METADATA" });
            expect(i.nodeConfig.serviceAccount).toMatch(/@.*\.iam\.gserviceaccount\.com$/);
            expect(i.management).toEqual({ autoRepair: true, autoUpgrade: true });
            expect(i.nodeConfig.diskSizeGb).toBe(NODE_DISK_DECISION[role]);
            // N4 takes Hyperdisk only
            if (String(i.nodeConfig.machineType).startsWith("n4-")) expect(i.nodeConfig.diskType).toBe("hyperdisk-balanced");
            else expect(i.nodeConfig.diskType).not.toBe("hyperdisk-balanced");
        }
    });

    it("Cloud SQL: ENTERPRISE edition for db-custom tiers, private IP through service networking, TLS via sslMode", async () => {
        const r = await render(stack);
        const db = one(r, "gcp:sql/databaseInstance:DatabaseInstance");
        const s = (db.inputs as Obj).settings as Obj;
        expect(s.edition).toBe("ENTERPRISE");
        expect(s.tier).toMatch(/^db-custom-/);
        expect((db.inputs as Obj).databaseVersion).toBe(`POSTGRES_${r.settings.databaseVersion}`);
        expect(s.ipConfiguration.sslMode).toBe("ENCRYPTED_ONLY");
        expect(s.ipConfiguration).not.toHaveProperty("requireSsl");
        expect(db.dependsOn).toContain("coder-gcp-net-psa");
        expect(db.ignoreChanges).toContain("settings.diskSize");
        expect(s.backupConfiguration.transactionLogRetentionDays).toBeGreaterThanOrEqual(7);
        const psa = one(r, "gcp:compute/globalAddress:GlobalAddress").inputs as Obj;
        expect(psa).toMatchObject({ purpose: "VPC_PEERING", addressType: "INTERNAL" });
        // the database URL coderd reads requires TLS
        const url = reveal(ofType(r, "kubernetes:core/v1:Secret").find((x) => x.name.endsWith("db-url"))!.inputs.stringData) as Obj;
        expect(url.url).toMatch(/^postgres:\/\/coder:[^@]+@\d+\.\d+\.\d+\.\d+:5432\/coder\?sslmode=require$/);
    });

    it("enables the APIs it needs and never disables them", async () => {
        const r = await render(stack);
        const apis = ofType(r, "gcp:projects/service:Service").map((s) => s.inputs as Obj);
        expect(apis.map((a) => a.service)).toEqual(expect.arrayContaining([
            "container.googleapis.com", "sqladmin.googleapis.com", "servicenetworking.googleapis.com", "compute.googleapis.com",
        ]));
        for (const a of apis) expect(a.disableOnDestroy).toBe(false);
    });

    it("private nodes reach the internet through Cloud NAT; the subnet carries pod and service ranges", async () => {
        const r = await render(stack);
        expect(one(r, "gcp:compute/routerNat:RouterNat").inputs.sourceSubnetworkIpRangesToNat).toBe("ALL_SUBNETWORKS_ALL_IP_RANGES");
        const subnet = one(r, "gcp:compute/subnetwork:Subnetwork").inputs as Obj;
        expect(subnet.ipCidrRange).toBe(r.settings.nodeCidr);
        expect(subnet.secondaryIpRanges.map((x: Obj) => x.ipCidrRange)).toEqual([r.settings.podCidr, r.settings.serviceCidr]);
    });

    it("the nodes' service account has GKE's node role and image pulls, nothing else, and the default pool runs as it too", async () => {
        const r = await render(stack);
        const members = ofType(r, "gcp:projects/iAMMember:IAMMember").filter((m) => String((m.inputs as Obj).member).includes("-nodes@"));
        expect(members.map((m) => (m.inputs as Obj).role).sort()).toEqual(["roles/artifactregistry.reader", "roles/container.defaultNodeServiceAccount"]);
        const cluster = one(r, "gcp:container/cluster:Cluster");
        const account = ofType(r, "gcp:serviceaccount/account:Account").map((x) => (x.inputs as Obj).accountId).find((id) => id.endsWith("-nodes"));
        // the temporary default pool: not the Compute Engine default account
        expect((cluster.inputs as Obj).nodeConfig).toEqual({
            serviceAccount: `${account}@mock-project.iam.gserviceaccount.com`,
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        });
        for (const m of members) expect(cluster.dependsOn).toContain(m.name);
        // GKE reports the first remaining pool's configuration there: no diff may replace the cluster
        expect(cluster.ignoreChanges).toContain("nodeConfig");
    });

    it("control plane: the DNS endpoint for every client; the IP endpoint admits only the listed networks, never Google Cloud's public ranges", async () => {
        const r = await render(stack);
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.controlPlaneEndpointsConfig).toEqual({ dnsEndpointConfig: { allowExternalTraffic: true } });
        // none listed in the stack: no outside network reaches the IP endpoint
        expect(r.settings.apiAuthorizedNetworks).toEqual([]);
        expect(c.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [], gcpPublicCidrsAccessEnabled: false });
    });

    it("Cloud NAT: dynamic port allocation, 1,024 to 32,768 ports a node, errors logged", async () => {
        const r = await render(stack);
        const nat = one(r, "gcp:compute/routerNat:RouterNat").inputs as Obj;
        expect(nat).toMatchObject({
            enableDynamicPortAllocation: true, minPortsPerVm: 1024, maxPortsPerVm: 32768, enableEndpointIndependentMapping: false,
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        });
        // routerNat.d.ts: powers of two, the maximum above the minimum
        for (const n of [GCP_NAT.minPortsPerVm, GCP_NAT.maxPortsPerVm]) expect(Math.log2(n) % 1).toBe(0);
        expect(GCP_NAT.maxPortsPerVm).toBeGreaterThan(GCP_NAT.minPortsPerVm);
    });

    it("private services access: the stack's range, pinned and known at preview; the connection updates an existing one", async () => {
        const r = await render(stack);
        const [address, prefix] = r.settings.privateServicesCidr.split("/");
        expect(one(r, "gcp:compute/globalAddress:GlobalAddress").inputs).toMatchObject({ address, prefixLength: Number(prefix) });
        const psa = one(r, "gcp:servicenetworking/connection:Connection").inputs as Obj;
        expect(psa).toMatchObject({ updateOnCreationFail: true, deletionPolicy: "ABANDON" });
        // workspaces' egress keeps out of the range: the configured one, not one GCP picks
        const policies = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => JSON.stringify(p.inputs));
        expect(policies.some((p) => p.includes(`"${r.settings.privateServicesCidr}"`))).toBe(true);
    });

    it("Cloud SQL: primary in the first zone, standby in the second; maintenance, backups and GKE's window never overlap", async () => {
        const r = await render(stack);
        const s = (one(r, "gcp:sql/databaseInstance:DatabaseInstance").inputs as Obj).settings as Obj;
        expect(s.locationPreference).toEqual({ zone: r.settings.zones[0], secondaryZone: r.settings.zones[1] });
        const gke = (one(r, "gcp:container/cluster:Cluster").inputs as Obj).maintenancePolicy.dailyMaintenanceWindow.startTime;
        expect(gke).toBe(GKE_MAINTENANCE_START);
        const windows = [
            weekHours({ day: s.maintenanceWindow.day, hour: s.maintenanceWindow.hour, hours: 1 }), // Cloud SQL: an hour
            weekHours({ start: s.backupConfiguration.startTime, hours: 4 }), // a backup starts within 4 hours
            weekHours({ start: gke, hours: 4 }), // GKE's daily window lasts 4 hours
        ];
        for (const [i, a] of windows.entries()) {
            for (const b of windows.slice(i + 1)) expect([...a].filter((h) => b.has(h))).toEqual([]);
        }
    });

    it("bounded node rollouts: coderd one node at a time; large pools surge a fifth of a zone; nothing unavailable", async () => {
        const r = await render(stack);
        for (const p of ofType(r, "gcp:container/nodePool:NodePool")) {
            const i = p.inputs as Obj;
            const plan = r.plan.pools[i.nodeConfig.labels[POOL_KEY] as keyof typeof r.plan.pools];
            const rollout = poolRollout(plan);
            expect(i.upgradeSettings).toEqual({ maxSurge: rollout.maxSurge, maxUnavailable: 0, strategy: "SURGE" });
            if (plan.role === "coderd" || plan.role === "system") expect(rollout.maxSurge).toBe(1);
            else {
                expect(rollout.maxSurge).toBe(Math.min(MAX_SURGE_NODES, Math.max(1, Math.ceil(plan.perZone.max / 5))));
                // at most five batches a zone while the cap does not bind
                expect(Math.ceil(plan.perZone.max / rollout.maxSurge)).toBeLessThanOrEqual(5);
            }
        }
    });
});

describe("coderd's autoscaled pool stays static for coderd", () => {
    it.each(gcpStacks)("%s: coderd's pods are not evictable, so scale-down removes only the empty surge node", async (stack) => {
        const r = await render(stack);
        const values = reveal(ofType(r, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.chart === "coder")!.inputs.values) as Obj;
        expect(values.coder.podAnnotations).toMatchObject({ "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" });
        const pool = r.plan.pools.coderd;
        // the minimum holds every replica (one a node); only the surge slot is above it
        expect(pool.total.min).toBe(Math.ceil(pool.workload!.replicas / pool.workload!.perNode));
        expect(pool.total.max - pool.total.min).toBeLessThanOrEqual(1);
    });
});

describe("bounded node rollouts", () => {
    it("3k: the 256-node workspace pool surges 18 a zone, not 1", async () => {
        const r = await render("gcp-3k");
        const ws = ofType(r, "gcp:container/nodePool:NodePool").find((p) => (p.inputs as Obj).nodeConfig.labels[POOL_KEY] === "workspaces")!;
        expect((ws.inputs as Obj).upgradeSettings.maxSurge).toBe(18);
    });

    it("Pulumi waits for a full pool's surge rollout, past the provider's 30 minutes", async () => {
        const { opts } = await renderGke("gcp-3k");
        const timeout = (role: string) => opts.get(`gcp:container/nodePool:NodePool::coder-gcp-gke-${role}`)?.customTimeouts?.update;
        // 3 zones x 5 batches x 15 minutes
        expect(timeout("workspaces")).toBe("225m");
        expect(timeout("provisioners")).toBe("135m");
        expect(timeout("coderd")).toBe("90m");
        expect(timeout("system")).toBe("45m");
    });
});

describe("GKE node reservations", () => {
    const machine = (memoryGiB: number): Machine => ({ name: "x", vcpu: 1, memoryGiB, burstable: false, arch: "x86_64" } as Machine);
    it("255 MiB below 1 GiB of memory, plus 100 MiB for eviction (GKE's node sizing)", () => {
        expect(NODE_PROFILES.gcp.reserved(machine(0.6), 110).memoryMiB).toBe(255 + 100);
    });
    it("25% of the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% above, plus 100 MiB", () => {
        expect(NODE_PROFILES.gcp.reserved(machine(32), 110).memoryMiB).toBe(Math.ceil(1024 + 819.2 + 819.2 + 983.04) + 100);
        expect(NODE_PROFILES.gcp.reserved(machine(32), 110).cpuMillis).toBe(60);
    });
});

describe("the nodes' service account ID", () => {
    it("differs for two stacks whose names share their first 23 characters, and is a valid ID", () => {
        const a = serviceAccountId("coder-staging-europe-west1-3k-a", "nodes");
        const b = serviceAccountId("coder-staging-europe-west1-3k-b", "nodes");
        expect(a).not.toBe(b);
        for (const id of [a, b, serviceAccountId("coder-dev", "nodes"), serviceAccountId("coder-gcp-3k", "acme")]) {
            expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
        }
        // stable: the same name, the same account
        expect(serviceAccountId("coder-dev", "nodes")).toBe(serviceAccountId("coder-dev", "nodes"));
    });
});

describe("GKE options", () => {
    it("restricts the API endpoint to the authorized networks", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { apiAuthorizedNetworks: ["203.0.113.0/24"] }));
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.masterAuthorizedNetworksConfig).toEqual({
            cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "203.0.113.0/24" }], gcpPublicCidrsAccessEnabled: false,
        });
    });

    it("opens the IP endpoint to all only when the stack lists 0.0.0.0/0", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { apiAuthorizedNetworks: ["0.0.0.0/0"] }));
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.masterAuthorizedNetworksConfig.cidrBlocks).toEqual([{ cidrBlock: "0.0.0.0/0", displayName: "0.0.0.0/0" }]);
    });

    it("Cloud SQL without HA: a preferred zone, no standby zone", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { sizing: { database: { highAvailability: false } } }));
        const s = (one(r, "gcp:sql/databaseInstance:DatabaseInstance").inputs as Obj).settings as Obj;
        expect(s.locationPreference).toEqual({ zone: r.settings.zones[0] });
    });

    it("gives N4 workspace nodes a Hyperdisk StorageClass", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { sizing: { pools: { workspaces: { machineType: "n4-standard-8" } } } }));
        const sc = one(r, "kubernetes:storage.k8s.io/v1:StorageClass").inputs as Obj;
        expect(sc.parameters).toEqual({ type: "hyperdisk-balanced" });
        expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
    });
});

describe("the Kubernetes provider", () => {
    it("reaches GKE at its DNS endpoint (a public CA's certificate: no cluster CA), with Application Default Credentials", async () => {
        const { kubeconfig: kc } = await renderGke("gcp-3k");
        // as `gcloud container clusters get-credentials --dns-endpoint` writes it
        expect(kc.clusters[0].cluster).toEqual({ server: `https://${DNS_ENDPOINT}` });
        // one identity: the plugin takes ADC, as pulumi-gcp does, not gcloud's active account
        expect(kc.users[0].user.exec).toMatchObject({
            apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin", args: ["--use_application_default_credentials"],
        });
    });

    it("never at the IP endpoint, which may admit no outside network", async () => {
        const r = await render("gcp-3k");
        const kc = JSON.parse(reveal(one(r, "pulumi:providers:kubernetes").inputs.kubeconfig) as string);
        expect(kc.clusters[0].cluster.server).not.toBe("https://203.0.113.10");
        expect(kc.clusters[0].cluster).not.toHaveProperty("certificate-authority-data");
    });
});

/** A registration as the mocks saw it, and as the platform that registered it asked for it. */
interface Registered { type: string; name: string; inputs: Obj; dependsOn: pulumi.Resource[]; resource: pulumi.Resource }

/**
 * gcp-3k's primary platform and a proxy region's platform (us-east1, its own prefix and
 * hosts, the primary's APIs) in one stack under mocks, each platform's resources apart.
 */
async function renderRegions() {
    const stack = "gcp-3k";
    const raw = rawConfig(stack);
    const inputs = new Map<string, Obj>();
    pulumi.runtime.setMocks({
        newResource: (a) => {
            const i = (a.inputs ?? {}) as Obj;
            inputs.set(`${a.type}::${a.name}`, i);
            return { id: `${a.name}-id`, state: { ...i, ...mockOutputs(a.type, a.name, i) } };
        },
        call: (a) => { throw new Error(`no mock for the call ${a.token}`); },
    }, "coder-refarch", stack, false);
    pulumi.runtime.setAllConfig(raw);
    const settings = validateConfig(raw, stack);
    const proxySettings: Settings = {
        ...settings,
        region: "us-east1",
        zones: ["us-east1-b", "us-east1-c", "us-east1-d"],
        prefix: `${settings.prefix}-useast`,
        accessUrl: "https://us.coder.example.com",
        wildcardAccessUrl: "*.us.coder.example.com",
        network: {},
    };
    const seen = { primary: [] as Registered[], proxy: [] as Registered[] };
    const capture = (into: Registered[]): pulumi.ResourceTransformation => (a) => {
        into.push({ type: a.type, name: a.name, inputs: {}, dependsOn: ([] as pulumi.Resource[]).concat((a.opts.dependsOn ?? []) as pulumi.Resource[]), resource: a.resource });
        return undefined;
    };
    const primary = new GcpPlatform("coder-gcp", { settings, plan: buildPlan(settings) }, { transformations: [capture(seen.primary)] });
    const proxy = new GcpPlatform("coder-useast-gcp", {
        settings: proxySettings, plan: buildPlan(proxySettings), role: "proxy", apis: primary.apis,
    }, { transformations: [capture(seen.proxy)] });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    for (const r of [...seen.primary, ...seen.proxy]) r.inputs = inputs.get(`${r.type}::${r.name}`) ?? {};
    return { settings, proxySettings, primary, proxy, seen };
}

/** The name a resource has in the cloud: the one the program gives it, or the mocks' auto-name. */
const physicalName = (r: Registered): string => String(r.inputs.accountId ?? r.inputs.name ?? `${r.name}-mock`);

describe("a proxy region's platform (GCP)", () => {
    // Rendered when the block runs, not when it is collected: Pulumi's mocks are global, and
    // the renders of the blocks above must be done.
    let regions: ReturnType<typeof renderRegions>;
    beforeAll(() => { regions = renderRegions(); });

    it("creates no Cloud SQL, no private services access and no project API of its own", async () => {
        const { proxy, seen } = await regions;
        const types = new Set(seen.proxy.map((r) => r.type));
        for (const t of ["gcp:sql/databaseInstance:DatabaseInstance", "gcp:sql/database:Database", "gcp:sql/user:User",
            "gcp:compute/globalAddress:GlobalAddress", "gcp:servicenetworking/connection:Connection", "gcp:projects/service:Service",
            "random:index/randomPassword:RandomPassword"]) {
            expect(types.has(t), t).toBe(false);
        }
        expect(proxy.database).toBeUndefined();
        expect(proxy.databaseInstance).toBeUndefined();
        // no Cloud SQL peering holds its VPC at teardown
        expect(proxy.networkName).toBeUndefined();
        // the primary keeps all of it
        const primaryTypes = new Set(seen.primary.map((r) => r.type));
        for (const t of ["gcp:sql/databaseInstance:DatabaseInstance", "gcp:servicenetworking/connection:Connection", "gcp:projects/service:Service"]) {
            expect(primaryTypes.has(t), t).toBe(true);
        }
    });

    it("waits for the primary's APIs: its network, cluster and load-balancer address depend on them", async () => {
        const { primary, proxy, seen } = await regions;
        expect(proxy.apis).toBe(primary.apis);
        expect(primary.apis.length).toBe(REQUIRED_APIS.length);
        for (const type of ["gcp:compute/network:Network", "gcp:container/cluster:Cluster", "gcp:compute/address:Address",
            "gcp:serviceaccount/account:Account", "gcp:dns/recordSet:RecordSet"]) {
            for (const r of seen.proxy.filter((x) => x.type === type)) {
                expect(r.dependsOn, `${type} ${r.name}`).toEqual(expect.arrayContaining(primary.apis));
            }
        }
    });

    it("has everything else of a region: VPC with NAT, regional cluster and pools, StorageClass, static address, DNS records, ACME identity", async () => {
        const { proxySettings: ps, proxy, seen } = await regions;
        const of = (type: string) => seen.proxy.filter((r) => r.type === type);
        expect(of("gcp:compute/network:Network")).toHaveLength(1);
        expect(of("gcp:compute/routerNat:RouterNat")).toHaveLength(1);
        expect(of("gcp:compute/subnetwork:Subnetwork")[0]!.inputs.region).toBe("us-east1");
        const cluster = of("gcp:container/cluster:Cluster");
        expect(cluster.map((c) => [c.inputs.name, c.inputs.location])).toEqual([[ps.prefix, "us-east1"]]);
        expect(of("gcp:container/nodePool:NodePool").map((p) => p.inputs.nodeLocations)).toEqual(Array(4).fill(ps.zones));
        expect(of("kubernetes:storage.k8s.io/v1:StorageClass")).toHaveLength(1);
        expect(of("gcp:compute/address:Address")[0]!.inputs.region).toBe("us-east1");
        expect(of("gcp:dns/recordSet:RecordSet").map((r) => r.inputs.name).sort()).toEqual(["*.us.coder.example.com.", "us.coder.example.com."]);
        expect(proxy.cluster.acme).toBeDefined();
        // workspaces are kept from the control plane and the metadata server; there is no database range
        const ranges = await new Promise<string[]>((resolve) => pulumi.output(proxy.cluster.protectedRanges).apply((r) => resolve(r as string[])));
        expect(ranges).toEqual([ps.controlPlaneCidr, "169.254.169.254/32"]);
        expect(ranges).not.toContain(ps.privateServicesCidr);
    });

    it("no physical name of the proxy region is one of the primary's (cluster, service accounts, VPC, address)", async () => {
        const { settings, proxySettings, seen } = await regions;
        const custom = (rs: Registered[]) => rs.filter((r) => r.resource instanceof pulumi.CustomResource);
        const names = (rs: Registered[]) => new Set(custom(rs).map((r) => `${r.type}::${physicalName(r)}`));
        const primary = names(seen.primary);
        const clash = [...names(seen.proxy)].filter((n) => primary.has(n))
            // Kubernetes objects live in the region's own cluster
            .filter((n) => !n.startsWith("kubernetes:"));
        expect(clash).toEqual([]);
        // names given from the prefix: the cluster and the project-wide service accounts
        const accountIds = (rs: Registered[]) => rs.filter((r) => r.type === "gcp:serviceaccount/account:Account").map((r) => r.inputs.accountId as string).sort();
        expect(accountIds(seen.proxy)).toEqual([serviceAccountId(proxySettings.prefix, "acme"), serviceAccountId(proxySettings.prefix, "nodes")].sort());
        expect(accountIds(seen.primary)).toEqual([serviceAccountId(settings.prefix, "acme"), serviceAccountId(settings.prefix, "nodes")].sort());
        expect(accountIds(seen.proxy).filter((id) => accountIds(seen.primary).includes(id))).toEqual([]);
    });

    it("a proxy region's long prefix still names a GKE cluster (40 characters), distinct for prefixes that share their start", () => {
        const a = gkeClusterName("coder-staging-europe-west1-10k-frankfurt01");
        const b = gkeClusterName("coder-staging-europe-west1-10k-frankfurt02");
        expect(a).not.toBe(b);
        for (const n of [a, b]) expect(n).toMatch(/^[a-z][-a-z0-9]{0,38}[a-z0-9]$/);
        // a stack's own prefix (30 characters at most) is the name, as deployed
        expect(gkeClusterName("coder-gcp-10k-europe")).toBe("coder-gcp-10k-europe");
    });

    it("refuses a proxy role without the primary's APIs (two resources would manage one project service)", () => {
        const settings = validateConfig(rawConfig("gcp-3k"), "gcp-3k");
        expect(() => new GcpPlatform("coder-orphan-gcp", { settings, plan: buildPlan(settings), role: "proxy" }))
            .toThrow(/takes the primary's apis/);
    });
});
