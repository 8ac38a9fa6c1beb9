/**
 * The policy pack (policy/): each rule on a compliant and a violating resource; the whole pack
 * (every policy, as the Pulumi CLI would run it) on every rendered stack, with no violation;
 * and stacks deliberately broken through their config, caught with the rule's message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type {
    EnforcementLevel, PolicyPackConfig, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { POLICIES, stackInput } from "../policy/policies";
import * as rules from "../policy/rules";
import { ResourceInput, StackResourceInput, T } from "../policy/rules";
import { Rendered, RenderedResource, computed, renderConfig, reveal } from "../preview/render";
import { readStackConfig } from "../preview/stack-config";
import { STACKS, rawConfig, render } from "./helpers";

type Obj = Record<string, any>;

// ---------------------------------------------------------------------------------------
// Running the pack as the CLI's analyzer would

interface Violation { policy: string; level: EnforcementLevel; message: string; resource?: string }

const NOT_APPLICABLE = new Error("not applicable");

/** A policy's config: its schema's defaults, then the pack config's keys (as the CLI merges them). */
function policyConfig(p: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig): Obj {
    const defaults = Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [k, typeof s === "object" ? s.default : undefined]));
    const c = config[p.name];
    const { enforcementLevel: _, ...own } = typeof c === "object" ? c : {};
    return { ...defaults, ...own };
}

function levelOf(p: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig): EnforcementLevel {
    const c = config[p.name];
    return (typeof c === "string" ? c : c?.enforcementLevel) ?? p.enforcementLevel ?? "advisory";
}

const OPTS = { ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

/** What the engine hands the pack: each resource's inputs (resource policies) and outputs (stack policies). */
interface Stack { resources: { args: ResourceValidationArgs; policyResource: PolicyResource }[] }

async function runPack(stack: Stack, config: PolicyPackConfig = {}): Promise<Violation[]> {
    const out: Violation[] = [];
    for (const p of POLICIES) {
        const level = levelOf(p, config);
        if (level === "disabled") continue;
        const getConfig = <C extends object>() => policyConfig(p, config) as C;
        if ("validateResource" in p && p.validateResource) {
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const { args } of stack.resources) {
                for (const v of validations) {
                    try {
                        await v({ ...args, getConfig }, (message) => out.push({ policy: p.name, level, message, resource: args.name }));
                    } catch (e) {
                        if (e !== NOT_APPLICABLE) throw e;
                    }
                }
            }
        } else if ("validateStack" in p) {
            const args: StackValidationArgs = {
                resources: stack.resources.map((x) => x.policyResource), stackTags: new Map(), getConfig,
                notApplicable: () => { throw NOT_APPLICABLE; },
            };
            try {
                await p.validateStack(args, (message, urn) => out.push({ policy: p.name, level, message, resource: urn?.split("::").pop() }));
            } catch (e) {
                if (e !== NOT_APPLICABLE) throw e;
            }
        }
    }
    return out;
}

/**
 * A rendered stack as the engine would hand it to the pack: inputs for resource policies,
 * outputs (the mocks' state: inputs and computed outputs, with the id) for stack policies,
 * parents, and each resource's provider. AWS resources without an explicit provider get the
 * one the engine would resolve: a proxy region's (inherited from its component; resources are
 * named after the region) or the default provider from the stack's `aws:` config.
 * `revealSecrets` unwraps secrets as @pulumi/policy does for a validation.
 */
