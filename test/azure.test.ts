/**
 * What is Azure-specific: the AKS cluster and its pools, the sign-in (Entra ID, kubelogin),
 * the VNet's NAT gateway, PostgreSQL Flexible Server, coderd's public IP, DNS and ACME, and
 * the config Azure would refuse. Every region of every Azure stack (a proxy region on its own).
 *
 * Figures asserted here are written out from the vendors' docs and the seeds
 * (test/fixtures/seeds.ts), never imported from tiers/ or components/: a wrong figure in the
 * code must fail a test.
 */
import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../config";
import { Rendered, RenderedResource, isSecretValue, renderConfig, reveal } from "../preview/render";
import { PoolPlan, buildPlan } from "../sizing";
import { callerPrincipalType, kubeloginExec, kubeloginLogin, providerLookup } from "../components/azure/credentials";
import { aksPoolName } from "../components/azure/names";
import { CLOUD_FACTS } from "./cloud-facts";
import { AKS_DAEMONSET_ALLOWANCE, FLEXIBLE_SERVER_MAX_CONNECTIONS, FLEXIBLE_SERVER_SIZES_GIB, MACHINE_FACTS, SEEDS } from "./fixtures/seeds";
import { POOL_KEY, REGIONS, RegionRender, STACKS, one, ofType, rawConfig, release, renderRegion } from "./helpers";

type Obj = Record<string, any>;
type Role = "system" | "coderd" | "provisioners" | "workspaces";
type TierKey = keyof typeof SEEDS;

const azureStacks = STACKS.filter((s) => s.startsWith("azure-"));
const azureRegions = REGIONS.filter((id) => id.startsWith("azure-"));

const T = {
    group: "azure-native:resources:ResourceGroup",
    cluster: "azure-native:containerservice:ManagedCluster",
    pool: "azure-native:containerservice:AgentPool",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    federation: "azure-native:managedidentity:FederatedIdentityCredential",
    assignment: "azure-native:authorization:RoleAssignment",
    lock: "azure-native:authorization:ManagementLockByScope",
    vnet: "azure-native:network:VirtualNetwork",
    nat: "azure-native:network:NatGateway",
    ip: "azure-native:network:PublicIPAddress",
    server: "azure-native:dbforpostgresql:Server",
    parameter: "azure-native:dbforpostgresql:Configuration",
    privateZone: "azure-native:privatedns:PrivateZone",
    zoneLink: "azure-native:privatedns:VirtualNetworkLink",
    record: "azure-native:dns:RecordSet",
    wait: "pulumi-nodejs:dynamic/coder-refarch:PropagationWait",
    k8sProvider: "pulumi:providers:kubernetes",
    issuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
} as const;

// ---- Vendor facts, written out ---------------------------------------------------------------

/** Built-in Azure role definitions (learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
const BUILT_IN_ROLES = {
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
};
/** The "Azure Kubernetes Service AAD Server" application: the audience of every AKS Entra ID token. */
const AKS_AAD_SERVER = "6dae42f8-4368-4678-94ff-3960e28e3630";
/** AKS Linux node pool names: 1-12 lowercase letters and digits, starting with a letter. */
const AKS_LINUX_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
/** AKS: "the maximum pods per node ... 250". */
const AKS_MAX_PODS = 250;
/** AKS node reservations (K8s 1.29+, "Node resource reservations"): CPU by core count. */
const AKS_CPU_RESERVED_MILLIS: Record<number, number> = { 1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740 };
/** Azure NAT Gateway: 64,512 SNAT ports a public IP, at most 16 IPs a gateway. */
const SNAT_PORTS_PER_IP = 64_512;
const NAT_MAX_IPS = 16;
/** SNAT ports a node needs (README decision): 1,024, or 64 a provisioner where a node runs more. */
const PORTS_PER_NODE = 1024;
const PORTS_PER_PROVISIONER = 64;
/** Flexible Server keeps automated backups 7 to 35 days. */
const BACKUP_DAYS = { min: 7, max: 35 };
const POSTGRES_DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers";
const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";
const AZURE_LB = {
    pipName: "service.beta.kubernetes.io/azure-pip-name",
    resourceGroup: "service.beta.kubernetes.io/azure-load-balancer-resource-group",
    internal: "service.beta.kubernetes.io/azure-load-balancer-internal",
};

// ---- What the mocks answer (preview/render.ts) -----------------------------------------------

const MOCK = {
    callerObjectId: "22222222-2222-2222-2222-222222222222",
    issuerUrl: "https://eastus2.oic.prod-aks.azure.com/33333333-3333-3333-3333-333333333333/44444444-4444-4444-4444-444444444444/",
    publicIp: "203.0.113.30",
    /** coderd's Service's load balancer address, read after the release */
    serviceIp: "203.0.113.20",
    server: "https://mock-dns-0123abcd.hcp.eastus2.azmk8s.io:443",
};

// ---- Helpers ---------------------------------------------------------------------------------

/** The mocks give every resource the id `<logical name>-id`. */
const idOf = (x: RenderedResource) => `${x.name}-id`;
const roleDefinition = (role: string) => new RegExp(`^/subscriptions/[0-9a-f-]{36}/providers/Microsoft\\.Authorization/roleDefinitions/${role}$`);
const assignmentsOf = (r: Rendered, role: string) => ofType(r, T.assignment).filter((a) => roleDefinition(role).test(String(a.inputs.roleDefinitionId)));
const poolRole = (p: Obj) => (p.nodeLabels as Record<string, string>)[POOL_KEY] as Role;
const taintString = (t: { key: string; value: string; effect: string }) => `${t.key}=${t.value}:${t.effect}`;
const sum = <X>(xs: X[], f: (x: X) => number) => xs.reduce((n, x) => n + f(x), 0);
const tierOf = (r: Rendered) => r.settings.tier as TierKey;

/** Pulumi gives a child its parent's `protect` unless it sets its own; the render records the options as given. */
function protectedInEffect(r: Rendered, x: RenderedResource): boolean {
    for (let at: RenderedResource | undefined = x; at; at = r.resources.find((p) => p.name === at!.parent && p.type === at!.parentType)) {
        if (at.protect) return true;
    }
    return false;
}

/**
 * Whether `x` waits for a role assignment: it depends on it, or on a PropagationWait whose
 * `after` holds the assignment's ID (Azure applies an assignment some time after it exists).
 */
function waitsFor(r: Rendered, x: RenderedResource, assignment: RenderedResource): boolean {
    return x.dependsOn.some((d) => d === assignment.name || ofType(r, T.wait)
        .some((w) => w.name === d && (w.inputs.after as string[]).includes(idOf(assignment))));
}

