/**
 * The rules of the coder-refarch policy pack, as pure functions: each takes a resource
 * (`{type, name, props, opts, provider}`, as @pulumi/policy hands it to a resource policy) or
 * the stack's resources (as a stack policy gets them) and returns what is wrong, each message
 * saying what to change. policies.ts wires them into the pack; the tests call them directly.
 *
 * This module imports nothing: it runs inside the policy pack (policy/node_modules) and
 * inside the project's tests alike.
 *
 * Values a rule cannot judge are skipped, never reported:
 * - during `pulumi preview` a property computed from another resource's output is unknown
 *   (the engine's sentinel strings, UNKNOWNS below); `pulumi up` runs the pack again with
 *   the value known before the resource is created or updated;
 * - a secret is a secret marker under Pulumi's mocks (the offline preview and the tests);
 *   the policy SDK hands secrets to a validation already unwrapped.
 */

/** The label (and taint key) that names a node pool's role: system, coderd, provisioners, workspaces. */
export const POOL_KEY = "coder-refarch/pool";

export interface ProviderInput {
    type: string;
    name?: string;
    urn?: string;
    props: Record<string, unknown>;
}

/** A resource as a resource policy sees it (ResourceValidationArgs, its plain parts). */
export interface ResourceInput {
    type: string;
    name: string;
    urn?: string;
    /** the resource's inputs (a resource policy) or outputs (a stack policy) */
    props: Record<string, unknown>;
    /** Pulumi's resource options: `protect` as the engine resolves it */
    opts?: { protect?: boolean };
    /** the provider the resource is created with (default or explicit) */
    provider?: ProviderInput;
}

/** A resource as a stack policy sees it (PolicyResource, its plain parts). */
export interface StackResourceInput extends ResourceInput {
    parent?: StackResourceInput;
    dependencies?: StackResourceInput[];
    propertyDependencies?: Record<string, StackResourceInput[]>;
}

export interface StackViolation {
    message: string;
    /** the resource the violation is about */
    urn?: string;
}

/** The pack's configuration (`--policy-pack-config`), per policy; every key optional. */
export interface RuleConfig {
    /** no-burstable-machines: accept burstable types (a stack with `coder-refarch:machineTypes: asNamed`) */
    allowBurstable?: boolean;
    /**
     * coder-pod-resources: how far coderd's (or a proxy's) CPU limit may exceed its request.
     * Default 4/3: the 2k tier's 3000m request and 4000m limit (seed 002 measured coderd peaking
     * at 3.7 vCPU); every other tier sets requests = limits.
     */
    maxCpuLimitToRequest?: number;
}

export const DEFAULT_MAX_CPU_LIMIT_TO_REQUEST = 4 / 3;

// ---------------------------------------------------------------------------------------
// Values: unknowns, secrets, paths

/** The engine's markers of values unknown during preview (pulumi-policy proxy.ts; one a kind). */
const UNKNOWNS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the SDK's generic unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** Pulumi's secret signature, as the SDK (and its mocks) serialize a secret. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export const isUnknown = (v: unknown): boolean => typeof v === "string" && UNKNOWNS.has(v);

/** A secret still wrapped: Pulumi's serialized form, or @pulumi/policy's Secret (remediations). */
export function isSecretMarker(v: unknown): v is { value: unknown } {
    if (!v || typeof v !== "object") return false;
    const o = v as Record<string, unknown>;
    return o[SECRET_SIG] === SECRET_VALUE || (o.constructor?.name === "Secret" && "value" in o);
}

/** A deep copy with secret markers unwrapped: for rules that read structure, not secrecy. */
export function open(v: unknown): unknown {
    if (isSecretMarker(v)) return open(v.value);
    if (Array.isArray(v)) return v.map(open);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, open(x)]));
    return v;
}