function toStack(r: Rendered, raw: Record<string, string>, revealSecrets: boolean): Stack {
    const urn = (x: { type: string; name: string }) => `urn:pulumi:${r.stack}::coder-refarch::${x.type}::${x.name}`;
    const props = (v: unknown) => (revealSecrets ? reveal(v) : v) as Obj;
    const providers = new Map(r.resources.filter((x) => x.type.startsWith("pulumi:providers:")).map((x) => [x.name, x]));
    const defaultProviders: Record<string, Obj> = {};
    for (const [k, v] of Object.entries(raw)) {
        const [ns, key] = k.split(":") as [string, string];
        if (ns !== "coder-refarch") (defaultProviders[ns] ??= {})[key] = v;
    }
    const proxyNames = r.settings.proxyRegions.map((p) => p.name);
    const providerOf = (x: RenderedResource) => {
        const pkg = x.type.split(":")[0]!;
        const explicit = x.provider ? providers.get(x.provider) : undefined;
        const proxy = proxyNames.find((n) => x.name.startsWith(`coder-${n}-`));
        const inherited = !explicit && pkg === "aws" && proxy ? providers.get(`coder-${proxy}-aws-provider`) : undefined;
        const p = explicit ?? inherited;
        if (p) return { type: p.type, name: p.name, urn: urn(p), props: props(p.inputs) };
        if (x.type.startsWith("pulumi:") || x.type.startsWith("coder-refarch:")) return undefined;
        return { type: `pulumi:providers:${pkg}`, name: "default", urn: `urn:pulumi:${r.stack}::coder-refarch::pulumi:providers:${pkg}::default`, props: defaultProviders[pkg] ?? {} };
    };
    const built = r.resources.map((x) => {
        const provider = providerOf(x);
        const opts = { ...OPTS, protect: x.protect, ignoreChanges: x.ignoreChanges };
        const args: ResourceValidationArgs = {
            type: x.type, name: x.name, urn: urn(x), props: props(x.inputs), opts, ...(provider ? { provider } : {}),
            stackTags: new Map(), isType: () => false, asType: () => undefined, getConfig: <C extends object>() => ({}) as C,
            notApplicable: () => { throw NOT_APPLICABLE; },
        };
        const policyResource: PolicyResource = {
            type: x.type, name: x.name, urn: urn(x), opts, ...(provider ? { provider } : {}),
            props: props({ ...x.inputs, ...(x.custom ? computed(x.type, x.name, x.inputs) : {}), ...(x.custom ? { id: `${x.name}-id` } : {}) }),
            dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined,
        };
        return { x, args, policyResource };
    });
    for (const b of built) {
        const parent = b.x.parent ? built.find((p) => p.x.name === b.x.parent && p.x.type === b.x.parentType) : undefined;
        if (parent) {
            b.policyResource.parent = parent.policyResource;
            b.args.opts.parent = parent.args.urn;
            b.policyResource.opts = { ...b.policyResource.opts, parent: parent.args.urn };
        }
        b.policyResource.dependencies = b.x.dependsOn.map((d) => built.find((p) => p.x.name === d)?.policyResource).filter((d): d is PolicyResource => !!d);
    }
    return { resources: built.map(({ args, policyResource }) => ({ args, policyResource })) };
}

/** The pack config a stack is previewed with: policy/config.dev.json for a stack without deletion protection. */
function packConfigFor(r: Rendered): PolicyPackConfig {
    if (r.settings.deletionProtection) return {};
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policy", "config.dev.json"), "utf8")) as PolicyPackConfig;
}

const show = (vs: Violation[]) => vs.map((v) => `[${v.level}] ${v.policy} ${v.resource}: ${v.message}`);

// ---------------------------------------------------------------------------------------
// Each rule: a compliant and a violating resource

const res = (type: string, props: Obj, extra: Partial<ResourceInput> = {}): ResourceInput => ({ type, name: "x", props, ...extra });
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

const cloudSql = (s: Obj = {}, top: Obj = {}) => res(T.cloudSql, {
    region: "us-east1", deletionProtection: true, ...top,
    settings: {
        tier: "db-custom-8-30720", availabilityType: "REGIONAL", deletionProtectionEnabled: true,
        ipConfiguration: { ipv4Enabled: false, privateNetwork: "vpc", sslMode: "ENCRYPTED_ONLY" },
        backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true }, ...s,
    },
}, { opts: { protect: true } });
const rds = (p: Obj = {}, protect = true) => res(T.rds, {
    instanceClass: "db.m8g.2xlarge", multiAz: true, publiclyAccessible: false, dbSubnetGroupName: "g", storageEncrypted: true,
    backupRetentionPeriod: 14, deletionProtection: true, parameterGroupName: "params", ...p,
}, { opts: { protect } });
const flexible = (p: Obj = {}, protect = true) => res(T.flexibleServer, {
    location: "eastus2", availabilityZone: "1", highAvailability: { mode: "ZoneRedundant", standbyAvailabilityZone: "2" },
    network: { publicNetworkAccess: "Disabled", delegatedSubnetResourceId: "subnet" }, backup: { backupRetentionDays: 14 },
    sku: { name: "Standard_D8ds_v5", tier: "GeneralPurpose" }, ...p,
}, { opts: { protect } });
const release = (chart: string, values: unknown, extra: Partial<ResourceInput> = {}) => res(T.helmRelease, { chart, values }, { name: `${chart}-release`, ...extra });
const coderValues = (coder: Obj = {}) => ({
    coder: {
        nodeSelector: { [rules.POOL_KEY]: "coderd" },
        tolerations: [{ key: rules.POOL_KEY, operator: "Equal", value: "coderd", effect: "NoSchedule" }],
        resources: { requests: { cpu: "2000m", memory: "8Gi" }, limits: { cpu: "2000m", memory: "8192Mi" } },
        env: [{ name: "CODER_PG_CONNECTION_URL", valueFrom: { secretKeyRef: { name: "coder-db-url", key: "url" } } }],
        ...coder,
    },
});