/** The inline system pool and the AgentPools, as one list of AKS pools. */
function aksPools(r: Rendered): { inline: Obj; agentPools: RenderedResource[] } {
    const cluster = one(r, T.cluster).inputs as Obj;
    expect(cluster.agentPoolProfiles).toHaveLength(1);
    return { inline: cluster.agentPoolProfiles[0], agentPools: ofType(r, T.pool) };
}

function ipRange(cidr: string): { first: number; last: number } {
    const [ip, bits] = cidr.split("/") as [string, string];
    const n = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const first = Math.floor(n / size) * size;
    return { first, last: first + size - 1 };
}
const ipNumber = (ip: string) => ipRange(`${ip}/32`).first;
const disjoint = (a: string, b: string) => ipRange(a).last < ipRange(b).first || ipRange(b).last < ipRange(a).first;

/** An Azure DNS zone's resource ID, read here on its own. */
function dnsZoneOf(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
    const m = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/dnszones\/([^/]+)$/i.exec(id);
    if (!m) throw new Error(`not a DNS zone resource ID: ${id}`);
    return { subscriptionId: m[1]!.toLowerCase(), resourceGroup: m[2]!, name: m[3]!.toLowerCase() };
}

/** The subnet of the VNet (inline subnets) a subnet resource ID names. */
function subnetOf(r: Rendered, subnetId: string): Obj {
    const vnet = one(r, T.vnet);
    const prefix = `${idOf(vnet)}/subnets/`;
    expect(subnetId.startsWith(prefix), `${subnetId} is a subnet of ${vnet.name}`).toBe(true);
    const subnet = ((vnet.inputs.subnets ?? []) as Obj[]).find((s) => s.name === subnetId.slice(prefix.length));
    if (!subnet) throw new Error(`no subnet ${subnetId} in ${vnet.name}`);
    return subnet;
}

/** A node's capacity for pods on AKS (K8s 1.29+), worked from the AKS docs: before DaemonSets. */
function aksAllocatable(machineType: string, maxPods: number): { cpuMillis: number; memoryMiB: number } {
    const m = MACHINE_FACTS[machineType];
    if (!m) throw new Error(`no machine fact for ${machineType}`);
    const memoryMiB = m.memoryGiB * 1024;
    const cpuReserved = AKS_CPU_RESERVED_MILLIS[m.vcpu];
    if (cpuReserved === undefined) throw new Error(`no AKS CPU reservation for ${m.vcpu} cores`);
    // kube-reserved: the lesser of 20 MiB a max pod + 50 MiB and 25% of memory; 100 MiB hard eviction
    const memoryReserved = Math.min(20 * maxPods + 50, memoryMiB * 0.25) + 100;
    return { cpuMillis: m.vcpu * 1000 - cpuReserved, memoryMiB: memoryMiB - memoryReserved };
}

/** What workload pods get of a node: the allocatable capacity less the DaemonSet allowance. */
const forWorkloads = (a: { cpuMillis: number; memoryMiB: number }) =>
    ({ cpuMillis: a.cpuMillis - AKS_DAEMONSET_ALLOWANCE.cpuMillis, memoryMiB: a.memoryMiB - AKS_DAEMONSET_ALLOWANCE.memoryMiB });

const cpuMillis = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
const memoryMiB = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, "")));

/**
 * Provisioners a node runs: the seed's figure; seed 003 (1k) sizes no pool, so as many of its
 * 1000m / 1Gi provisioners as a node holds.
 */
function provisionersPerNode(tier: TierKey, machineType: string, maxPods: number): number {
    const seed = SEEDS[tier];
    if (seed.pools.provisioners) return seed.pools.provisioners.perNode;
    const room = forWorkloads(aksAllocatable(machineType, maxPods));
    return Math.floor(Math.min(room.cpuMillis / cpuMillis(seed.provisioners.cpu!), room.memoryMiB / memoryMiB(seed.provisioners.memory!)));
}

/** The database's storage the page asks for, GB (1k: validated-architectures.md's 512 GB baseline; seed 003 gives none). */
function seedStorageGb(tier: TierKey): number {
    const seed = SEEDS[tier];
    if (seed.databaseDecision?.storageGb) return seed.databaseDecision.storageGb;
    const m = /^([\d.]+) TB$/.exec(seed.database.storage ?? "");
    return m ? Number(m[1]) * 1000 : 512;
}

// ---- Per region ------------------------------------------------------------------------------