/** Marks a value (or one on its path) unknown during preview. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
type Read = unknown | typeof UNKNOWN;

/** The value at a dotted path; UNKNOWN where the value or an object on the way is unknown. */
export function read(obj: unknown, path: string): Read {
    let v: unknown = open(obj);
    for (const key of path.split(".")) {
        if (isUnknown(v)) return UNKNOWN;
        if (!v || typeof v !== "object") return undefined;
        v = (v as Record<string, unknown>)[key];
    }
    return isUnknown(v) ? UNKNOWN : v;
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const q = (v: unknown): string => (typeof v === "string" ? `"${v}"` : v === undefined ? "unset" : JSON.stringify(v));

/**
 * The checks of one resource: each `need(value, ok, message)` reports when the value is
 * known and fails; an unknown value is left to `pulumi up`.
 */
function checker() {
    const out: string[] = [];
    return {
        out,
        need(value: Read, ok: (v: unknown) => boolean, message: (v: unknown) => string) {
            if (value === UNKNOWN) return;
            if (!ok(value)) out.push(message(value));
        },
    };
}

// ---------------------------------------------------------------------------------------
// Resource types

export const T = {
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    rds: "aws:rds/instance:Instance",
    rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    flexibleServer: "azure-native:dbforpostgresql:Server",
    flexibleConfiguration: "azure-native:dbforpostgresql:Configuration",
    azureLock: "azure-native:authorization:ManagementLockByScope",
    gkeCluster: "gcp:container/cluster:Cluster",
    gkePool: "gcp:container/nodePool:NodePool",
    eksCluster: "aws:eks/cluster:Cluster",
    eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    aksCluster: "azure-native:containerservice:ManagedCluster",
    aksPool: "azure-native:containerservice:AgentPool",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChartV4: "kubernetes:helm.sh/v4:Chart",
} as const;

const DATABASES: readonly string[] = [T.cloudSql, T.rds, T.flexibleServer];
const CLUSTERS: readonly string[] = [T.gkeCluster, T.eksCluster, T.aksCluster];

/** The chart's name of a Helm release (`coder`, also from `repo/coder` or an OCI reference). */
export function chartOf(r: ResourceInput): string | undefined {
    if (r.type !== T.helmRelease && r.type !== T.helmChartV4) return undefined;
    const c = read(r.props, "chart");
    return typeof c === "string" ? c.split("/").pop() : undefined;
}

// ---------------------------------------------------------------------------------------
// 1. The database: HA, private, encrypted and TLS-only, backed up, protected

const CLOUD_SQL_TLS = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

/** HA: a managed standby in a second zone. */
export function databaseHighAvailability(r: ResourceInput): string[] {
    const c = checker();
    const p = r.props;
    if (r.type === T.cloudSql) {
        c.need(read(p, "settings.availabilityType"), (v) => v === "REGIONAL",
            (v) => `Cloud SQL instance ${r.name} is not highly available (availabilityType ${q(v)}): set settings.availabilityType to "REGIONAL" ` +
                `(a standby in a second zone; coder-refarch:sizing.database.highAvailability true)`);
    } else if (r.type === T.rds) {
        c.need(read(p, "multiAz"), (v) => v === true,
            () => `RDS instance ${r.name} is not highly available: set multiAz true (a standby in a second zone; coder-refarch:sizing.database.highAvailability true)`);
    } else if (r.type === T.flexibleServer) {
        c.need(read(p, "highAvailability.mode"), (v) => v === "ZoneRedundant",
            (v) => `Flexible Server ${r.name} is not zone-redundant (highAvailability.mode ${q(v)}): set highAvailability.mode "ZoneRedundant" ` +
                `with a standbyAvailabilityZone (coder-refarch:sizing.database.highAvailability true)`);
        const zone = read(p, "availabilityZone");
        const standby = read(p, "highAvailability.standbyAvailabilityZone");
        if (read(p, "highAvailability.mode") === "ZoneRedundant" && zone !== UNKNOWN) {
            c.need(standby, (v) => typeof v === "string" && v !== "" && v !== zone,
                (v) => `Flexible Server ${r.name}'s standby zone ${q(v)} is not a zone other than its own (${q(zone)}): set highAvailability.standbyAvailabilityZone to another zone`);
        }
    }
    return c.out;
}

/** Private (no public endpoint), encrypted at rest where the cloud leaves it optional, TLS-only. */
export function databasePrivateEncrypted(r: ResourceInput): string[] {
    const c = checker();
    const p = r.props;
    if (r.type === T.cloudSql) {
        c.need(read(p, "settings.ipConfiguration.ipv4Enabled"), (v) => v === false,
            () => `Cloud SQL instance ${r.name} has a public IP: set settings.ipConfiguration.ipv4Enabled false (coderd reaches it over private services access)`);
        c.need(read(p, "settings.ipConfiguration.privateNetwork"), (v) => typeof v === "string" && v !== "",
            () => `Cloud SQL instance ${r.name} has no private network: set settings.ipConfiguration.privateNetwork to the cluster's VPC`);
        c.need(read(p, "settings.ipConfiguration.sslMode"), (v) => CLOUD_SQL_TLS.includes(v as string),
            (v) => `Cloud SQL instance ${r.name} accepts connections without TLS (sslMode ${q(v)}): set settings.ipConfiguration.sslMode "ENCRYPTED_ONLY"`);
    } else if (r.type === T.rds) {
        // AWS's default is private; only an explicit true exposes the instance.
        c.need(read(p, "publiclyAccessible"), (v) => v !== true,
            () => `RDS instance ${r.name} is publicly accessible: set publiclyAccessible false`);
        c.need(read(p, "dbSubnetGroupName"), (v) => typeof v === "string" && v !== "",
            () => `RDS instance ${r.name} has no DB subnet group: set dbSubnetGroupName to a group of the cluster's private subnets`);
        c.need(read(p, "storageEncrypted"), (v) => v === true,
            () => `RDS instance ${r.name} is not encrypted at rest: set storageEncrypted true (with a KMS key)`);
    } else if (r.type === T.flexibleServer) {
        c.need(read(p, "network.publicNetworkAccess"), (v) => v === "Disabled",
            (v) => `Flexible Server ${r.name} allows public network access (${q(v)}): set network.publicNetworkAccess "Disabled"`);
        c.need(read(p, "network.delegatedSubnetResourceId"), (v) => typeof v === "string" && v !== "",
            () => `Flexible Server ${r.name} is not in a delegated subnet: set network.delegatedSubnetResourceId (private access, VNet integration)`);
    } else if (r.type === T.flexibleConfiguration && read(p, "configurationName") === "require_secure_transport") {
        c.need(read(p, "value"), (v) => !(typeof v === "string" && ["off", "0", "false"].includes(v.toLowerCase())),
            (v) => `Flexible Server configuration ${r.name} turns require_secure_transport ${q(v)}: set it "on" (TLS-only connections)`);
    }
    return c.out;
}

/** Backups with point-in-time recovery. */
export function databaseBackups(r: ResourceInput): string[] {
    const c = checker();
    const p = r.props;
    if (r.type === T.cloudSql) {
        c.need(read(p, "settings.backupConfiguration.enabled"), (v) => v === true,
            () => `Cloud SQL instance ${r.name} has no automated backups: set settings.backupConfiguration.enabled true`);
        c.need(read(p, "settings.backupConfiguration.pointInTimeRecoveryEnabled"), (v) => v === true,
            () => `Cloud SQL instance ${r.name} has no point-in-time recovery: set settings.backupConfiguration.pointInTimeRecoveryEnabled true`);
    } else if (r.type === T.rds) {
        c.need(read(p, "backupRetentionPeriod"), (v) => typeof v === "number" && v > 0,
            (v) => `RDS instance ${r.name} keeps no automated backups (backupRetentionPeriod ${q(v)}): set backupRetentionPeriod to 7 or more days (point-in-time restore within it)`);
    } else if (r.type === T.flexibleServer) {
        c.need(read(p, "backup.backupRetentionDays"), (v) => typeof v === "number" && v >= 7,
            (v) => `Flexible Server ${r.name} keeps backups ${q(v)} days: set backup.backupRetentionDays to 7 or more`);
    }
    return c.out;
}

/** Deletion protection on the cloud's side and Pulumi's (`protect`). */
export function databaseDeletionProtection(r: ResourceInput): string[] {
    const c = checker();
    const p = r.props;
    const protect = () => {
        if (r.opts?.protect !== true) {
            c.out.push(`${r.type.split(":").pop()} ${r.name} is not protected in Pulumi: give it the resource option protect: true ` +
                `(coder-refarch:deletionProtection true), so \`pulumi destroy\` cannot delete Coder's data`);
        }
    };
    if (r.type === T.cloudSql) {
        // the provider's own guard defaults to true: only an explicit false turns it off
        c.need(read(p, "deletionProtection"), (v) => v !== false,
            () => `Cloud SQL instance ${r.name} sets deletionProtection false: leave it true (coder-refarch:deletionProtection true)`);
        c.need(read(p, "settings.deletionProtectionEnabled"), (v) => v === true,
            () => `Cloud SQL instance ${r.name} has no GCP-side deletion protection: set settings.deletionProtectionEnabled true (coder-refarch:deletionProtection true)`);
        protect();
    } else if (r.type === T.rds) {
        c.need(read(p, "deletionProtection"), (v) => v === true,
            () => `RDS instance ${r.name} has no deletion protection: set deletionProtection true (coder-refarch:deletionProtection true)`);
        protect();
    } else if (r.type === T.flexibleServer) {
        // the cloud side is a CanNotDelete lock: the stack policy database-delete-lock
        protect();
    }
    return c.out;
}

/** RDS: TLS-only through its parameter group (`rds.force_ssl` 1). A stack policy. */
export function rdsForceSsl(resources: StackResourceInput[]): StackViolation[] {
    const out: StackViolation[] = [];
    const groups = resources.filter((x) => x.type === T.rdsParameterGroup);
    for (const db of resources.filter((x) => x.type === T.rds)) {
        const name = read(db.props, "parameterGroupName");
        if (name === UNKNOWN) continue;
        if (typeof name !== "string" || name === "") {
            out.push({ urn: db.urn, message: `RDS instance ${db.name} uses the default parameter group: give it one of its own with rds.force_ssl "1" (TLS-only connections)` });
            continue;
        }
        const group = groups.find((g) => read(g.props, "name") === name)
            ?? groups.find((g) => (db.propertyDependencies?.parameterGroupName ?? []).some((d) => d === g || (d.urn !== undefined && d.urn === g.urn)));
        if (!group) continue; // a group from outside the stack: not ours to judge
        const params = read(group.props, "parameters");
        if (params === UNKNOWN) continue;
        const forceSsl = (Array.isArray(params) ? params : []).map(asObj).find((x) => x?.name === "rds.force_ssl");
        if (forceSsl && isUnknown(forceSsl.value)) continue;
        if (String(forceSsl?.value) !== "1") {
            out.push({ urn: group.urn, message: `RDS parameter group ${group.name} (of ${db.name}) does not force TLS (rds.force_ssl ${q(forceSsl?.value)}): add the parameter rds.force_ssl "1"` });
        }
    }
    return out;
}

/** The id a resource's props carry, or its URN's dependency: is `scope` the server? */
function refersTo(holder: StackResourceInput, key: string, target: StackResourceInput): boolean {
    if ((holder.propertyDependencies?.[key] ?? []).some((d) => d === target || (d.urn !== undefined && d.urn === target.urn))) return true;
    const v = read(holder.props, key);
    if (typeof v !== "string") return false;
    const id = read(target.props, "id");
    const serverName = read(target.props, "name") ?? read(target.props, "serverName");
    return (typeof id === "string" && v === id) ||
        (typeof serverName === "string" && v.toLowerCase().endsWith(`/flexibleservers/${serverName.toLowerCase()}`));
}

/** Azure: a CanNotDelete lock on the Flexible Server. A stack policy. */
export function azureDatabaseLock(resources: StackResourceInput[]): StackViolation[] {
    const locks = resources.filter((x) => x.type === T.azureLock && read(x.props, "level") === "CanNotDelete");
    return resources.filter((x) => x.type === T.flexibleServer)
        .filter((s) => !locks.some((l) => refersTo(l, "scope", s) || read(l.props, "scope") === UNKNOWN))
        .map((s) => ({
            urn: s.urn,
            message: `Flexible Server ${s.name} has no CanNotDelete lock: add an azure-native:authorization:ManagementLockByScope with level "CanNotDelete" ` +
                `and scope the server's id (coder-refarch:deletionProtection true)`,
        }));
}

// ---------------------------------------------------------------------------------------
// 2. Pod resources of coderd, proxies and provisioners (Helm values)

/** CPU in millicores ("2000m", "2", 0.5); undefined if unparseable. */
export function cpuMillis(v: unknown): number | undefined {
    if (typeof v === "number") return v * 1000;
    if (typeof v !== "string") return undefined;
    const m = /^([0-9.]+(?:e[0-9]+)?)(m?)$/.exec(v.trim());
    if (!m) return undefined;
    return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

const MEMORY_UNITS: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Memory in bytes ("8192Mi", "8Gi", 1073741824); undefined if unparseable. */
export function memoryBytes(v: unknown): number | undefined {
    if (typeof v === "number") return v;
    if (typeof v !== "string") return undefined;
    const m = /^([0-9.]+(?:e[0-9]+)?)([kMGTPE]i?|Ki)?$/.exec(v.trim());
    if (!m) return undefined;
    const unit = MEMORY_UNITS[m[2] ?? ""];
    return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** The values of a release, unless unknown (during preview) or absent. */
function valuesOf(r: ResourceInput): Obj | undefined {
    const v = read(r.props, "values");
    return v === UNKNOWN ? undefined : asObj(v);
}

/**
 * coderd and proxies: requests and limits set, memory request = limit, the CPU limit at most
 * `maxCpuLimitToRequest` times the request (requests = limits in every tier but 2k's CPU).
 * Provisioners: requests and limits set, requests within limits (2k/3k burst to 1000m / 1Gi).
 */
export function coderPodResources(r: ResourceInput, config: RuleConfig = {}): string[] {
    const chart = chartOf(r);
    if (chart !== "coder" && chart !== "coder-provisioner") return [];
    const values = valuesOf(r);
    if (!values) return [];
    const resources = read(values, "coder.resources");
    if (resources === UNKNOWN) return [];
    const who = chart === "coder"
        ? (read(values, "coder.workspaceProxy") === true ? `the workspace proxy release ${r.name}` : `coderd's release ${r.name}`)
        : `the provisioners' release ${r.name}`;
    const get = (path: string) => read(resources, path);
    const out: string[] = [];
    const fix = chart === "coder" ? "coder-refarch:sizing.coderd (sizing.proxy for proxies)" : "coder-refarch:sizing.provisioners";
    const parsed = {
        cpuRequest: cpuMillis(get("requests.cpu")), cpuLimit: cpuMillis(get("limits.cpu")),
        memRequest: memoryBytes(get("requests.memory")), memLimit: memoryBytes(get("limits.memory")),
    };
    const missing = (["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const)
        .filter((k) => get(k) !== UNKNOWN)
        .filter((k) => (k === "requests.cpu" ? parsed.cpuRequest : k === "limits.cpu" ? parsed.cpuLimit : k === "requests.memory" ? parsed.memRequest : parsed.memLimit) === undefined);
    if (missing.length) {
        out.push(`${who} sets no ${missing.join(", ")} in values.coder.resources: set requests and limits for CPU and memory (${fix})`);
    }
    const { cpuRequest, cpuLimit, memRequest, memLimit } = parsed;
    if (cpuRequest !== undefined && cpuLimit !== undefined && cpuLimit < cpuRequest) {
        out.push(`${who} requests more CPU (${cpuRequest}m) than its limit (${cpuLimit}m): raise the limit to the request (${fix})`);
    }
    if (memRequest !== undefined && memLimit !== undefined && memLimit < memRequest) {
        out.push(`${who} requests more memory than its limit: raise the limit to the request (${fix})`);
    }
    if (chart === "coder") {
        if (memRequest !== undefined && memLimit !== undefined && memLimit !== memRequest) {
            out.push(`${who}'s memory request (${q(get("requests.memory"))}) is not its limit (${q(get("limits.memory"))}): set them equal, ` +
                `so the pods are never OOM-killed or evicted for memory they were not given (${fix})`);
        }
        const ratio = config.maxCpuLimitToRequest ?? DEFAULT_MAX_CPU_LIMIT_TO_REQUEST;
        if (cpuRequest !== undefined && cpuLimit !== undefined && cpuLimit > cpuRequest * ratio + 1e-6) {
            out.push(`${who}'s CPU limit (${cpuLimit}m) exceeds its request (${cpuRequest}m) more than ${ratio.toFixed(2)} times: ` +
                `set requests = limits as the reference architectures do (${fix})`);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// 3. Pools: coderd static, workspaces autoscaling

/** A node pool of a resource: its role (label coder-refarch/pool) and how it scales. */
interface PoolScaling {
    /** what the message calls it */
    what: string;
    role: unknown;
    /** undefined: not autoscaling; min/max in nodes (GKE per-zone limits stay per zone) */
    autoscaling?: { min: number; max: number; perZone?: boolean };
    /** a value on the way was unknown */
    unknown?: boolean;
}

function poolsOf(r: ResourceInput): PoolScaling[] {
    const p = r.props;
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    if (r.type === T.gkePool) {
        const auto = read(p, "autoscaling");
        const role = read(p, `nodeConfig.labels.${POOL_KEY}`);
        if (auto === UNKNOWN || role === UNKNOWN) return [{ what: `GKE node pool ${r.name}`, role, unknown: true }];
        const a = asObj(auto);
        if (!a) return [{ what: `GKE node pool ${r.name}`, role }];
        const total = a.totalMinNodeCount !== undefined || a.totalMaxNodeCount !== undefined;
        const min = num(total ? a.totalMinNodeCount : a.minNodeCount) ?? 0;
        const max = num(total ? a.totalMaxNodeCount : a.maxNodeCount) ?? 0;
        return [{ what: `GKE node pool ${r.name}`, role, autoscaling: { min, max, perZone: !total } }];
    }
    if (r.type === T.eksNodeGroup) {
        const role = read(p, `labels`);
        const min = read(p, "scalingConfig.minSize");
        const max = read(p, "scalingConfig.maxSize");
        const label = role === UNKNOWN ? UNKNOWN : asObj(role)?.[POOL_KEY];
        if (min === UNKNOWN || max === UNKNOWN || label === UNKNOWN) return [{ what: `EKS node group ${r.name}`, role: label, unknown: true }];
        return [{ what: `EKS node group ${r.name}`, role: label, autoscaling: num(min) !== num(max) ? { min: num(min) ?? 0, max: num(max) ?? 0 } : undefined }];
    }
    const aks = (what: string, x: unknown): PoolScaling => {
        const o = asObj(x) ?? {};
        const labels = o.nodeLabels;
        if (isUnknown(labels) || isUnknown(o.enableAutoScaling) || isUnknown(o.minCount) || isUnknown(o.maxCount)) return { what, role: undefined, unknown: true };
        const role = asObj(labels)?.[POOL_KEY];
        return { what, role, autoscaling: o.enableAutoScaling === true ? { min: num(o.minCount) ?? 0, max: num(o.maxCount) ?? 0 } : undefined };
    };
    if (r.type === T.aksPool) return [aks(`AKS pool ${r.name}`, open(p))];
    if (r.type === T.aksCluster) {
        const profiles = read(p, "agentPoolProfiles");
        if (!Array.isArray(profiles)) return [];
        return profiles.map((x) => aks(`AKS pool ${String(asObj(x)?.name ?? "?")} of ${r.name}`, x));
    }
    return [];
}

/**
 * coderd's pool is static ("The Coder control plane node group must be static"): a fixed
 * size, or on GKE total autoscaling limits at most one node apart (a node a replica, plus the
 * rollout's surge node; coderd's pods are not evictable, so scale-down only removes an empty node).
 */
export function coderdPoolStatic(r: ResourceInput): string[] {
    return poolsOf(r).filter((x) => !x.unknown && x.role === "coderd" && x.autoscaling).flatMap((x) => {
        const a = x.autoscaling!;
        if (r.type === T.gkePool && !a.perZone && a.max - a.min <= 1) return [];
        if (a.min === a.max) return [];
        const fix = r.type === T.gkePool
            ? "a fixed nodeCount, or totalMinNodeCount = coderd's replicas and totalMaxNodeCount at most one more"
            : r.type === T.eksNodeGroup ? "scalingConfig minSize = maxSize" : "enableAutoScaling false with a fixed count";
        return [`${x.what} (coderd) autoscales between ${a.min} and ${a.max} nodes${a.perZone ? " a zone" : ""}: the control plane's pool must be static — set ${fix}`];
    });
}

/** The workspaces pool autoscales, so it grows with the workspaces running and shrinks after. */
export function workspacesPoolAutoscaling(r: ResourceInput): string[] {
    return poolsOf(r).filter((x) => !x.unknown && x.role === "workspaces").flatMap((x) => {
        if (x.autoscaling && x.autoscaling.max > x.autoscaling.min) return [];
        const fix = r.type === T.gkePool
            ? "an autoscaling block with totalMaxNodeCount above totalMinNodeCount"
            : r.type === T.eksNodeGroup ? "scalingConfig maxSize above minSize (cluster-autoscaler resizes the group)" : "enableAutoScaling true with maxCount above minCount";
        return [`${x.what} (workspaces) does not autoscale: set ${fix}`];
    });
}

// ---------------------------------------------------------------------------------------
// 4. No burstable machine types

/**
 * Burstable (CPU-credit or shared-core) types. GCP: the shared-core E2 types and the first
 * generation's f1/g1 (not Tau T2D/T2A, which are dedicated cores); Cloud SQL's shared-core
 * tiers. AWS: the T families. Azure: the B series and Flexible Server's Burstable tier.
 */
export function isBurstable(machine: string): boolean {
    return /^(e2-(micro|small|medium)|f1-micro|g1-small)$/.test(machine) ||
        /^db-(f1-micro|g1-small)$/.test(machine) ||
        /^(db\.)?t\d[a-z]*\./.test(machine) ||
        /^Standard_B/i.test(machine);
}

export function noBurstableMachines(r: ResourceInput, config: RuleConfig = {}): string[] {
    if (config.allowBurstable === true) return [];
    const p = r.props;
    const found: { where: string; machine: unknown }[] = [];
    const at = (where: string, path: string) => found.push({ where, machine: read(p, path) });
    switch (r.type) {
        case T.gkePool: at("nodeConfig.machineType", "nodeConfig.machineType"); break;
        case T.gkeCluster: at("nodeConfig.machineType", "nodeConfig.machineType"); break;
        case T.cloudSql: at("settings.tier", "settings.tier"); break;
        case T.eksNodeGroup: {
            const types = read(p, "instanceTypes");
            if (Array.isArray(types)) types.forEach((t, i) => found.push({ where: `instanceTypes[${i}]`, machine: t }));
            break;
        }
        case T.launchTemplate: at("instanceType", "instanceType"); break;
        case T.rds: at("instanceClass", "instanceClass"); break;
        case T.aksPool: at("vmSize", "vmSize"); break;
        case T.aksCluster: {
            const profiles = read(p, "agentPoolProfiles");
            if (Array.isArray(profiles)) profiles.forEach((x, i) => found.push({ where: `agentPoolProfiles[${i}].vmSize`, machine: asObj(x)?.vmSize }));
            break;
        }
        case T.flexibleServer: {
            at("sku.name", "sku.name");
            const tier = read(p, "sku.tier");
            if (tier === "Burstable") found.push({ where: "sku.tier", machine: "Burstable" });
            break;
        }
    }
    return found.filter((f) => typeof f.machine === "string" && !isUnknown(f.machine) && (f.machine === "Burstable" || isBurstable(f.machine)))
        .map((f) => `${r.name}: ${f.where} ${q(f.machine)} is burstable (CPU credits or a shared core run out under Coder's steady load; the seeds advise against them in production): ` +
            `choose a non-burstable type of the same size (coder-refarch:sizing), or, for a stack that deploys the pages' named types on purpose ` +
            `(coder-refarch:machineTypes asNamed), set this policy's allowBurstable true in the policy pack config`);
}

// ---------------------------------------------------------------------------------------
// 5. coderd in the database's region

const normRegion = (v: string) => v.toLowerCase().replace(/\s+/g, "");

/** A cluster's or a database's region, as its props (or its provider's) say; UNKNOWN/undefined otherwise. */
export function regionOf(r: ResourceInput): string | typeof UNKNOWN | undefined {
    const provider = (key: string) => (r.provider ? read(r.provider.props, key) : undefined);
    const pick = (...vs: Read[]): string | typeof UNKNOWN | undefined => {
        for (const v of vs) {
            if (v === UNKNOWN) return UNKNOWN;
            if (typeof v === "string" && v !== "") return normRegion(v);
        }
        return undefined;
    };
    switch (r.type) {
        case T.gkeCluster: {
            const loc = pick(read(r.props, "location"), provider("region"));
            // a zonal cluster's location is a zone: its region drops the zone's letter
            return typeof loc === "string" ? loc.replace(/^([a-z]+-[a-z]+\d+)-[a-z]$/, "$1") : loc;
        }
        case T.cloudSql: return pick(read(r.props, "region"), provider("region"));
        case T.eksCluster:
        case T.rds: return pick(read(r.props, "region"), provider("region"));
        case T.aksCluster:
        case T.flexibleServer: return pick(read(r.props, "location"), provider("location"));
    }
    return undefined;
}

const sameResource = (a: StackResourceInput | undefined, b: StackResourceInput | undefined) =>
    !!a && !!b && (a === b || (a.urn !== undefined && a.urn === b.urn));

/** The cluster a Helm release deploys to: the cluster beside its Kubernetes provider (same parent), or the stack's only cluster. */
export function clusterOfRelease(release: StackResourceInput, resources: StackResourceInput[]): StackResourceInput | undefined {
    const clusters = resources.filter((x) => CLUSTERS.includes(x.type));
    const p = release.provider;
    const provider = p ? resources.find((x) => (p.urn !== undefined && x.urn === p.urn) || (x.type === p.type && x.name === p.name)) : undefined;
    if (provider?.parent) {
        const beside = clusters.filter((c) => sameResource(c.parent, provider.parent));
        if (beside.length === 1) return beside[0];
    }
    return clusters.length === 1 ? clusters[0] : undefined;
}

/** coderd (the coder release that is not a workspace proxy) runs in the database's region. A stack policy. */
export function coderdInDatabaseRegion(resources: StackResourceInput[]): StackViolation[] {
    const databases = resources.filter((x) => DATABASES.includes(x.type));
    if (!databases.length) return [];
    const out: StackViolation[] = [];
    for (const release of resources.filter((x) => chartOf(x) === "coder")) {
        const values = valuesOf(release);
        const proxy = values ? read(values, "coder.workspaceProxy") : UNKNOWN;
        if (proxy === true || proxy === UNKNOWN) continue;
        const cluster = clusterOfRelease(release, resources);
        if (!cluster) continue;
        const where = regionOf(cluster);
        if (typeof where !== "string") continue;
        for (const db of databases) {
            const dbRegion = regionOf(db);
            if (typeof dbRegion !== "string" || dbRegion === where) continue;
            out.push({
                urn: release.urn,
                message: `coderd (release ${release.name}) runs on cluster ${cluster.name} in ${where}, but its database ${db.name} is in ${dbRegion}: ` +
                    `deploy coderd in the database's region (coder-refarch:region); other regions get workspace proxies (coder-refarch:proxyRegions)`,
            });
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// 6. No secret in clear in Helm values

const SECRET_WORDS = new Set(["password", "passwd", "pwd", "passphrase", "token", "secret", "psk", "credential", "credentials", "apikey", "privatekey"]);
/** Words of keys that name a Secret object rather than hold a secret (existingSecret, mountSecret, secretRef). */
const SECRET_REFERENCE_WORDS = new Set(["existing", "mount", "mounted", "ref", "from"]);
const SECRET_KEY_QUALIFIERS = new Set(["api", "private", "access", "signing", "encryption", "client", "license"]);

const wordsOf = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/**
 * A key that names a secret value: its last word is password, token, secret, psk ... or it is
 * an API/private/access key. Keys that name a Secret object (secretName, pskSecretName,
 * keySecretKey, existingSecret, mountSecret) end otherwise or say "existing", "mount", "ref".
 */
export function keyLooksSecret(key: string): boolean {
    const w = wordsOf(key);
    const last = w[w.length - 1];
    if (!last || w.some((x) => SECRET_REFERENCE_WORDS.has(x))) return false;
    if (SECRET_WORDS.has(last)) return true;
    return last === "key" && SECRET_KEY_QUALIFIERS.has(w[w.length - 2] ?? "");
}

/** An env var that holds a secret: the database URL, or *_SECRET, *_TOKEN, *_PASSWORD, *_PSK, *_API_KEY ... */
export function envLooksSecret(name: string): boolean {
    return name === "CODER_PG_CONNECTION_URL" ||
        /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PSK|PASSPHRASE|CREDENTIALS)$/.test(name) ||
        /(^|_)(API|PRIVATE|ACCESS|SIGNING|ENCRYPTION|LICENSE)_KEY$/.test(name);
}

/** A URL with a password in it (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Walks values; reports plain, non-empty strings where a secret goes. Secret markers and unknowns pass. */
function plaintextSecrets(v: unknown, path: string[], out: string[]): void {
    if (isSecretMarker(v) || isUnknown(v)) return;
    if (Array.isArray(v)) {
        v.forEach((x, i) => {
            const o = asObj(x);
            // an env entry: { name, value } instead of { name, valueFrom }
            if (o && typeof o.name === "string" && "value" in o && envLooksSecret(o.name) && typeof o.value === "string" && o.value !== "" && !isUnknown(o.value)) {
                out.push(`${[...path, `[${i}]`].join(".")} (${o.name}) has a literal value`);
            }
            plaintextSecrets(x, [...path, `[${i}]`], out);
        });
        return;
    }
    const o = asObj(v);
    if (!o) return;
    for (const [k, x] of Object.entries(o)) {
        const at = [...path, k];
        if (typeof x === "string" && x !== "" && !isUnknown(x)) {
            if (keyLooksSecret(k)) out.push(`${at.join(".")} is a literal value`);
            else if (URL_WITH_PASSWORD.test(x)) out.push(`${at.join(".")} is a URL with a password in it`);
        } else {
            plaintextSecrets(x, at, out);
        }
    }
}

/**
 * No secret in clear in a Helm release's values: Helm keeps values in the release's own
 * Secret and Pulumi in the stack's state, and an env `value` is readable by anyone who may
 * read the pod. Secrets belong in a Kubernetes Secret, referenced (`valueFrom.secretKeyRef`,
 * the charts' `*SecretName` keys).
 */
export function noPlaintextSecretsInHelmValues(r: ResourceInput): string[] {
    if (r.type !== T.helmRelease && r.type !== T.helmChartV4) return [];
    const values = read(r.props, "values");
    if (values === UNKNOWN) return [];
    const found: string[] = [];
    // keep secret markers: a secret stays a secret
    plaintextSecrets(r.props.values, ["values"], found);
    return found.map((f) => `Helm release ${r.name}: ${f}: put the secret in a Kubernetes Secret and reference it ` +
        `(an env entry's valueFrom.secretKeyRef, the chart's *SecretName value; coder-refarch:coderSecretEnv for coderd's env)`);
}

// ---------------------------------------------------------------------------------------
// 7. Every pod of ours on its own pool

interface Placement { path: string; pool: string; tainted: boolean }

/** Where each chart's pods go: the values object holding nodeSelector/tolerations, and its pool. */
const PLACEMENTS: Record<string, Placement[]> = {
    "coder": [{ path: "coder", pool: "coderd", tainted: true }],
    "coder-provisioner": [{ path: "coder", pool: "provisioners", tainted: true }],
    "cert-manager": ["", "webhook", "cainjector", "startupapicheck"].map((path) => ({ path, pool: "system", tainted: false })),
    "cluster-autoscaler": [{ path: "", pool: "system", tainted: false }],
    // Coder's observability bundle: every component but the per-node collectors (grafana-agent, node-exporter)
    "coder-observability": [
        "grafana", "prometheus.server", "prometheus.alertmanager", "prometheus.kube-state-metrics",
        "loki.minio", "loki.write", "loki.read", "loki.backend", "loki.gateway", "loki.chunksCache", "loki.resultsCache",
    ].map((path) => ({ path, pool: "system", tainted: false })),
};

const tolerates = (tolerations: unknown, pool: string) => Array.isArray(tolerations) && tolerations.map(asObj).some((t) =>
    t !== undefined && t.key === POOL_KEY && (t.effect === undefined || t.effect === "" || t.effect === "NoSchedule") &&
    (t.operator === "Exists" || ((t.operator === undefined || t.operator === "Equal") && t.value === pool)));

/**
 * coderd (and proxies) on the coderd pool, provisioners on theirs, both with the toleration of
 * its taint; cert-manager, cluster-autoscaler and the observability bundle on the untainted system pool.
 */
export function podsOnTheirPools(r: ResourceInput): string[] {
    const chart = chartOf(r);
    const placements = chart ? PLACEMENTS[chart] : undefined;
    if (!placements) return [];
    const values = valuesOf(r);
    if (!values) return [];
    const out: string[] = [];
    for (const p of placements) {
        const base = p.path ? `${p.path}.` : "";
        const selector = read(values, `${base}nodeSelector`);
        const tolerations = read(values, `${base}tolerations`);
        const at = `values.${base}`;
        if (selector !== UNKNOWN) {
            const pool = asObj(selector)?.[POOL_KEY];
            if (pool !== p.pool && !isUnknown(pool)) {
                out.push(`Helm release ${r.name} (${chart}): ${at}nodeSelector["${POOL_KEY}"] is ${q(pool)}: set it "${p.pool}", so its pods run on the ${p.pool} pool`);
            }
        }
        if (p.tainted && tolerations !== UNKNOWN && !tolerates(tolerations, p.pool)) {
            out.push(`Helm release ${r.name} (${chart}): ${at}tolerations lack { key: "${POOL_KEY}", operator: "Equal", value: "${p.pool}", effect: "NoSchedule" }: ` +
                `add it, or the pods never schedule on the ${p.pool} pool's tainted nodes`);
        }
    }
    return out;
}