describe("policy rules", () => {
    it("database-high-availability: REGIONAL, Multi-AZ, zone-redundant with a standby in another zone", () => {
        expect(rules.databaseHighAvailability(cloudSql())).toEqual([]);
        expect(rules.databaseHighAvailability(rds())).toEqual([]);
        expect(rules.databaseHighAvailability(flexible())).toEqual([]);
        expect(rules.databaseHighAvailability(cloudSql({ availabilityType: "ZONAL" }))[0]).toMatch(/not highly available.*availabilityType to "REGIONAL"/);
        expect(rules.databaseHighAvailability(rds({ multiAz: false }))[0]).toMatch(/set multiAz true/);
        expect(rules.databaseHighAvailability(flexible({ highAvailability: { mode: "Disabled" } }))[0]).toMatch(/not zone-redundant/);
        expect(rules.databaseHighAvailability(flexible({ highAvailability: { mode: "ZoneRedundant", standbyAvailabilityZone: "1" } }))[0]).toMatch(/standby zone "1"/);
        // unknown during preview: left to pulumi up
        expect(rules.databaseHighAvailability(cloudSql({ availabilityType: UNKNOWN_STRING }))).toEqual([]);
        expect(rules.databaseHighAvailability(res(T.cloudSql, { settings: UNKNOWN_OBJECT }))).toEqual([]);
    });

    it("database-private-encrypted: no public endpoint, TLS only, encrypted; require_secure_transport stays on", () => {
        expect(rules.databasePrivateEncrypted(cloudSql())).toEqual([]);
        expect(rules.databasePrivateEncrypted(cloudSql({ ipConfiguration: { ipv4Enabled: false, privateNetwork: "vpc", sslMode: "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" } }))).toEqual([]);
        expect(rules.databasePrivateEncrypted(rds())).toEqual([]);
        expect(rules.databasePrivateEncrypted(flexible())).toEqual([]);
        expect(rules.databasePrivateEncrypted(cloudSql({ ipConfiguration: { ipv4Enabled: true, sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } }))).toEqual([
            expect.stringMatching(/public IP: set settings.ipConfiguration.ipv4Enabled false/),
            expect.stringMatching(/no private network/),
            expect.stringMatching(/without TLS.*ENCRYPTED_ONLY/),
        ]);
        expect(rules.databasePrivateEncrypted(rds({ publiclyAccessible: true, storageEncrypted: false }))).toEqual([
            expect.stringMatching(/publicly accessible/), expect.stringMatching(/not encrypted at rest/),
        ]);
        expect(rules.databasePrivateEncrypted(flexible({ network: { publicNetworkAccess: "Enabled" } }))).toHaveLength(2);
        const transport = (value: string) => res(T.flexibleConfiguration, { configurationName: "require_secure_transport", value });
        expect(rules.databasePrivateEncrypted(transport("on"))).toEqual([]);
        expect(rules.databasePrivateEncrypted(transport("OFF"))[0]).toMatch(/require_secure_transport "OFF": set it "on"/);
    });

    it("database-tls-parameter: an RDS instance's parameter group sets rds.force_ssl 1", () => {
        const group = (value: string): StackResourceInput => ({ type: T.rdsParameterGroup, name: "params", urn: "g", props: { name: "params", parameters: [{ name: "rds.force_ssl", value }] } });
        expect(rules.rdsForceSsl([rds(), group("1")])).toEqual([]);
        expect(rules.rdsForceSsl([rds(), group("0")])[0]!.message).toMatch(/does not force TLS.*rds.force_ssl "1"/);
        expect(rules.rdsForceSsl([rds({ parameterGroupName: undefined })])[0]!.message).toMatch(/default parameter group/);
    });

    it("database-backups: backups with point-in-time recovery", () => {
        expect(rules.databaseBackups(cloudSql())).toEqual([]);
        expect(rules.databaseBackups(rds())).toEqual([]);
        expect(rules.databaseBackups(flexible())).toEqual([]);
        expect(rules.databaseBackups(cloudSql({ backupConfiguration: { enabled: true } }))[0]).toMatch(/no point-in-time recovery/);
        expect(rules.databaseBackups(rds({ backupRetentionPeriod: 0 }))[0]).toMatch(/backupRetentionPeriod to 7 or more/);
        expect(rules.databaseBackups(flexible({ backup: { backupRetentionDays: 3 } }))[0]).toMatch(/backupRetentionDays to 7 or more/);
    });

    it("database-deletion-protection and database-delete-lock: the cloud's guard and Pulumi's protect", () => {
        expect(rules.databaseDeletionProtection(cloudSql())).toEqual([]);
        expect(rules.databaseDeletionProtection(rds())).toEqual([]);
        expect(rules.databaseDeletionProtection(flexible())).toEqual([]);
        expect(rules.databaseDeletionProtection(cloudSql({ deletionProtectionEnabled: false }, { deletionProtection: false }))).toHaveLength(2);
        expect(rules.databaseDeletionProtection(rds({ deletionProtection: false }, false))).toEqual([
            expect.stringMatching(/no deletion protection/), expect.stringMatching(/not protected in Pulumi: .*protect: true/),
        ]);
        const server: StackResourceInput = { ...flexible(), name: "db", urn: "server", props: { ...flexible().props, id: "server-id" } };
        const lock = (scope: string, level = "CanNotDelete"): StackResourceInput => ({ type: T.azureLock, name: "lock", props: { scope, level } });
        expect(rules.azureDatabaseLock([server, lock("server-id")])).toEqual([]);
        expect(rules.azureDatabaseLock([server, { ...lock("other"), propertyDependencies: { scope: [server] } }])).toEqual([]);
        expect(rules.azureDatabaseLock([server, lock("server-id", "ReadOnly")])[0]!.message).toMatch(/no CanNotDelete lock/);
        expect(rules.azureDatabaseLock([server])[0]!.urn).toBe("server");
    });

    it("coder-pod-resources: coderd requests = limits (CPU within 4/3), provisioners requests and limits set", () => {
        expect(rules.coderPodResources(release("coder", coderValues()))).toEqual([]);
        // the 2k tier: 3000m request, 4000m limit
        expect(rules.coderPodResources(release("coder", coderValues({ resources: { requests: { cpu: "3", memory: "10Gi" }, limits: { cpu: "4000m", memory: "10Gi" } } })))).toEqual([]);
        expect(rules.coderPodResources(release("coder", coderValues({ resources: { requests: { cpu: "1000m", memory: "4Gi" }, limits: { cpu: "4000m", memory: "8Gi" } } })))).toEqual([
            expect.stringMatching(/memory request \("4Gi"\) is not its limit/), expect.stringMatching(/CPU limit \(4000m\) exceeds its request \(1000m\)/),
        ]);
        expect(rules.coderPodResources(release("coder", coderValues({ resources: { requests: { cpu: "1000m" } } })))[0]).toMatch(/sets no requests.memory, limits.cpu, limits.memory/);
        expect(rules.coderPodResources(release("coder", coderValues({ resources: { requests: { cpu: "1000m", memory: "4Gi" }, limits: { cpu: "4000m", memory: "8Gi" } } })), { maxCpuLimitToRequest: 4 })).toHaveLength(1);
        const prov = (resources: Obj) => release("coder-provisioner", { coder: { resources } });
        expect(rules.coderPodResources(prov({ requests: { cpu: "250m", memory: "768Mi" }, limits: { cpu: "1000m", memory: "1Gi" } }))).toEqual([]);
        expect(rules.coderPodResources(prov({ requests: { cpu: "250m", memory: "768Mi" } }))[0]).toMatch(/provisioners' release .* sets no limits.cpu, limits.memory/);
        expect(rules.coderPodResources(prov({ requests: { cpu: "2", memory: "768Mi" }, limits: { cpu: "1", memory: "1Gi" } }))[0]).toMatch(/requests more CPU/);
        // values unknown during preview, or secret: judged when known, read through the secret
        expect(rules.coderPodResources(release("coder", UNKNOWN_OBJECT))).toEqual([]);
        expect(rules.coderPodResources(release("coder", secret(coderValues())))).toEqual([]);
        expect(rules.coderPodResources(release("cert-manager", {}))).toEqual([]);
    });

    it("coderd-pool-static and workspaces-pool-autoscaling, by the pool label", () => {
        const gke = (role: string, autoscaling?: Obj) => res(T.gkePool, { nodeConfig: { labels: { [rules.POOL_KEY]: role } }, nodeLocations: ["a", "b", "c"], ...(autoscaling ? { autoscaling } : { nodeCount: 1 }) });
        const eks = (role: string, minSize: number, maxSize: number) => res(T.eksNodeGroup, { labels: { [rules.POOL_KEY]: role }, scalingConfig: { minSize, maxSize, desiredSize: minSize } });
        const aks = (role: string, auto: boolean) => res(T.aksPool, { nodeLabels: { [rules.POOL_KEY]: role }, enableAutoScaling: auto, count: 3, ...(auto ? { minCount: 1, maxCount: 10 } : {}) });
        // coderd: fixed, or GKE total limits one surge node apart
        expect(rules.coderdPoolStatic(gke("coderd"))).toEqual([]);
        expect(rules.coderdPoolStatic(gke("coderd", { totalMinNodeCount: 3, totalMaxNodeCount: 4 }))).toEqual([]);
        expect(rules.coderdPoolStatic(eks("coderd", 4, 4))).toEqual([]);
        expect(rules.coderdPoolStatic(aks("coderd", false))).toEqual([]);
        expect(rules.coderdPoolStatic(gke("coderd", { totalMinNodeCount: 3, totalMaxNodeCount: 9 }))[0]).toMatch(/autoscales between 3 and 9 nodes: .*must be static/);
        expect(rules.coderdPoolStatic(gke("coderd", { minNodeCount: 1, maxNodeCount: 2 }))[0]).toMatch(/between 1 and 2 nodes a zone/);
        expect(rules.coderdPoolStatic(eks("coderd", 3, 6))[0]).toMatch(/minSize = maxSize/);
        expect(rules.coderdPoolStatic(aks("coderd", true))[0]).toMatch(/enableAutoScaling false/);
        expect(rules.coderdPoolStatic(gke("provisioners", { totalMinNodeCount: 3, totalMaxNodeCount: 9 }))).toEqual([]);
        // workspaces: autoscaling with room
        expect(rules.workspacesPoolAutoscaling(gke("workspaces", { totalMinNodeCount: 3, totalMaxNodeCount: 38 }))).toEqual([]);
        expect(rules.workspacesPoolAutoscaling(eks("workspaces", 1, 86))).toEqual([]);
        expect(rules.workspacesPoolAutoscaling(aks("workspaces", true))).toEqual([]);
        expect(rules.workspacesPoolAutoscaling(gke("workspaces"))[0]).toMatch(/does not autoscale/);
        expect(rules.workspacesPoolAutoscaling(eks("workspaces", 3, 3))[0]).toMatch(/maxSize above minSize/);
        expect(rules.workspacesPoolAutoscaling(aks("workspaces", false))[0]).toMatch(/enableAutoScaling true/);
        // AKS pools inline in the cluster
        const cluster = res(T.aksCluster, { agentPoolProfiles: [{ name: "cd", nodeLabels: { [rules.POOL_KEY]: "coderd" }, enableAutoScaling: true, minCount: 2, maxCount: 5 }] });
        expect(rules.coderdPoolStatic(cluster)[0]).toMatch(/AKS pool cd of x/);
    });

    it("no-burstable-machines: unless allowBurstable; Tau T2D is not burstable", () => {
        for (const m of ["e2-medium", "f1-micro", "g1-small", "db-f1-micro", "t3.xlarge", "t3a.large", "t4g.medium", "t2.micro", "db.t3.2xlarge", "db.t4g.large", "Standard_B4ms"]) {
            expect(rules.isBurstable(m), m).toBe(true);
        }
        for (const m of ["t2d-standard-8", "t2a-standard-4", "n4-standard-8", "e2-standard-8", "db-custom-8-30720", "m8i.2xlarge", "db.m8g.2xlarge", "Standard_D8s_v5"]) {
            expect(rules.isBurstable(m), m).toBe(false);
        }
        expect(rules.noBurstableMachines(res(T.gkePool, { nodeConfig: { machineType: "t2d-standard-8" } }))).toEqual([]);
        expect(rules.noBurstableMachines(res(T.eksNodeGroup, { instanceTypes: ["m8i.2xlarge", "t3.2xlarge"] }))[0]).toMatch(/instanceTypes\[1\] "t3.2xlarge" is burstable.*allowBurstable/);
        expect(rules.noBurstableMachines(rds({ instanceClass: "db.t3.2xlarge" }))[0]).toMatch(/instanceClass "db.t3.2xlarge"/);
        expect(rules.noBurstableMachines(flexible({ sku: { name: "Standard_B2s", tier: "Burstable" } }))).toHaveLength(2);
        expect(rules.noBurstableMachines(res(T.aksPool, { vmSize: "Standard_B8ms" }))).toHaveLength(1);
        expect(rules.noBurstableMachines(res(T.aksPool, { vmSize: "Standard_B8ms" }), { allowBurstable: true })).toEqual([]);
    });

    it("coderd-in-database-region: coderd's cluster (beside its Kubernetes provider) and the database share a region", () => {
        const component: StackResourceInput = { type: "coder-refarch:aws:Cluster", name: "eks", urn: "eks", props: {} };
        const k8s: StackResourceInput = { type: "pulumi:providers:kubernetes", name: "k8s", urn: "k8s", props: {}, parent: component };
        const cluster = (region: string): StackResourceInput => ({ type: T.eksCluster, name: "cluster", urn: "cluster", props: {}, parent: component, provider: { type: "pulumi:providers:aws", props: { region } } });
        const other: StackResourceInput = { type: T.eksCluster, name: "europe", urn: "europe", props: {}, provider: { type: "pulumi:providers:aws", props: { region: "eu-west-1" } } };
        const coder = (workspaceProxy: boolean): StackResourceInput => ({ ...release("coder", { coder: { workspaceProxy } }), urn: "coder", provider: { type: k8s.type, name: "k8s", urn: "k8s", props: {} } });
        const db: StackResourceInput = { ...rds(), name: "db", provider: { type: "pulumi:providers:aws", props: { region: "us-east-1" } } };
        expect(rules.coderdInDatabaseRegion([component, k8s, cluster("us-east-1"), other, coder(false), db])).toEqual([]);
        // a proxy's release is not coderd
        expect(rules.coderdInDatabaseRegion([component, k8s, cluster("eu-west-1"), other, coder(true), db])).toEqual([]);
        const [v] = rules.coderdInDatabaseRegion([component, k8s, cluster("eu-west-1"), other, coder(false), db]);
        expect(v!.message).toMatch(/runs on cluster cluster in eu-west-1, but its database db is in us-east-1: deploy coderd in the database's region/);
        // GKE: a zonal location is in its region; Cloud SQL names its region
        const gke = (location: string): StackResourceInput => ({ type: T.gkeCluster, name: "gke", props: { location } });
        expect(rules.coderdInDatabaseRegion([gke("us-east1-b"), coder(false), cloudSql()])).toEqual([]);
        expect(rules.coderdInDatabaseRegion([gke("us-west1"), coder(false), cloudSql()])).toHaveLength(1);
        // Azure: locations as display names or names
        const aksCluster: StackResourceInput = { type: T.aksCluster, name: "aks", props: { location: "East US 2" } };
        expect(rules.coderdInDatabaseRegion([aksCluster, coder(false), flexible()])).toEqual([]);
        expect(rules.coderdInDatabaseRegion([{ ...aksCluster, props: { location: UNKNOWN_STRING } }, coder(false), flexible({ location: "westeurope" })])).toEqual([]);
    });

    it("no-plaintext-secrets-in-helm-values: secret keys, secret env vars and URLs with passwords; references and secrets pass", () => {
        expect(rules.noPlaintextSecretsInHelmValues(release("coder", coderValues()))).toEqual([]);
        // names of Secrets and their keys are no secrets
        expect(rules.noPlaintextSecretsInHelmValues(release("coder-provisioner", {
            provisionerDaemon: { pskSecretName: "coder-provisioner-psk", keySecretName: "", keySecretKey: "key" },
            coder: { tls: { secretNames: ["coder-tls"] }, podAnnotations: { "coder-refarch/provisioner-psk-digest": "16a9" } },
            auth: { existingSecret: "pg" }, global: { postgres: { mountSecret: "coder-observability-postgres" } },
        }))).toEqual([]);
        // a secret or unknown value is no plaintext
        expect(rules.noPlaintextSecretsInHelmValues(release("coder", coderValues({ env: [{ name: "CODER_PG_CONNECTION_URL", value: secret("postgres://u:p@h/db") }] })))).toEqual([]);
        expect(rules.noPlaintextSecretsInHelmValues(release("coder", { postgres: { password: UNKNOWN_STRING } }))).toEqual([]);
        expect(rules.noPlaintextSecretsInHelmValues(release("coder", UNKNOWN_OBJECT))).toEqual([]);
        const found = rules.noPlaintextSecretsInHelmValues(release("coder", coderValues({
            env: [
                { name: "CODER_PG_CONNECTION_URL", value: "postgres://coder:hunter2@db/coder" },
                { name: "CODER_OAUTH2_GITHUB_CLIENT_SECRET", value: "abc" },
                { name: "CODER_PROXY_SESSION_TOKEN", value: "abc" },
                { name: "CODER_ACCESS_URL", value: "https://coder.example.com" },
            ],
        })));
        expect(found).toEqual([
            expect.stringMatching(/values.coder.env.\[0\] \(CODER_PG_CONNECTION_URL\) has a literal value: put the secret in a Kubernetes Secret/),
            expect.stringMatching(/values.coder.env.\[0\].value is a URL with a password in it/),
            expect.stringMatching(/\(CODER_OAUTH2_GITHUB_CLIENT_SECRET\) has a literal value/),
            expect.stringMatching(/\(CODER_PROXY_SESSION_TOKEN\) has a literal value/),
        ]);
        expect(rules.noPlaintextSecretsInHelmValues(release("grafana", { adminPassword: "admin", auth: { apiKey: "k", clientSecret: "s" } }))).toHaveLength(3);
    });

    it("pods-on-their-pools: selectors and tolerations of coderd, provisioners, cert-manager", () => {
        const prov = (pool: string, tolerations: Obj[]) => release("coder-provisioner", { coder: { nodeSelector: { [rules.POOL_KEY]: pool }, tolerations } });
        const tol = (value: string) => [{ key: rules.POOL_KEY, operator: "Equal", value, effect: "NoSchedule" }];
        expect(rules.podsOnTheirPools(release("coder", coderValues()))).toEqual([]);
        expect(rules.podsOnTheirPools(prov("provisioners", tol("provisioners")))).toEqual([]);
        expect(rules.podsOnTheirPools(prov("provisioners", [{ key: rules.POOL_KEY, operator: "Exists" }]))).toEqual([]);
        expect(rules.podsOnTheirPools(prov("workspaces", tol("workspaces")))).toEqual([
            expect.stringMatching(/nodeSelector\["coder-refarch\/pool"\] is "workspaces": set it "provisioners"/),
            expect.stringMatching(/tolerations lack .*value: "provisioners"/),
        ]);
        expect(rules.podsOnTheirPools(release("coder", coderValues({ nodeSelector: {}, tolerations: [] })))).toHaveLength(2);
        const sys = { nodeSelector: { [rules.POOL_KEY]: "system" } };
        expect(rules.podsOnTheirPools(release("cert-manager", { ...sys, webhook: sys, cainjector: sys, startupapicheck: sys }))).toEqual([]);
        expect(rules.podsOnTheirPools(release("cert-manager", { ...sys, webhook: sys, cainjector: {}, startupapicheck: sys }))[0]).toMatch(/values.cainjector.nodeSelector.* set it "system"/);
        // the observability bundle's components on the system pool too
        const bundle = (grafana: object) => ({
            grafana, prometheus: { server: sys, alertmanager: sys, "kube-state-metrics": sys },
            loki: { minio: sys, write: sys, read: sys, backend: sys, gateway: sys, chunksCache: sys, resultsCache: sys },
        });
        expect(rules.podsOnTheirPools(release("coder-observability", bundle(sys)))).toEqual([]);
        expect(rules.podsOnTheirPools(release("coder-observability", bundle({ nodeSelector: { [rules.POOL_KEY]: "workspaces" } }))))
            .toEqual([expect.stringMatching(/values\.grafana\.nodeSelector\["coder-refarch\/pool"\] is "workspaces": set it "system"/)]);
    });

    it("the pack wires every rule once, with its level", () => {
        expect(POLICIES.map((p) => [p.name, p.enforcementLevel])).toEqual([
            ["database-high-availability", "mandatory"],
            ["database-private-encrypted", "mandatory"],
            ["database-tls-parameter", "mandatory"],
            ["database-backups", "mandatory"],
            ["database-deletion-protection", "mandatory"],
            ["database-delete-lock", "mandatory"],
            ["coder-pod-resources", "advisory"],
            ["coderd-pool-static", "mandatory"],
            ["workspaces-pool-autoscaling", "advisory"],
            ["no-burstable-machines", "mandatory"],
            ["coderd-in-database-region", "mandatory"],
            ["no-plaintext-secrets-in-helm-values", "mandatory"],
            ["pods-on-their-pools", "mandatory"],
        ]);
    });
});

// ---------------------------------------------------------------------------------------
// The pack on the stacks

describe("policy pack on every stack", () => {
    for (const stack of STACKS) {
        it(`${stack}: no violation (mandatory or advisory)`, async () => {
            const r = await render(stack);
            const raw = readStackConfig(stack).raw;
            const config = packConfigFor(r);
            // secrets as the mocks keep them, and unwrapped as @pulumi/policy hands them to a validation
            expect(show(await runPack(toStack(r, raw, false), config))).toEqual([]);
            expect(show(await runPack(toStack(r, raw, true), config))).toEqual([]);
            // not vacuous: the stack rules find coderd's cluster and the database, each with its region
            const all = stackInput(toStack(r, raw, true).resources.map((x) => x.policyResource));
            const coderd = all.filter((x) => rules.chartOf(x) === "coder" && (x.props.values as Obj).coder.workspaceProxy !== true);
            expect(coderd).toHaveLength(1);
            const cluster = rules.clusterOfRelease(coderd[0]!, all);
            const db = all.filter((x) => ([T.cloudSql, T.rds, T.flexibleServer] as string[]).includes(x.type));
            expect(db).toHaveLength(1);
            expect(rules.regionOf(cluster!)).toBe(r.settings.region);
            expect(rules.regionOf(db[0]!)).toBe(r.settings.region);
        });
    }

    it("a stack without deletion protection is caught without the dev config", async () => {
        const r = await render("dev");
        expect(r.settings.deletionProtection).toBe(false);
        const found = await runPack(toStack(r, readStackConfig("dev").raw, true));
        expect(found.map((v) => v.policy)).toEqual(["database-deletion-protection", "database-deletion-protection", "database-deletion-protection"]);
        expect(found.every((v) => v.level === "mandatory")).toBe(true);
    });

    describe.each(["gcp-3k", "aws-3k", "azure-3k"])("%s without database HA or deletion protection", (stack) => {
        it("is caught with the rules' messages", async () => {
            const raw = rawConfig(stack, { sizing: { database: { highAvailability: false } }, deletionProtection: false });
            const r = await renderConfig(stack, raw);
            const found = await runPack(toStack(r, raw, true));
            const ha = found.filter((v) => v.policy === "database-high-availability");
            expect(ha).toHaveLength(1);
            expect(ha[0]!.level).toBe("mandatory");
            expect(ha[0]!.message).toMatch(/not (highly available|zone-redundant)/);
            expect(found.some((v) => v.policy === "database-deletion-protection" && /not protected in Pulumi/.test(v.message))).toBe(true);
            if (stack === "azure-3k") expect(found.some((v) => v.policy === "database-delete-lock")).toBe(true);
            // nothing else of the stack breaks a rule
            expect(found.filter((v) => !v.policy.startsWith("database-"))).toEqual([]);
        });
    });
});