describe.each(azureRegions)("Azure region %s", (id) => {
    /** a proxy region ("stack/name") has no database */
    const primary = !id.includes("/");
    let r: RegionRender;
    beforeAll(async () => {
        r = await renderRegion(id);
    });

    describe("AKS cluster", () => {
        it("Azure CNI Overlay with the Cilium dataplane and policy; outbound through the user-assigned NAT gateway", () => {
            expect((one(r, T.cluster).inputs as Obj).networkProfile).toMatchObject({
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                outboundType: "userAssignedNATGateway",
            });
        });

        it("Entra ID only (managed AAD, Azure RBAC, no local accounts); OIDC issuer and workload identity; Standard tier", () => {
            const c = one(r, T.cluster).inputs as Obj;
            expect(c.aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true });
            expect(c.disableLocalAccounts).toBe(true);
            expect(c.oidcIssuerProfile).toEqual({ enabled: true });
            expect(c.securityProfile.workloadIdentity).toEqual({ enabled: true });
            expect(c.sku.tier).toBe("Standard");
        });

        it("unpinned: the stable upgrade channel and weekly node images", () => {
            const c = one(r, T.cluster).inputs as Obj;
            expect(r.settings.kubernetesVersion).toBeFalsy();
            expect(c.kubernetesVersion).toBeUndefined();
            expect(c.autoUpgradeProfile).toEqual({ upgradeChannel: "stable", nodeOSUpgradeChannel: "NodeImage" });
        });

        it("one inline pool: System mode, untainted, the plan's system pool; pool changes go through AgentPools only", () => {
            const cluster = one(r, T.cluster);
            const { inline } = aksPools(r);
            const plan = r.plan.pools.system;
            expect(cluster.ignoreChanges).toContain("agentPoolProfiles");
            expect(inline.mode).toBe("System");
            expect(inline.nodeTaints ?? []).toEqual([]);
            expect(inline.nodeLabels).toEqual(plan.placement.nodeSelector);
            expect(plan.placement.tolerations).toEqual([]);
            expect(inline.name).toMatch(AKS_LINUX_POOL_NAME);
            expect(inline.vmSize).toBe(plan.machine.name);
            expect(inline.count).toBe(plan.total.max);
            expect(inline.enableAutoScaling).toBe(false);
            expect(inline.maxPods).toBe(plan.maxPodsPerNode);
            expect([...inline.availabilityZones].sort()).toEqual([...r.settings.zones].sort());
            expect(inline.upgradeSettings.maxUnavailable).toBe("0");
        });

        it("address ranges: the DNS Service inside the Service range; pod and Service ranges outside the VNet and apart", () => {
            const net = (one(r, T.cluster).inputs as Obj).networkProfile as Obj;
            const vnet = (one(r, T.vnet).inputs as Obj).addressSpace.addressPrefixes as string[];
            const services = ipRange(net.serviceCidr);
            const dns = ipNumber(net.dnsServiceIP);
            expect(dns).toBeGreaterThan(services.first + 1); // not the range's address nor the API Service's (.1)
            expect(dns).toBeLessThan(services.last);
            expect(disjoint(net.podCidr, net.serviceCidr)).toBe(true);
            for (const prefix of vnet) {
                expect(disjoint(net.podCidr, prefix), `podCidr ${net.podCidr} vs ${prefix}`).toBe(true);
                expect(disjoint(net.serviceCidr, prefix), `serviceCidr ${net.serviceCidr} vs ${prefix}`).toBe(true);
            }
        });

        it("protected as deletionProtection says (on in every stack file)", () => {
            expect(r.settings.deletionProtection).toBe(true);
            expect(one(r, T.cluster).protect).toBe(true);
        });

        it("control plane identity: user-assigned, Network Contributor on the resource group, assigned before the cluster", () => {
            const cluster = one(r, T.cluster);
            const c = cluster.inputs as Obj;
            expect(c.identity.type).toBe("UserAssigned");
            expect(c.identity.userAssignedIdentities).toHaveLength(1);
            const identity = ofType(r, T.identity).find((i) => c.identity.userAssignedIdentities[0] === idOf(i));
            expect(identity, "the cluster's identity is one of the region's").toBeDefined();
            const network = assignmentsOf(r, BUILT_IN_ROLES.networkContributor);
            expect(network).toHaveLength(1);
            expect(network[0]!.inputs).toMatchObject({
                scope: idOf(one(r, T.group)),
                principalId: `${identity!.name}-principal-id`,
                principalType: "ServicePrincipal",
            });
            expect(waitsFor(r, cluster, network[0]!), "the cluster waits for the assignment").toBe(true);
        });
    });

    describe("AgentPools", () => {
        it("User mode; AKS Linux pool names; coderd and provisioners over every zone; workspaces one pool a zone", () => {
            const { inline, agentPools } = aksPools(r);
            const zones = [...r.settings.zones].sort();
            for (const p of agentPools) {
                expect(p.inputs.mode, p.name).toBe("User");
                expect(p.inputs.agentPoolName, p.name).toMatch(AKS_LINUX_POOL_NAME);
            }
            const names = [inline.name, ...agentPools.map((p) => p.inputs.agentPoolName)];
            expect(new Set(names).size).toBe(names.length);
            for (const role of ["coderd", "provisioners"] as const) {
                const mine = agentPools.filter((p) => poolRole(p.inputs) === role);
                expect(mine, role).toHaveLength(1);
                expect([...(mine[0]!.inputs.availabilityZones as string[])].sort(), role).toEqual(zones);
            }
            // one AKS pool a zone (zonal disks), each its own name
            const workspaces = agentPools.filter((p) => poolRole(p.inputs) === "workspaces");
            expect(workspaces).toHaveLength(zones.length);
            for (const p of workspaces) expect(p.inputs.availabilityZones, p.name).toHaveLength(1);
            expect(workspaces.flatMap((p) => p.inputs.availabilityZones as string[]).sort()).toEqual(zones);
        });

        it("the plan's machine, max pods (at most AKS's 250), labels and NoSchedule taints", () => {
            for (const p of aksPools(r).agentPools) {
                const i = p.inputs as Obj;
                const plan = r.plan.pools[poolRole(i)];
                expect(i.vmSize, p.name).toBe(plan.machine.name);
                expect(i.maxPods, p.name).toBeLessThanOrEqual(AKS_MAX_PODS);
                expect(i.maxPods, p.name).toBe(plan.maxPodsPerNode);
                expect(i.nodeLabels, p.name).toEqual(plan.placement.nodeSelector);
                expect(i.nodeTaints, p.name).toEqual(plan.placement.tolerations.map(taintString));
                expect(i.nodeTaints, p.name).toEqual([`${POOL_KEY}=${poolRole(i)}:NoSchedule`]);
                expect(i.vnetSubnetID, p.name).toBe(aksPools(r).inline.vnetSubnetID);
                expect(i.upgradeSettings.maxUnavailable, p.name).toBe("0");
            }
        });

        it("counts: autoscaled pools leave the count to the autoscaler within min..max; fixed pools at the plan's", () => {
            for (const p of aksPools(r).agentPools) {
                const i = p.inputs as Obj;
                const plan = r.plan.pools[poolRole(i)];
                if (plan.autoscaling) {
                    expect(p.ignoreChanges, p.name).toEqual(["count"]);
                    expect(i.enableAutoScaling, p.name).toBe(true);
                    expect(i.minCount, p.name).toBeLessThanOrEqual(i.count);
                    expect(i.count, p.name).toBeLessThanOrEqual(i.maxCount);
                } else {
                    expect(p.ignoreChanges, p.name).toEqual([]);
                    expect(i.enableAutoScaling, p.name).toBe(false);
                    expect(i.count, p.name).toBe(plan.total.max);
                }
            }
            const byRole = (role: Role) => aksPools(r).agentPools.filter((p) => poolRole(p.inputs) === role).map((p) => p.inputs as Obj);
            const ws = byRole("workspaces");
            expect(sum(ws, (p) => p.maxCount)).toBe(r.plan.pools.workspaces.total.max);
            expect(sum(ws, (p) => p.minCount)).toBe(r.plan.pools.workspaces.total.min);
            // provisioners start with room for every replica
            const [prov] = byRole("provisioners");
            expect({ min: prov!.minCount, count: prov!.count, max: prov!.maxCount })
                .toEqual({ min: r.plan.pools.provisioners.total.min, count: r.plan.pools.provisioners.initial.total, max: r.plan.pools.provisioners.total.max });
        });
    });

    describe("node reservations (AKS, Kubernetes 1.29+), worked from the AKS docs", () => {
        it("every pool's planned allocatable is the node's less the DaemonSet allowance, and its pods fit", () => {
            const rendered = CLOUD_FACTS.azure!.pools(r);
            for (const role of ["system", "coderd", "provisioners", "workspaces"] as const) {
                const fact = rendered.find((p) => p.labels[POOL_KEY] === role);
                expect(fact, role).toBeDefined();
                const plan: PoolPlan = r.plan.pools[role];
                const room = forWorkloads(aksAllocatable(fact!.machineType, fact!.maxPodsPerNode!));
                expect(plan.allocatable, role).toEqual(room);
                const w = plan.workload;
                if (!w) continue;
                expect(w.perNode, role).toBeGreaterThanOrEqual(1);
                expect(w.perNode * w.requests.cpuMillis, `${role}: CPU`).toBeLessThanOrEqual(room.cpuMillis);
                expect(w.perNode * w.requests.memoryMiB, `${role}: memory`).toBeLessThanOrEqual(room.memoryMiB);
                expect(w.perNode, `${role}: pods`).toBeLessThan(fact!.maxPodsPerNode!);
            }
        });
    });

    describe("NAT gateway", () => {
        it("one Standard gateway on the nodes' subnet; every public IP Standard and static", () => {
            const nats = ofType(r, T.nat);
            expect(nats).toHaveLength(1);
            expect(nats[0]!.inputs.sku).toEqual({ name: "Standard" });
            for (const ip of ofType(r, T.ip)) {
                expect((ip.inputs.sku as Obj).name, ip.name).toBe("Standard");
                expect(ip.inputs.publicIPAllocationMethod, ip.name).toBe("Static");
            }
            const nodes = subnetOf(r, aksPools(r).inline.vnetSubnetID);
            expect(nodes.natGateway).toEqual({ id: idOf(nats[0]!) });
        });

        it("public IPs: the SNAT ports of every pool at its maximum, 64,512 an IP", () => {
            const tier = tierOf(r);
            const ports = sum(CLOUD_FACTS.azure!.pools(r), (p) => p.maxNodes * (p.labels[POOL_KEY] === "provisioners"
                ? Math.max(PORTS_PER_NODE, PORTS_PER_PROVISIONER * provisionersPerNode(tier, p.machineType, p.maxPodsPerNode!))
                : PORTS_PER_NODE));
            const want = Math.ceil(ports / SNAT_PORTS_PER_IP);
            expect(want).toBeLessThanOrEqual(NAT_MAX_IPS);
            const nat = one(r, T.nat).inputs as Obj;
            const ips = ofType(r, T.ip).filter((ip) => (nat.publicIpAddresses as Obj[]).some((x) => x.id === idOf(ip)));
            expect(nat.publicIpAddresses).toHaveLength(want);
            expect(ips).toHaveLength(want);
        });
    });

    describe("database", () => {
        it.runIf(!primary)("a proxy region has none: no Flexible Server, no private DNS zone, no delegated subnet", () => {
            expect(r.resources.filter((x) => x.type.startsWith("azure-native:dbforpostgresql:")).map((x) => x.name)).toEqual([]);
            expect(r.resources.filter((x) => x.type.startsWith("azure-native:privatedns:")).map((x) => x.name)).toEqual([]);
            for (const s of (one(r, T.vnet).inputs.subnets ?? []) as Obj[]) expect(s.delegations ?? [], s.name).toEqual([]);
        });

        it.runIf(primary)("zone-redundant HA with the standby in another of the stack's zones", () => {
            const s = one(r, T.server).inputs as Obj;
            expect(r.settings.zones).toContain(s.availabilityZone);
            expect(s.highAvailability.mode).toBe("ZoneRedundant");
            expect(r.settings.zones).toContain(s.highAvailability.standbyAvailabilityZone);
            expect(s.highAvailability.standbyAvailabilityZone).not.toBe(s.availabilityZone);
        });

        it.runIf(primary)("private only: the delegated subnet of the VNet, its name in a private zone linked to the VNet", () => {
            const server = one(r, T.server);
            const net = (server.inputs as Obj).network as Obj;
            expect(net.publicNetworkAccess).toBe("Disabled");
            const subnet = subnetOf(r, net.delegatedSubnetResourceId);
            expect((subnet.delegations as Obj[]).map((d) => d.serviceName)).toContain(POSTGRES_DELEGATION);
            const zone = one(r, T.privateZone);
            expect(net.privateDnsZoneArmResourceId).toBe(idOf(zone));
            expect(zone.inputs.privateZoneName).toMatch(/\.postgres\.database\.azure\.com$/);
            const link = one(r, T.zoneLink);
            expect(link.inputs).toMatchObject({
                privateZoneName: zone.inputs.privateZoneName,
                virtualNetwork: { id: idOf(one(r, T.vnet)) },
                registrationEnabled: false,
            });
            // the server is created once its name resolves in the VNet
            expect(server.dependsOn).toContain(link.name);
        });

        it.runIf(primary)("General Purpose, the plan's SKU; storage a Premium SSD size holding the page's GB; 7-35 days of backups", () => {
            const s = one(r, T.server).inputs as Obj;
            expect(s.sku).toEqual({ tier: "GeneralPurpose", name: r.plan.database.machine.name });
            const gb = seedStorageGb(tierOf(r));
            const size = s.storage.storageSizeGB as number;
            expect(FLEXIBLE_SERVER_SIZES_GIB).toContain(size);
            expect(size).toBeGreaterThanOrEqual(gb);
            // the smallest size that holds it (GiB provisioned for GB asked)
            const smaller = FLEXIBLE_SERVER_SIZES_GIB.filter((g) => g < size);
            if (smaller.length) expect(smaller[smaller.length - 1]! * 1.073741824).toBeLessThan(gb);
            expect(s.backup.backupRetentionDays).toBeGreaterThanOrEqual(BACKUP_DAYS.min);
            expect(s.backup.backupRetentionDays).toBeLessThanOrEqual(BACKUP_DAYS.max);
            expect(isSecretValue(s.administratorLoginPassword)).toBe(true);
        });

        it.runIf(primary)("parameters: TLS required and the plan's max_connections, set one after the other from the server", () => {
            const server = one(r, T.server);
            const params = ofType(r, T.parameter);
            // max_connections stays Flexible Server's default for the size, which covers coderd (a static parameter)
            expect(Object.fromEntries(params.map((p) => [p.inputs.configurationName, p.inputs.value]))).toEqual({ require_secure_transport: "on" });
            expect(r.plan.database.maxConnections).toBe(FLEXIBLE_SERVER_MAX_CONNECTIONS[(server.inputs as Obj).sku.name]);
            params.forEach((p, i) => {
                expect(p.dependsOn, p.name).toEqual([i === 0 ? server.name : params[i - 1]!.name]);
                expect(p.inputs.serverName, p.name).toBe(server.inputs.serverName ?? `${server.name}-mock`);
            });
        });

        it.runIf(primary)("deletion protection: a CanNotDelete lock on the server, and Pulumi protect", () => {
            const server = one(r, T.server);
            expect(server.protect).toBe(true);
            const locks = ofType(r, T.lock);
            expect(locks).toHaveLength(1);
            expect(locks[0]!.inputs).toMatchObject({ scope: idOf(server), level: "CanNotDelete" });
        });
    });

    describe("sign-in to AKS", () => {
        it("the Kubernetes provider signs in with kubelogin (Azure CLI, the AKS server application)", () => {
            const provider = one(r, T.k8sProvider);
            const config = JSON.parse(reveal(provider.inputs.kubeconfig) as string) as Obj;
            expect(config.clusters[0].cluster.server).toBe(MOCK.server);
            const exec = config.users[0].user.exec as Obj;
            expect(exec.command).toBe("kubelogin");
            const args = exec.args as string[];
            expect(args).toContain("get-token");
            expect(args[args.indexOf("--login") + 1]).toBe("azurecli");
            expect(args[args.indexOf("--server-id") + 1]).toBe(AKS_AAD_SERVER);
            expect(exec.env).toBeUndefined();
        });

        it("the provider waits for the caller's cluster-admin assignment to propagate", () => {
            const provider = one(r, T.k8sProvider);
            const admins = assignmentsOf(r, BUILT_IN_ROLES.aksRbacClusterAdmin);
            const caller = admins.find((a) => a.inputs.principalId === MOCK.callerObjectId);
            expect(caller).toBeDefined();
            expect(caller!.inputs).toMatchObject({ scope: idOf(one(r, T.cluster)), principalType: "User" });
            const wait = ofType(r, T.wait).find((w) => provider.dependsOn.includes(w.name) && (w.inputs.after as string[]).includes(idOf(caller!)));
            expect(wait, "a PropagationWait after the assignment, before the provider").toBeDefined();
            // "can take up to five minutes to propagate" (AKS docs, Azure RBAC for Kubernetes)
            expect(wait!.inputs.seconds).toBeGreaterThanOrEqual(300);
            // and for the pools, so the first pods have nodes to go to
            for (const p of ofType(r, T.pool)) expect(provider.dependsOn).toContain(p.name);
        });
    });

    describe("load balancer and DNS", () => {
        const coderdIp = () => {
            const found = ofType(r, T.ip).filter((ip) => ip.inputs.publicIpAddressName !== undefined);
            expect(found).toHaveLength(1);
            return found[0]!;
        };

        it("coderd's Service takes the region's static, zone-redundant, protected public IP by name", () => {
            const ip = coderdIp();
            expect(ip.inputs).toMatchObject({ sku: { name: "Standard" }, publicIPAllocationMethod: "Static", zones: ["1", "2", "3"] });
            expect(protectedInEffect(r, ip)).toBe(true);
            const values = reveal(release(r, "coder").inputs.values) as Obj;
            expect(values.coder.service.annotations).toEqual({
                [AZURE_LB.pipName]: ip.inputs.publicIpAddressName,
                [AZURE_LB.resourceGroup]: one(r, T.group).inputs.resourceGroupName,
            });
        });

        it("A records of the access host and the wildcard, in the stack's zone, at the IP", () => {
            const zone = dnsZoneOf(r.settings.dnsZone);
            const relative = (host: string) => {
                expect(host.endsWith(`.${zone.name}`), `${host} in ${zone.name}`).toBe(true);
                return host.slice(0, -(zone.name.length + 1));
            };
            const records = ofType(r, T.record);
            expect(records.map((x) => x.inputs.relativeRecordSetName).sort()).toEqual([
                relative(r.settings.wildcardAccessUrl), relative(new URL(r.settings.accessUrl).hostname),
            ].sort());
            for (const x of records) {
                expect(x.inputs, x.name).toMatchObject({
                    resourceGroupName: zone.resourceGroup, zoneName: zone.name, recordType: "A", aRecords: [{ ipv4Address: MOCK.publicIp }],
                });
                // through a provider of the zone's subscription
                const provider = r.resources.find((p) => p.name === x.provider && p.type === "pulumi:providers:azure-native");
                expect(provider?.inputs.subscriptionId, x.name).toBe(zone.subscriptionId);
            }
        });
    });

    describe("ACME DNS-01 through workload identity", () => {
        const acmeIdentity = () => {
            const [zone] = assignmentsOf(r, BUILT_IN_ROLES.dnsZoneContributor);
            expect(zone).toBeDefined();
            const identity = ofType(r, T.identity).find((i) => zone!.inputs.principalId === `${i.name}-principal-id`);
            expect(identity, "the DNS Zone Contributor is one of the region's identities").toBeDefined();
            return { identity: identity!, assignment: zone! };
        };

        it("an identity with DNS Zone Contributor on the zone only, trusted for cert-manager's ServiceAccount", () => {
            const { identity, assignment } = acmeIdentity();
            expect(assignmentsOf(r, BUILT_IN_ROLES.dnsZoneContributor)).toHaveLength(1);
            expect(assignment.inputs).toMatchObject({ scope: r.settings.dnsZone, principalType: "ServicePrincipal" });
            const federations = ofType(r, T.federation);
            expect(federations).toHaveLength(1);
            expect(federations[0]!.inputs).toMatchObject({
                resourceName: identity.inputs.resourceName ?? `${identity.name}-mock`,
                subject: "system:serviceaccount:cert-manager:cert-manager",
                audiences: [WORKLOAD_IDENTITY_AUDIENCE],
                issuer: MOCK.issuerUrl,
            });
        });

        it("cert-manager's pods use the identity; the ClusterIssuer solves in the zone the ID names", () => {
            const { identity } = acmeIdentity();
            const clientId = `${identity.name}-client-id`;
            const values = reveal(release(r, "cert-manager").inputs.values) as Obj;
            expect(values.podLabels).toEqual({ "azure.workload.identity/use": "true" });
            expect(values.serviceAccount).toMatchObject({ name: "cert-manager", annotations: { "azure.workload.identity/client-id": clientId } });
            const zone = dnsZoneOf(r.settings.dnsZone);
            const solvers = ((one(r, T.issuer).inputs as Obj).spec.acme.solvers as Obj[]);
            expect(solvers).toHaveLength(1);
            expect(solvers[0]!.dns01.azureDNS).toMatchObject({
                subscriptionID: zone.subscriptionId,
                resourceGroupName: zone.resourceGroup,
                hostedZoneName: zone.name,
                managedIdentity: { clientID: clientId },
            });
        });
    });
});

