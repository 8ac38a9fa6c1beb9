/** What is GCP-specific: GKE cluster settings, node pools, Cloud SQL and the known traps. */
import { describe, expect, it } from "vitest";
import { renderConfig, reveal } from "../preview/render";
import { NODE_DISK_DECISION } from "./fixtures/seeds";
import { POOL_KEY, STACKS, one, ofType, rawConfig, render } from "./helpers";

type Obj = Record<string, any>;
const gcpStacks = STACKS.filter((s) => s === "dev" || s.startsWith("gcp-"));

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

    it("node pools: per-zone counts over the stack's zones, labels and NO_SCHEDULE taints, metadata server, own service account", async () => {
        const r = await render(stack);
        for (const p of ofType(r, "gcp:container/nodePool:NodePool")) {
            const i = p.inputs as Obj;
            const role = i.nodeConfig.labels[POOL_KEY] as keyof typeof r.plan.pools;
            const plan = r.plan.pools[role];
            expect(i.nodeLocations).toEqual(r.settings.zones);
            if (plan.autoscaling) {
                expect(i.autoscaling).toMatchObject({ minNodeCount: plan.perZone.min, maxNodeCount: plan.perZone.max });
                expect(i.initialNodeCount).toBe(plan.initial.perZone);
                expect(i.nodeCount).toBeUndefined();
                expect(p.ignoreChanges).toContain("initialNodeCount");
            } else {
                expect(i.nodeCount).toBe(plan.perZone.max);
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
        expect(url.url).toMatch(/^postgres:\/\/coder:[^@]+@10\.100\.0\.3:5432\/coder\?sslmode=require$/);
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

    it("the nodes' service account has only logging, monitoring and image-pull roles", async () => {
        const r = await render(stack);
        const roles = ofType(r, "gcp:projects/iAMMember:IAMMember").map((m) => (m.inputs as Obj).role).sort();
        expect(roles).toEqual([
            "roles/artifactregistry.reader", "roles/logging.logWriter", "roles/monitoring.metricWriter",
            "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer",
        ]);
    });
});

describe("GKE options", () => {
    it("restricts the API endpoint to the authorized networks", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { apiAuthorizedNetworks: ["203.0.113.0/24"] }));
        const c = one(r, "gcp:container/cluster:Cluster").inputs as Obj;
        expect(c.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "203.0.113.0/24" }] });
    });

    it("gives N4 workspace nodes a Hyperdisk StorageClass", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { sizing: { pools: { workspaces: { machineType: "n4-standard-8" } } } }));
        const sc = one(r, "kubernetes:storage.k8s.io/v1:StorageClass").inputs as Obj;
        expect(sc.parameters).toEqual({ type: "hyperdisk-balanced" });
        expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
    });
});

describe("the Kubernetes provider", () => {
    it("authenticates to GKE with gke-gcloud-auth-plugin at the cluster's endpoint", async () => {
        const r = await render("gcp-3k");
        const kc = JSON.parse(reveal(one(r, "pulumi:providers:kubernetes").inputs.kubeconfig) as string);
        expect(kc.clusters[0].cluster).toEqual({ server: "https://203.0.113.10", "certificate-authority-data": "bW9jay1jYQ==" });
        expect(kc.users[0].user.exec).toMatchObject({ apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin" });
    });
});