// ---- Variants of azure-3k --------------------------------------------------------------------

describe("Azure variants (azure-3k)", () => {
    const stack = "azure-3k";

    describe("a pinned Kubernetes minor", () => {
        let r: Rendered;
        beforeAll(async () => {
            r = await renderConfig(stack, rawConfig(stack, { kubernetesVersion: "1.33" }));
        });

        it("follows the patch channel; the cluster and every pool at that minor", () => {
            const c = one(r, T.cluster).inputs as Obj;
            expect(c.kubernetesVersion).toBe("1.33");
            expect(c.autoUpgradeProfile).toEqual({ upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
            expect(c.agentPoolProfiles[0].orchestratorVersion).toBe("1.33");
            for (const p of ofType(r, T.pool)) expect(p.inputs.orchestratorVersion, p.name).toBe("1.33");
        });
    });

    describe("deletion protection off", () => {
        let r: Rendered;
        beforeAll(async () => {
            r = await renderConfig(stack, rawConfig(stack, { deletionProtection: false }));
        });

        it("no lock on the server and nothing protected: cluster, server, coderd's IP", () => {
            expect(ofType(r, T.lock)).toEqual([]);
            expect(one(r, T.cluster).protect).toBe(false);
            expect(one(r, T.server).protect).toBe(false);
            const ip = ofType(r, T.ip).find((x) => x.inputs.publicIpAddressName !== undefined)!;
            expect(protectedInEffect(r, ip)).toBe(false);
        });
    });

    describe("an internal load balancer for some clients, the API server for some ranges, a max_connections of the stack's", () => {
        let r: Rendered;
        beforeAll(async () => {
            const raw = rawConfig(stack);
            // the stack's own zone and ACME account, as the stack file sets them
            expect(raw["coder-refarch:dnsZone"]).toBeDefined();
            expect(raw["coder-refarch:acmeEmail"]).toBeDefined();
            r = await renderConfig(stack, rawConfig(stack, {
                internalLoadBalancer: true, loadBalancerSourceRanges: ["10.50.0.0/16"], apiAuthorizedNetworks: ["203.0.113.0/24"],
                sizing: { database: { maxConnections: 1000 } },
            }));
        });

        it("no public IP for coderd; an internal load balancer that refuses every other client of the VNet", () => {
            const nat = one(r, T.nat).inputs as Obj;
            const notNat = ofType(r, T.ip).filter((ip) => !(nat.publicIpAddresses as Obj[]).some((x) => x.id === idOf(ip)));
            expect(notNat.map((x) => x.name)).toEqual([]);
            const values = reveal(release(r, "coder").inputs.values) as Obj;
            // cloud-provider-azure adds a deny rule for the rest only with its deny-all annotation
            expect(values.coder.service.annotations).toEqual({
                [AZURE_LB.internal]: "true",
                "service.beta.kubernetes.io/load-balancer-source-ranges": "10.50.0.0/16",
                "service.beta.kubernetes.io/azure-deny-all-except-load-balancer-source-ranges": "true",
            });
        });

        it("the API server admits the given ranges and the cluster's own NAT addresses (nodes and pods reach it through them)", () => {
            const ranges = (one(r, T.cluster).inputs as Obj).apiServerAccessProfile.authorizedIPRanges as string[];
            const natIps = ofType(r, T.ip).filter((ip) => ((one(r, T.nat).inputs as Obj).publicIpAddresses as Obj[]).some((x) => x.id === idOf(ip)));
            expect(natIps.length).toBeGreaterThan(0);
            expect(ranges).toEqual(["203.0.113.0/24", ...natIps.map(() => `${MOCK.publicIp}/32`)]);
        });

        it("a max_connections of the stack's is set after TLS, and the run says it waits for a restart", () => {
            const params = ofType(r, T.parameter);
            expect(params.map((p) => [p.inputs.configurationName, p.inputs.value])).toEqual([["require_secure_transport", "on"], ["max_connections", "1000"]]);
            expect(params[1]!.dependsOn).toEqual([params[0]!.name]);
            expect(r.warnings.join("\n")).toMatch(/sizing\.database\.maxConnections: 1000 .*static parameter.*restart/);
        });

        it("the records point at the address the Service reports", () => {
            const records = ofType(r, T.record);
            expect(records).toHaveLength(2);
            for (const x of records) expect(x.inputs.aRecords, x.name).toEqual([{ ipv4Address: MOCK.serviceIp }]);
        });
    });
});

// ---- Sign-in: kubelogin follows the azure-native provider's credential source ----------------

describe("kubelogin login from the provider's credentials", () => {
    const lookup = (values: Record<string, string>) => (key: string) => values[key];
    const ids = { clientId: "11111111-1111-1111-1111-111111111111", tenantId: "33333333-3333-3333-3333-333333333333" };
    const SECRET = "s3cr3t-value~not-in-args";

    /** The value that follows a flag in kubelogin's arguments. */
    const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

    it("a client secret: a service principal, the secret only in the plugin's environment", () => {
        const { login, problems } = kubeloginLogin(lookup({ ...ids, clientSecret: SECRET }));
        expect(problems).toEqual([]);
        expect(login!.mode).toBe("spn");
        expect(flag(login!.args, "--client-id")).toBe(ids.clientId);
        expect(flag(login!.args, "--tenant-id")).toBe(ids.tenantId);
        expect(login!.args.join(" ")).not.toContain(SECRET);
        expect(login!.secretEnv).toEqual([{ name: "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", value: SECRET }]);
        // the kubeconfig the provider uses carries it in `env`; the exported one not at all
        const withSecrets = kubeloginExec(login!, true);
        expect(withSecrets.args.join(" ")).not.toContain(SECRET);
        expect(withSecrets.env).toEqual([
            { name: "AZURE_CLIENT_ID", value: ids.clientId }, { name: "AZURE_TENANT_ID", value: ids.tenantId },
            { name: "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", value: SECRET },
        ]);
        expect(JSON.stringify(kubeloginExec(login!, false))).not.toContain(SECRET);
    });

    it("a client secret in ARM_CLIENT_SECRET: kubelogin reads the provider's variables itself, nothing stored", () => {
        const noConfig = { get: () => undefined } as unknown as pulumi.Config;
        const env = { ARM_CLIENT_ID: ids.clientId, ARM_TENANT_ID: ids.tenantId, ARM_CLIENT_SECRET: SECRET };
        const { login, problems } = kubeloginLogin(providerLookup(noConfig, env));
        expect(problems).toEqual([]);
        expect(login!.mode).toBe("spn");
        expect(login!.args).toContain("--use-azurerm-env-vars");
        expect(login!.secretEnv).toBeUndefined();
        // the provider's IDs pinned in the ARM_* variables kubelogin then reads
        expect(login!.env).toEqual([{ name: "ARM_CLIENT_ID", value: ids.clientId }, { name: "ARM_TENANT_ID", value: ids.tenantId }]);
        expect(JSON.stringify(kubeloginExec(login!, true))).not.toContain(SECRET);
    });

    it("a service principal without its tenant: a problem naming the key", () => {
        const { problems } = kubeloginLogin(lookup({ clientId: ids.clientId, clientSecret: SECRET }));
        expect(problems.join("\n")).toMatch(/azure-native:tenantId/);
    });

    it("a client certificate: a service principal with --client-certificate", () => {
        const { login, problems } = kubeloginLogin(lookup({ ...ids, clientCertificatePath: "/secrets/sp.pfx" }));
        expect(problems).toEqual([]);
        expect(login!.mode).toBe("spn");
        expect(flag(login!.args, "--client-certificate")).toBe("/secrets/sp.pfx");
    });

    it("OIDC with a token file: workload identity with --federated-token-file", () => {
        const { login, problems } = kubeloginLogin(lookup({ ...ids, useOidc: "true", oidcTokenFilePath: "/var/run/token" }));
        expect(problems).toEqual([]);
        expect(login!.mode).toBe("workloadidentity");
        expect(flag(login!.args, "--federated-token-file")).toBe("/var/run/token");
    });

    it("OIDC in GitHub Actions (ARM_* and ACTIONS_ID_TOKEN_REQUEST_* in the environment): workload identity", () => {
        const noConfig = { get: () => undefined } as unknown as pulumi.Config;
        const env = {
            ARM_USE_OIDC: "true", ARM_CLIENT_ID: ids.clientId, ARM_TENANT_ID: ids.tenantId,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token", ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/",
        };
        const { login, problems } = kubeloginLogin(providerLookup(noConfig, env));
        expect(problems).toEqual([]);
        expect(login!.mode).toBe("workloadidentity");
        expect(flag(login!.args, "--client-id")).toBe(ids.clientId);
        expect(login!.args.join(" ")).not.toContain("gh-request-token");
    });

    it("OIDC with a token string: a problem naming azure-native:oidcToken (kubelogin takes a file)", () => {
        const { login, problems } = kubeloginLogin(lookup({ ...ids, useOidc: "true", oidcToken: "eyJhbGciOi" }));
        expect(login).toBeUndefined();
        expect(problems.join("\n")).toMatch(/azure-native:oidcToken/);
    });

    it("the default credential chain: a problem (kubelogin has none)", () => {
        const { login, problems } = kubeloginLogin(lookup({ useDefaultAzureCredential: "true" }));
        expect(login).toBeUndefined();
        expect(problems.join("\n")).toMatch(/azure-native:useDefaultAzureCredential/);
    });

    it("a managed identity: msi, with its client ID", () => {
        const { login, problems } = kubeloginLogin(lookup({ useMsi: "true", clientId: ids.clientId }));
        expect(problems).toEqual([]);
        // the ID also in kubelogin's variable, which would otherwise override the flag
        expect(login).toEqual({ mode: "msi", args: ["--client-id", ids.clientId], env: [{ name: "AZURE_CLIENT_ID", value: ids.clientId }] });
    });

    it("nothing set: the Azure CLI's sign-in", () => {
        expect(kubeloginLogin(lookup({}))).toEqual({ login: { mode: "azurecli", args: [] }, problems: [] });
    });

    it("the caller's principal type: a service principal's login says so; an Azure CLI token's application tells", () => {
        // the Azure CLI's own application ID: the appid of a user's tokens from `az login`
        const azureCli = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
        const sp = "0f0f0f0f-0000-4000-8000-000000000001";
        for (const mode of ["spn", "workloadidentity", "msi"] as const) {
            expect(callerPrincipalType({ mode, args: [] }, azureCli)).toBe("ServicePrincipal");
        }
        const cli = { mode: "azurecli" as const, args: [] };
        expect(callerPrincipalType(cli, azureCli)).toBe("User");
        // `az login --service-principal`: the token is the service principal's own
        expect(callerPrincipalType(cli, sp)).toBe("ServicePrincipal");
    });
});

// ---- Config Azure would refuse ---------------------------------------------------------------

describe("config Azure would refuse: a config error naming the key, nothing registered", () => {
    /** Renders a config expected to fail: its message, and what got registered (nothing, or the test fails). */
    async function failing(stack: string, changes: Record<string, unknown>): Promise<string> {
        const registered: string[] = [];
        try {
            await renderConfig(stack, rawConfig(stack, changes), [], registered);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            expect(registered).toEqual([]);
            return e.message;
        }
        throw new Error(`the config was accepted: ${JSON.stringify(changes)}`);
    }

    it.each<[string, string, Record<string, unknown>, RegExp]>([
        ["a Service range AKS reserves", "azure-1k", { serviceCidr: "172.30.0.0/16" },
            /coder-refarch:serviceCidr: 172\.30\.0\.0\/16 overlaps 172\.30\.0\.0\/16, which AKS reserves/],
        ["a pod range too small for a /24 a node", "azure-1k", { podCidr: "10.16.0.0/20" },
            /coder-refarch:podCidr: 10\.16\.0\.0\/20 is a \/20; Azure CNI Overlay gives each node a \/24/],
        ["a database subnet smaller than Flexible Server's /28", "azure-1k", { privateServicesCidr: "10.20.0.0/29" },
            /coder-refarch:privateServicesCidr: 10\.20\.0\.0\/29 is a \/29/],
        ["a nodes' subnet too small for the pools", "azure-3k", { nodeCidr: "10.10.0.0/26" },
            /coder-refarch:nodeCidr: 10\.10\.0\.0\/26/],
        ["a provider location other than the region", "azure-1k", { "azure-native:location": "westus2" },
            /azure-native:location: 'westus2' differs from coder-refarch:region 'eastus2'/],
        ["a DNS zone by name, not its resource ID", "azure-1k", { dnsZone: "example.com" },
            /coder-refarch:dnsZone: 'example\.com' is not an Azure DNS zone's resource ID/],
        ["an access host outside the DNS zone", "azure-1k", { accessUrl: "https://coder.example.org", wildcardAccessUrl: "*.coder.example.org" },
            /coder-refarch:accessUrl: coder\.example\.org is not in the DNS zone example\.com/],
        ["an existing network", "azure-1k", { network: { network: "my-vnet" } },
            /coder-refarch:network: an existing VNet is not supported on Azure/],
        ["zones that are not Azure's", "azure-1k", { zones: ["a", "b"] },
            /coder-refarch:zones: a, b not zones of region eastus2/],
        ["the default credential chain", "azure-1k", { "azure-native:useDefaultAzureCredential": "true" },
            /azure-native:useDefaultAzureCredential: kubelogin/],
        ["OIDC with a token string", "azure-1k", { "azure-native:useOidc": "true", "azure-native:oidcToken": "eyJhbGciOi" },
            /azure-native:oidcToken .*kubelogin cannot take a token string/],
    ])("%s (%s)", async (_, stack, changes, expected) => {
        expect(await failing(stack, changes)).toMatch(expected);
    });

    it("a nodes' subnet that holds fewer addresses than the pools at their maximum: the sizing says how many", async () => {
        const message = await failing("azure-3k", { nodeCidr: "10.10.0.0/24" });
        // a /24 keeps 251 addresses (Azure keeps 5 of every subnet)
        const m = /coder-refarch:nodeCidr: 10\.10\.0\.0\/24 has 251 usable addresses; the pools at their maximum \(with upgrade surge\) need (\d+): use a \/(\d+) or larger/.exec(message);
        expect(m, message).not.toBeNull();
        // at least every node of every pool at its maximum (seed 001: 3 system + 4 coderd + 8 provisioners + 256 workspaces)
        const r = await renderRegion("azure-3k");
        const nodes = sum(CLOUD_FACTS.azure!.pools(r), (p) => p.maxNodes);
        expect(nodes).toBe(3 + SEEDS["3k"].pools.coderd!.nodes + SEEDS["3k"].pools.provisioners!.nodes + SEEDS["3k"].pools.workspaces!.nodes);
        expect(Number(m![1])).toBeGreaterThanOrEqual(nodes);
        expect(2 ** (32 - Number(m![2])) - 5).toBeGreaterThanOrEqual(Number(m![1]));
    });
});

// ---- Machine types as the seed names them ----------------------------------------------------

describe("machineTypes asNamed on azure-3k: seed 001's Azure types", () => {
    const seed = SEEDS["3k"];

    it("coderd, provisioners, workspaces and the database as the page names them, one type a pool", () => {
        // Standard_D4s_v3 (4 vCPU / 16 GiB) holds no 6-vCPU coderd: smaller pods, as a stack would set them
        const coderd = { requests: { cpu: "3", memory: "10Gi" }, limits: { cpu: "3", memory: "10Gi" } };
        const plan = buildPlan(validateConfig(rawConfig("azure-3k", { machineTypes: "asNamed", sizing: { coderd } }), "azure-3k"));
        expect(plan.pools.coderd.machine.name).toBe(seed.pools.coderd!.azure);
        expect(plan.pools.provisioners.machine.name).toBe(seed.pools.provisioners!.azure);
        expect(plan.pools.workspaces.machine.name).toBe(seed.pools.workspaces!.azure);
        expect(plan.database.machine.name).toBe(seed.database.azure);
        for (const role of ["coderd", "provisioners", "workspaces"] as const) expect(plan.pools[role].instanceTypes).toEqual([plan.pools[role].machine.name]);
    });

    it("as the page has it, seed 001's 6-vCPU coderd does not fit a Standard_D4s_v3: a sizing error with the fix", () => {
        let error: unknown;
        try {
            buildPlan(validateConfig(rawConfig("azure-3k", { machineTypes: "asNamed" }), "azure-3k"));
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toMatch(/coder-refarch:sizing\.pools\.coderd: one coderd pod .* does not fit on Standard_D4s_v3/);
    });
});

// ---- Every Azure stack file ------------------------------------------------------------------

describe("the Azure stack files", () => {
    it("are the four tiers", () => {
        expect(azureStacks.sort()).toEqual(["azure-10k", "azure-1k", "azure-2k", "azure-3k"]);
        expect(azureRegions.filter((id) => id.includes("/")).sort()).toEqual(["azure-10k/asia", "azure-10k/europe"]);
    });
});

// ---- What AKS fixes at a pool's creation, and Flexible Server's storage past 4 TiB -----------

describe("pool names follow what AKS accepts only at a pool's creation", () => {
    const base = { vmSize: "Standard_D8s_v5", maxPods: 64, osDiskSizeGB: 200, osDiskType: "Managed", osSKU: "Ubuntu", zones: ["1"] };
    const linuxPoolName = /^[a-z][a-z0-9]{0,11}$/;

    it.each([
        ["the VM size", { vmSize: "Standard_D16s_v5" }],
        ["max pods", { maxPods: 110 }],
        ["the OS disk's size", { osDiskSizeGB: 256 }],
        ["the OS disk's type", { osDiskType: "Ephemeral" }],
        ["the zones", { zones: ["2"] }],
    ])("a new name when %s changes (a replacement that creates the new pool first)", (_what, change) => {
        const before = aksPoolName("workspaces", base, "1");
        const after = aksPoolName("workspaces", { ...base, ...change }, "1");
        expect(after).not.toBe(before);
        for (const n of [before, after]) expect(n).toMatch(linuxPoolName);
    });

    it("the same name for the same shape; labels, not names, place pods", () => {
        expect(aksPoolName("coderd", base)).toBe(aksPoolName("coderd", { ...base }));
        expect(aksPoolName("provisioners", base)).not.toBe(aksPoolName("coderd", base));
        expect(aksPoolName("system", base)).toBe("system");
    });
});

describe("azure-10k's database starts at 4 TiB, where autogrow stops", () => {
    it("the plan warns and says what to watch", async () => {
        const r = await renderRegion("azure-10k");
        expect(r.plan.database.storageGb).toBe(4096);
        expect(r.plan.warnings.join("\n")).toMatch(/storageGb: 4096 GiB: Flexible Server's storage autogrow does not grow .* past 4 TiB/);
    });
});
