/**
 * Stack configuration: one schema, validated once at start-up.
 *
 * Pulumi.yaml declares every key (type, default, description); the Pulumi CLI fills in
 * the defaults before the program starts. This module checks what it is given, reports
 * every bad key at once, and registers no resource when anything is wrong.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CLOUDS, CloudName, MIN_SERVICE_ADDRESSES, REGIONS, TIERS, TierName, closest, editDistance } from "./tiers";

export const PROJECT = "coder-refarch";

/** Raised for bad stack configuration; the message names every bad key. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

// ---- Kubernetes quantities (the units platform engineers write) ----

const CPU_RE = /^(\d+(?:\.\d+)?)(m?)$/;
const MEM_RE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEM_FACTOR_MIB: Record<string, number> = {
    "": 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024,
    k: 1000 / (1024 * 1024), M: 1e6 / (1024 * 1024), G: 1e9 / (1024 * 1024), T: 1e12 / (1024 * 1024),
};

export function parseCpuMillis(q: string): number {
    const m = CPU_RE.exec(q);
    if (!m) throw new Error(`not a CPU quantity: ${q}`);
    return m[2] === "m" ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

export function parseMemoryMiB(q: string): number {
    const m = MEM_RE.exec(q);
    if (!m) throw new Error(`not a memory quantity: ${q}`);
    return Math.round(Number(m[1]) * MEM_FACTOR_MIB[m[2] ?? ""]!);
}

const cpu = z.string().regex(CPU_RE, "a CPU quantity such as 2, 0.5 or 2000m").refine((q) => !CPU_RE.test(q) || parseCpuMillis(q) > 0, "must be above 0");
const memory = z.string().regex(MEM_RE, "a memory quantity such as 8Gi or 512Mi").refine((q) => !MEM_RE.test(q) || parseMemoryMiB(q) >= 1, "must be at least 1Mi");
const resources = z.strictObject({ cpu: cpu.optional(), memory: memory.optional() });
const count = (min: number) => z.number({ error: "a whole number" }).int("a whole number").min(min, `at least ${min}`);

/** An Entra ID object or tenant ID, an Azure subscription ID. */
export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const isCidr = (s: string): boolean => {
    const m = CIDR_RE.exec(s);
    return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};
/** An IPv4 CIDR (host bits are checked with the other address checks, so the range stays usable for sizing). */
const cidr = z.string().refine(isCidr, "an IPv4 CIDR such as 10.0.0.0/16");

const workloadOverride = z.strictObject({
    replicas: count(0).optional(),
    requests: resources.optional(),
    limits: resources.optional(),
});

const poolOverride = z.strictObject({
    machineType: z.string().min(1).optional(),
    /** static pools: the node count; autoscaling pools: the upper bound (pool total) */
    nodes: count(1).optional(),
    /** autoscaling pools: the lower bound in each zone */
    minNodesPerZone: count(0).optional(),
    /** at most this many of the pool's workload pods on one node */
    podsPerNode: count(1).optional(),
    /** the Kubernetes max-pods setting of the pool's nodes */
    maxPodsPerNode: count(8).optional(),
    /** a machine type outside the catalogue: its vCPUs and memory (GiB), to size with */
    vcpu: count(1).optional(),
    memoryGiB: z.number().positive().optional(),
    /** and, where its name does not say so (tiers/machines.ts machineTraits), its architecture */
    arch: z.enum(["x86_64", "arm64"]).optional(),
});

/** Overrides of every sizing figure of the tier; absent = the tier's figure. */
export const sizingSchema = z.strictObject({
    coderd: workloadOverride.optional(),
    /** the workspace proxies of every proxy region */
    proxy: workloadOverride.optional(),
    provisioners: workloadOverride.optional(),
    workspace: z.strictObject({ requests: resources.optional() }).optional(),
    pools: z.strictObject({
        system: poolOverride.optional(),
        coderd: poolOverride.optional(),
        provisioners: poolOverride.optional(),
        workspaces: poolOverride.optional(),
    }).optional(),
    database: z.strictObject({
        machineType: z.string().min(1).optional(),
        storageGb: count(10).optional(),
        highAvailability: z.boolean().optional(),
        maxConnections: count(25).optional(),
    }).optional(),
    nodeOverhead: z.strictObject({ cpu: cpu.optional(), memory: memory.optional(), pods: count(0).optional() }).optional(),
});
export type SizingOverrides = z.infer<typeof sizingSchema>;

const https = z.string().url("a URL such as https://coder.example.com").refine((u) => u.startsWith("https://"), "must use https://");
const wildcardHost = z.string().refine((s) => s === "" || /^\*[a-z0-9-]*\.[a-z0-9.-]+[a-z0-9]$/i.test(s),
    "empty, or a wildcard host such as *.coder.example.com");
const zoneList = z.array(z.string().regex(/^[a-z0-9-]+$/, "a zone name")).min(2, "at least 2 zones, so coderd and the database survive a zone loss").max(4)
    .refine((zs) => new Set(zs).size === zs.length, "zones must not repeat");

/**
 * A proxy region: a cluster of its own with workspace proxies, provisioners and workspaces.
 * Its name names its resources and its proxy in Coder, so it must stay stable.
 */
export const proxyRegionSchema = z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, "a short lowercase name such as europe (2-12 letters and digits): it names the region's resources and its proxy in Coder"),
    displayName: z.string().min(1).max(64).optional(),
    /** an emoji path of Coder's, e.g. /emojis/1f30d.png */
    icon: z.string().regex(/^\/[-a-zA-Z0-9_./]+$/, "a path such as /emojis/1f30d.png").optional(),
    region: z.string().regex(/^[a-z0-9-]+$/, "a region name such as europe-west1"),
    zones: zoneList,
    accessUrl: https,
    wildcardAccessUrl: wildcardHost,
    /** raise it to regenerate the proxy's token in Coder (the proxies roll with the new one) */
    tokenGeneration: count(0).optional(),
});
export type ProxyRegion = z.infer<typeof proxyRegionSchema>;

/** An environment variable name, as coderd reads them (CODER_...). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as CODER_OIDC_ISSUER_URL");
/** `pulumi config set --path` stores true, false and numbers as such: coderd reads them as text. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const envMap = z.record(envName, envValue);
/** Free-form Helm values of one chart: checked against the chart's values file later. */
const helmValuesOf = z.record(z.string(), z.unknown());

/**
 * An existing network to deploy into instead of creating one. GCP: a (shared) VPC and a
 * subnetwork of the stack's region with two named secondary ranges. AWS: a VPC with a
 * private subnet (nodes, pods, database) and a public one (load balancers) in each zone.
 */
export const networkSchema = z.strictObject({
    /** GCP: the project that owns the VPC (a Shared VPC host project); default gcp:project */
    hostProject: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, "a GCP project ID").optional(),
    /** GCP: the VPC's name */
    network: z.string().min(1).optional(),
    /** GCP: the subnetwork's name, in the stack's region */
    subnetwork: z.string().min(1).optional(),
    /** GCP: the subnetwork's secondary range for pods */
    podRangeName: z.string().min(1).optional(),
    /** GCP: the subnetwork's secondary range for Services */
    serviceRangeName: z.string().min(1).optional(),
    /** AWS: the VPC's ID */
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "a VPC ID such as vpc-0123456789abcdef0").optional(),
    /** AWS: private subnets (nodes, pods, database), one or more in each zone */
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet ID such as subnet-0123456789abcdef0")).optional(),
    /** AWS: public subnets (internet-facing load balancers), one in each zone */
    publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet ID such as subnet-0123456789abcdef0")).optional(),
});
export type ExistingNetwork = z.infer<typeof networkSchema>;

/**
 * Keys that hold secrets (a certificate is public: tlsCertificate is an ordinary key). The Pulumi CLI refuses a key declared `secret: true` whose value
 * is plaintext, and applies a declared default as plaintext; it also requires every
 * declared key without a default. An optional secret can therefore not be declared in
 * Pulumi.yaml at all: these keys are left undeclared there, and the program itself
 * refuses a plaintext value (see validateConfig).
 */
export const SECRET_KEYS = ["tlsPrivateKey", "coderSecretEnv", "license", "adminToken"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * The schema of the `coder-refarch:` namespace. Keys and types match Pulumi.yaml's
 * `config:` block (a test keeps the two in step); defaults live in Pulumi.yaml.
 */
export const configSchema = z.strictObject({
    cloud: z.enum(CLOUDS as [CloudName, ...CloudName[]]),
    tier: z.enum(TIERS as [TierName, ...TierName[]]),
    region: z.string().regex(/^[a-z0-9-]+$/, "a region name such as us-east1"),
    zones: zoneList,
    accessUrl: https,
    wildcardAccessUrl: wildcardHost,
    /** regions with workspace proxies, provisioners and workspaces of their own (empty: the primary region only) */
    proxyRegions: z.array(proxyRegionSchema),
    tlsSecretNames: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a Kubernetes Secret name")),
    tlsCertificate: z.string(),
    tlsPrivateKey: z.string().optional(),
    coderVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a Coder release such as 2.34.5"),
    helmRepository: z.string().url(),
    kubernetesVersion: z.string().regex(/^(\d+\.\d+)?$/, "empty (the service's default) or major.minor such as 1.33"),
    gkeReleaseChannel: z.enum(["RAPID", "REGULAR", "STABLE", "EXTENDED"]),
    databaseVersion: z.number({ error: "a PostgreSQL major version such as 16" }).int().min(14, "PostgreSQL 14 to 17 (Coder supports 13+; the clouds still offer 14+): e.g. 16").max(17, "PostgreSQL 14 to 17: e.g. 16"),
    deletionProtection: z.boolean(),
    /** Azure: the database's backups also in the paired region (Flexible Server takes it at creation only) */
    geoRedundantBackup: z.boolean(),
    machineTypes: z.enum(["recommended", "asNamed"]),
    /**
     * A staging rehearsal's share of the tier: replicas and node pools at this factor (rounded
     * up; coderd and proxies keep two replicas, every pool a node), the database, zones and
     * regions at full size. A decimal string (Pulumi config has no number type); 1 = the tier.
     */
    scale: z.string().regex(/^(0?\.\d*[1-9]\d*|1(\.0*)?)$/, "a factor above 0 and at most 1, such as 0.1 (1, the default, is the tier as published)"),
    nodeCidr: cidr,
    podCidr: cidr,
    serviceCidr: cidr,
    controlPlaneCidr: cidr,
    // GCP: the range private services access allocates to Cloud SQL (pinned, so it is checked
    // against the cluster's ranges here and known at preview).
    privateServicesCidr: cidr,
    apiAuthorizedNetworks: z.array(cidr),
    vpcCidr: cidr.refine((c) => { const m = CIDR_RE.exec(c); return !m || (Number(m[5]) >= 16 && Number(m[5]) <= 20); },
        "AWS accepts /16 to /28; pods take VPC addresses on EKS, so /16 to /20"),
    clusterAdminArns: z.array(z.string()
        .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]+$/, "an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins")
        // EKS access entries take IAM principals only: an STS assumed-role session is refused at `pulumi up`.
        .superRefine((a, ctx) => {
            if (!/^arn:aws[a-z-]*:sts::/.test(a)) return;
            ctx.addIssue({
                code: "custom",
                message: `${a} is an STS session, which EKS access entries refuse; give the role: ` +
                    a.replace(/^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, "arn:$1:iam::$2:role/$3"),
            });
        })),
    /** Azure: Entra ID object IDs (groups, users, service principals) given cluster-admin through Azure RBAC for Kubernetes */
    clusterAdminObjectIds: z.array(z.string().regex(GUID_RE, "an Entra ID object ID such as 00000000-0000-0000-0000-000000000000")),
    metricsNamespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a namespace name")),
    /** Coder's observability bundle (coder-observability chart): "auto" = on from the 2k tier up (tiers/observability.ts) */
    observability: z.enum(["auto", "on", "off"]),
    namespaces: z.strictObject({ coder: z.string(), provisioners: z.string(), workspaces: z.string() })
        .refine((n) => new Set([n.coder, n.provisioners, n.workspaces]).size === 3, "the three namespaces must differ")
        .refine((n) => [n.coder, n.provisioners, n.workspaces].every((s) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && s.length <= 63),
            "namespaces must be DNS labels"),
    sizing: sizingSchema,
    /** coderd environment values (CODER_...), e.g. OIDC settings; secrets go in coderSecretEnv */
    coderEnv: envMap,
    /** secret coderd environment values: a Kubernetes Secret, reaching coderd through valueFrom */
    coderSecretEnv: envMap.optional(),
    /** extra Helm values of the two charts, merged under the program's own */
    helmValues: z.strictObject({ coder: helmValuesOf.optional(), provisioner: helmValuesOf.optional() }),
    /** coderd's load balancer on a private address of the network */
    internalLoadBalancer: z.boolean(),
    /** client ranges the load balancer admits; empty = any */
    loadBalancerSourceRanges: z.array(cidr),
    /** an existing network to deploy into; empty = the program creates one */
    network: networkSchema,
    /** the Coder license (a JWT): uploaded through Coder's API; external provisioners and HA need it */
    license: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "a Coder license (a JWT: three base64url parts joined by dots)").optional(),
    /** the first admin's email: the program creates that user when coderd has none */
    adminEmail: z.string().refine((e) => e === "" || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), "empty, or an email address such as admin@example.com"),
    /** the first admin's username */
    adminUsername: z.string().regex(/^[a-zA-Z0-9]([-_]?[a-zA-Z0-9])*$/, "a Coder username: letters, digits, single - or _ between them").max(32),
    /** an existing admin's API token, instead of creating the first admin */
    adminToken: z.string().min(1).optional(),
    /** TLS ends in a proxy of the user's in front of coderd's load balancer */
    tlsTerminatedUpstream: z.boolean(),
    /** an existing DNS zone (GCP: Cloud DNS managed zone name; AWS: Route 53 hosted zone ID) for the access and wildcard hosts */
    dnsZone: z.string(),
    /** with dnsZone: an ACME (Let's Encrypt) account email; cert-manager then issues coderd's certificate */
    acmeEmail: z.string().refine((e) => e === "" || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), "empty, or an email address"),
    /** the ACME directory */
    acmeServer: z.string().url("an ACME directory URL such as https://acme-v02.api.letsencrypt.org/directory"),
    /** the license is already in Coder (uploaded by hand): provisioners run, with the pre-shared key when no admin credential is set */
    licenseInstalled: z.boolean(),
    /** tags of the provisioners' scoped key: templates that ask for these tags build on them */
    provisionerTags: z.record(z.string().regex(/^[a-zA-Z0-9_.-]+$/, "a tag name: letters, digits, _ . -"), z.string()),
});

export type StackConfig = z.infer<typeof configSchema>;

/** Settings: the validated config plus what the program derives from the stack. */
export interface Settings extends StackConfig {
    stack: string;
    /** prefix of physical names: unique per stack, stable across tiers */
    prefix: string;
    /** provider-level config this program relies on, e.g. gcp:project */
    gcpProject?: string;
    awsRegion?: string;
    /** azure-native:location, which must be the stack's region */
    azureLocation?: string;
}

/**
 * The settings a proxy region is deployed with: the stack's, in the region's place and on
 * its hosts, its physical names prefixed with the region's name, in a network of its own.
 */
export function settingsForRegion(s: Settings, p: ProxyRegion): Settings {
    return {
        ...s,
        region: p.region,
        zones: [...p.zones],
        accessUrl: p.accessUrl,
        wildcardAccessUrl: p.wildcardAccessUrl,
        prefix: `${s.prefix}-${p.name}`,
        network: {},
        proxyRegions: [],
        awsRegion: s.cloud === "aws" ? p.region : s.awsRegion,
        // Azure resources name their location themselves: a proxy region needs no provider of its own.
        azureLocation: s.cloud === "azure" ? p.region : s.azureLocation,
    };
}

/** The keys an object schema accepts at `path` below it (for "did you mean" hints). */
function shapeAt(t: z.ZodType, path: string[]): Record<string, unknown> {
    let cur: z.ZodType = t;
    for (const step of ["", ...path]) {
        while (cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
        if (step && cur instanceof z.ZodObject) cur = (cur.shape as Record<string, z.ZodType>)[step] ?? cur;
    }
    while (cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
    return cur instanceof z.ZodObject ? (cur.shape as Record<string, unknown>) : {};
}

/** True where the key holds a string (read as-is); everything else is JSON in Pulumi config. */
function isStringKey(t: z.ZodType): boolean {
    const inner = t instanceof z.ZodOptional ? (t.unwrap() as z.ZodType) : t;
    return inner instanceof z.ZodString || inner instanceof z.ZodEnum;
}

/** The outcome of checking a stack's config: settings when every key is usable, and every problem found. */
export interface ConfigCheck {
    /** undefined when a key could not be read */
    settings?: Settings;
    /** the keys that could be read, for checks that need only those */
    partial: Settings;
    /** keys that could not be read: checks that need them are skipped */
    unreadable: ReadonlySet<string>;
    problems: string[];
}

/** The placeholder the offline preview gives secret values it cannot decrypt. */
export const UNREADABLE_SECRET = "[secret]";

/** Values of the right shape for secrets the offline preview cannot read (their own checks run under the CLI). */
const SECRET_STAND_INS: Record<string, unknown> = {
    license: "offline.license.placeholder",
    coderSecretEnv: {},
};

/** Namespaces of the providers a stack may configure besides ours. */
const KNOWN_NAMESPACES = ["gcp", "aws", "azure", "azure-native", "kubernetes", "random", "pulumi", "tls", "command"];

/**
 * Checks raw Pulumi config (`namespace:key` → string, as the CLI hands it to the program)
 * for one stack: every key on its own, then the checks across keys that could be read.
 * `secretKeys` are the keys whose values are secret. Never throws.
 */
export function checkConfig(raw: Record<string, string>, stack: string, secretKeys: readonly string[] = []): ConfigCheck {
    const problems: string[] = [];
    const ns = `${PROJECT}:`;
    const shape = configSchema.shape as Record<string, z.ZodType>;
    const input: Record<string, unknown> = {};
    const bad = new Set<string>();
    for (const [fullKey, value] of Object.entries(raw)) {
        const [space, ...rest] = fullKey.split(":");
        if (space !== PROJECT) {
            // `coder-refach:tier: 3k` would otherwise deploy the default tier without a word.
            if (space && !KNOWN_NAMESPACES.includes(space) && editDistance(space, PROJECT) <= 3) {
                problems.push(`${fullKey}: '${space}' is not this project's namespace; write ${ns}${rest.join(":")}`);
            }
            continue;
        }
        const key = rest.join(":");
        const t = shape[key];
        if (!t) {
            const near = closest(key, Object.keys(shape));
            problems.push(`${fullKey}: unknown key${near ? `; did you mean ${ns}${near}?` : ` (known: ${Object.keys(shape).join(", ")})`}`);
            continue;
        }
        if (value === UNREADABLE_SECRET && secretKeys.includes(fullKey)) {
            // The offline preview cannot decrypt it: a stand-in of the right shape, checked by `pulumi preview`.
            input[key] = SECRET_STAND_INS[key] ?? value;
        } else if (isStringKey(t)) {
            input[key] = value;
        } else {
            try {
                input[key] = JSON.parse(value);
            } catch {
                bad.add(key);
                const kind = t instanceof z.ZodBoolean ? "true/false" : t instanceof z.ZodNumber ? "number" : "JSON";
                // A secret's value is decrypted here: never repeat it in a message.
                const shown = secretKeys.includes(fullKey) || (SECRET_KEYS as readonly string[]).includes(key) ? "(value hidden)" : value;
                problems.push(`${fullKey}: not valid ${kind}: ${shown}` +
                    (kind === "JSON" ? "; write it as YAML in the stack file, or with `pulumi config set --path`" : ""));
            }
        }
    }
    for (const key of SECRET_KEYS) {
        if (raw[ns + key] !== undefined && !secretKeys.includes(ns + key)) {
            bad.add(key);
            problems.push(`${ns}${key}: given in plaintext; remove it from the stack file and set it with ` +
                (key === "tlsPrivateKey" ? `\`pulumi config set --secret ${ns}${key} < privkey.pem\``
                    : `\`pulumi config set --secret --path '${ns}${key}.NAME' VALUE\` for each entry`));
        }
    }
    // Each key on its own, so that one bad key does not hide the problems of the others.
    const parsed: Record<string, unknown> = {};
    for (const [key, t] of Object.entries(shape)) {
        if (bad.has(key)) continue;
        const r = t.safeParse(input[key]);
        if (r.success) {
            parsed[key] = r.data;
            continue;
        }
        bad.add(key);
        for (const issue of r.error.issues) {
            const path = [key, ...issue.path.map(String)].join(".");
            if (input[key] === undefined) {
                problems.push(`${ns}${key}: missing (declared in Pulumi.yaml; set it with 'pulumi config set ${key} ...')`);
                break;
            } else if (issue.code === "invalid_key") {
                problems.push(`${ns}${path}: not an environment variable name (letters, digits and _, not starting with a digit), e.g. CODER_OIDC_ISSUER_URL`);
            } else if (issue.code === "unrecognized_keys") {
                const known = Object.keys(shapeAt(t, issue.path.map(String)));
                for (const bad of issue.keys) {
                    const near = closest(bad, known);
                    problems.push(`${ns}${path}.${bad}: unknown key; ${near ? `did you mean ${near}? ` : ""}known here: ${known.join(", ")}`);
                }
            } else {
                problems.push(`${ns}${path}: ${issue.message}`);
            }
        }
    }
    const partial: Settings = {
        ...(parsed as StackConfig),
        stack,
        prefix: physicalPrefix(stack),
        gcpProject: raw["gcp:project"],
        awsRegion: raw["aws:region"],
        azureLocation: raw["azure-native:location"],
    };
    problems.push(...crossChecks(partial, (...keys) => keys.every((key) => !bad.has(key))));
    return { settings: bad.size === 0 ? partial : undefined, partial, unreadable: bad, problems };
}

/**
 * Validates raw config for one stack and returns its settings; throws ConfigError naming
 * every bad key.
 */
export function validateConfig(raw: Record<string, string>, stack: string, secretKeys: readonly string[] = []): Settings {
    const { settings, problems } = checkConfig(raw, stack, secretKeys);
    if (!settings || problems.length > 0) throw new ConfigError(problems);
    return settings;
}

const k = (key: string) => `${PROJECT}:${key}`;

/** The oldest Kubernetes minor the program deploys to: the workspace admission policy's API is GA there. */
const MIN_KUBERNETES_MINOR = 30;

/** Namespaces Kubernetes or the managed services own: Coder must not be installed into them. */
const RESERVED_NAMESPACE = /^(default|kube-.*|gke-.*|gmp-.*|gatekeeper-system|amazon-.*|aws-.*|eks-.*|calico-.*|tigera-.*|azure-.*|aks-.*|app-routing-system)$/;

/**
 * Checks that span several keys or depend on the cloud. `readable` says whether keys
 * could be read: a check runs only when all the keys it needs could.
 */
function crossChecks(s: Settings, readable: (...keys: (keyof StackConfig)[]) => boolean): string[] {
    const problems: string[] = [];
    if (!readable("cloud")) return problems;
    if (readable("region", "zones")) problems.push(...placeProblems(s));
    if (readable("accessUrl", "wildcardAccessUrl", "proxyRegions") && s.proxyRegions.length > 0) problems.push(...proxyRegionProblems(s));
    if (readable("nodeCidr", "podCidr", "serviceCidr", "controlPlaneCidr", "vpcCidr", "apiAuthorizedNetworks", "loadBalancerSourceRanges", "network")) {
        problems.push(...addressProblems(s));
    }
    if (readable("accessUrl", "wildcardAccessUrl")) problems.push(...urlProblems(s));
    if (readable("accessUrl", "wildcardAccessUrl", "tlsCertificate", "tlsPrivateKey")) problems.push(...tlsProblems(s));
    if (readable("accessUrl", "tlsCertificate", "tlsSecretNames", "tlsTerminatedUpstream", "dnsZone", "acmeEmail")) problems.push(...tlsModeProblems(s));
    if (readable("license", "adminEmail", "adminToken", "licenseInstalled", "provisionerTags")) problems.push(...adminProblems(s));
    if (readable("namespaces")) {
        for (const [role, name] of Object.entries(s.namespaces)) {
            if (RESERVED_NAMESPACE.test(name)) {
                problems.push(`${k(`namespaces.${role}`)}: '${name}' is reserved for Kubernetes or the cloud's add-ons; choose another, e.g. coder-${role}`);
            }
        }
    }
    if (readable("kubernetesVersion") && s.kubernetesVersion) {
        const [major, minor] = s.kubernetesVersion.split(".").map(Number);
        if (major! < 1 || (major === 1 && minor! < MIN_KUBERNETES_MINOR)) {
            problems.push(`${k("kubernetesVersion")}: ${s.kubernetesVersion} is older than 1.${MIN_KUBERNETES_MINOR}, the first to serve ` +
                `ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) that keeps workspaces on their pool; set 1.${MIN_KUBERNETES_MINOR} or later, or leave it empty`);
        }
    }
    if (readable("region") && s.cloud === "aws" && s.awsRegion !== s.region) {
        problems.push(`aws:region: ${s.awsRegion ? `'${s.awsRegion}' differs from` : "missing; set it to"} ${k("region")} '${s.region}'`);
    }
    if (readable("network") && s.cloud === "azure" && usesExistingNetwork(s)) {
        problems.push(`${k("network")}: an existing VNet is not supported on Azure (the program creates the VNet, its NAT gateway and ` +
            "the database's delegated subnet); remove the key");
    }
    if (readable("region") && s.cloud === "azure" && s.azureLocation !== undefined && s.azureLocation.toLowerCase().replace(/\s/g, "") !== s.region) {
        // Every Azure resource is given the stack's region; a different provider location would only confuse.
        problems.push(`azure-native:location: '${s.azureLocation}' differs from ${k("region")} '${s.region}'; set it to ${s.region} or remove it`);
    }
    if (s.cloud === "gcp" && !s.gcpProject) {
        problems.push("gcp:project: missing (the GCP project to deploy into); set it with 'pulumi config set gcp:project PROJECT_ID'");
    }
    return problems;
}

/** Let's Encrypt's production directory: the one ACME CA every machine's public roots trust. */
export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";

/** The region exists on the stack's cloud and the zones belong to it (`at`: the keys' prefix, e.g. proxyRegions.0.). */
function placeProblems(s: Pick<Settings, "cloud" | "region" | "zones">, at = ""): string[] {
    const problems: string[] = [];
    const cat = REGIONS[s.cloud];
    if (!cat.pattern.test(s.region)) {
        const near = closest(s.region, cat.regions);
        problems.push(`${k(`${at}region`)}: '${s.region}' is not a${s.cloud === "gcp" ? "" : "n"} ${s.cloud} region name (e.g. ${cat.example})` +
            (near ? `; did you mean ${near}?` : ""));
        return problems;
    }
    const zone = cat.zonePattern(s.region);
    const bad = s.zones.filter((z) => !zone.test(z));
    if (bad.length) {
        const ids = bad.filter((z) => /^[a-z]{3,4}\d+-az\d+$/.test(z));
        problems.push(`${k(`${at}zones`)}: ${bad.join(", ")} not ${bad.length > 1 ? "zones" : "a zone"} of region ${s.region}` +
            (ids.length ? ` (${ids.join(", ")}: zone IDs; EKS takes zone names)` : "") + `; zones of ${s.region} look like ${cat.zoneExample(s.region)}`);
    }
    return problems;
}

/**
 * Proxy regions: names unique and not Coder's reserved "primary", each region and its zones
 * of the cloud, each proxy on hosts of its own (its access URL an origin, its wildcard apart
 * from every other region's).
 */
function proxyRegionProblems(s: Settings): string[] {
    const problems: string[] = [];
    // What a proxy region cannot share with the primary. Its certificate must cover its own
    // hosts (cert-manager issues one a region); a Secret named in config exists in no proxy
    // region's cluster. The regions reach each other only at their public URLs, and proxies
    // and their provisioners check coderd's certificate against the public roots.
    const names = s.proxyRegions.map((p) => p.name).join(", ");
    if (s.tlsCertificate) {
        problems.push(`${k("tlsCertificate")}: with ${k("proxyRegions")} (${names}) every region serves its own hosts; let cert-manager ` +
            `issue each region's certificate (${k("dnsZone")} and ${k("acmeEmail")}) or terminate TLS in a proxy of yours (${k("tlsTerminatedUpstream")})`);
    }
    if (s.tlsSecretNames.length) {
        problems.push(`${k("tlsSecretNames")}: with ${k("proxyRegions")} (${names}) the Secrets would be missing in the proxy regions' clusters; ` +
            `use ${k("dnsZone")} and ${k("acmeEmail")} (a certificate a region) or ${k("tlsTerminatedUpstream")}`);
    }
    if (s.internalLoadBalancer) {
        problems.push(`${k("internalLoadBalancer")}: with ${k("proxyRegions")} (${names}) the proxies and their regions' provisioners dial ` +
            `coderd at ${s.accessUrl} from other regions' networks, which have no private route to it; keep the load balancers public`);
    }
    if (s.loadBalancerSourceRanges.length) {
        problems.push(`${k("loadBalancerSourceRanges")}: with ${k("proxyRegions")} (${names}) coderd and the proxies must admit each other's ` +
            `egress addresses, which Cloud NAT and NAT gateways choose; leave it empty (coderd and the proxies authenticate every request)`);
    }
    if (s.dnsZone && s.acmeEmail && s.acmeServer !== LETS_ENCRYPT_DIRECTORY) {
        problems.push(`${k("acmeServer")}: with ${k("proxyRegions")} (${names}) the proxies and their regions' provisioners verify coderd's ` +
            `certificate against the public roots, which do not trust ${s.acmeServer}; use ${LETS_ENCRYPT_DIRECTORY}`);
    }
    const seen = new Map<string, number>();
    const hosts = new Map<string, string>([[new URL(s.accessUrl).host, k("accessUrl")], ...(s.wildcardAccessUrl ? [[s.wildcardAccessUrl, k("wildcardAccessUrl")] as [string, string]] : [])]);
    s.proxyRegions.forEach((p, i) => {
        const at = `proxyRegions.${i}.`;
        if (p.name === "primary") problems.push(`${k(`${at}name`)}: 'primary' is Coder's name for the primary region; choose another, e.g. europe`);
        const first = seen.get(p.name);
        if (first !== undefined) problems.push(`${k(`${at}name`)}: '${p.name}' is also proxyRegions.${first}.name; each region needs its own name`);
        else seen.set(p.name, i);
        problems.push(...placeProblems({ cloud: s.cloud, region: p.region, zones: p.zones }, at));
        const u = new URL(p.accessUrl);
        if (u.pathname !== "/" || u.search || u.hash || u.username || u.password) {
            problems.push(`${k(`${at}accessUrl`)}: ${p.accessUrl} has a path, query or credentials; a proxy serves at the root of a host: use ${u.protocol}//${u.host}`);
        }
        for (const [host, key] of [[u.host, `${at}accessUrl`], ...(p.wildcardAccessUrl ? [[p.wildcardAccessUrl, `${at}wildcardAccessUrl`]] : [])] as [string, string][]) {
            const other = hosts.get(host);
            if (other) problems.push(`${k(key)}: ${host} is also ${other}; every region serves its own hosts`);
            else hosts.set(host, k(key));
        }
    });
    return problems;
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
/** Ranges no cloud accepts for a network: this host, loopback, link-local, multicast and reserved. */
const SPECIAL_RANGES = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"];
const within = (inner: string, outer: string): boolean => {
    const a = cidrRange(inner);
    const b = cidrRange(outer);
    return a.first >= b.first && a.last <= b.last;
};
const overlaps = (x: string, y: string): boolean => {
    const a = cidrRange(x);
    const b = cidrRange(y);
    return a.first <= b.last && b.first <= a.last;
};

/** Whether the stack deploys into an existing network (coder-refarch:network) instead of creating one. */
export const usesExistingNetwork = (s: Pick<StackConfig, "network">): boolean => Object.keys(s.network).length > 0;

/**
 * The address ranges this stack's cloud takes from config, by key. With an existing
 * network, the network's own ranges replace nodeCidr/podCidr/serviceCidr (GCP) and vpcCidr
 * (AWS); they are checked when the network is read. Azure: the VNet holds nodeCidr (the
 * nodes' subnet) and privateServicesCidr (the subnet delegated to the database); podCidr is
 * the overlay's pod range and serviceCidr the Services', both outside the VNet.
 */
function rangeKeys(s: Settings): ("nodeCidr" | "podCidr" | "serviceCidr" | "controlPlaneCidr" | "privateServicesCidr" | "vpcCidr")[] {
    if (s.cloud === "azure") return ["nodeCidr", "podCidr", "serviceCidr", "privateServicesCidr"];
    if (usesExistingNetwork(s)) return s.cloud === "gcp" ? ["controlPlaneCidr"] : ["serviceCidr"];
    return s.cloud === "gcp" ? ["nodeCidr", "podCidr", "serviceCidr", "controlPlaneCidr", "privateServicesCidr"] : ["vpcCidr", "serviceCidr"];
}

/** A CIDR whose address is not the range's first: the clouds refuse it. */
function hostBits(c: string): string | undefined {
    const { first } = cidrRange(c);
    return first !== ipNumber(c.split("/")[0]!) ? `${c} has host bits set: the range is ${ipString(first)}/${c.split("/")[1]}; write that` : undefined;
}

function addressProblems(s: Settings): string[] {
    const problems: string[] = [];
    const keys = rangeKeys(s);
    const lists = { apiAuthorizedNetworks: s.apiAuthorizedNetworks, loadBalancerSourceRanges: s.loadBalancerSourceRanges };
    for (const key of keys) {
        const bad = hostBits(s[key]);
        if (bad) problems.push(`${k(key)}: ${bad}`);
    }
    for (const [key, list] of Object.entries(lists)) {
        list.forEach((c, i) => {
            const bad = hostBits(c);
            if (bad) problems.push(`${k(`${key}.${i}`)}: ${bad}`);
        });
    }
    for (const key of keys) {
        const special = SPECIAL_RANGES.find((r) => overlaps(s[key], r));
        if (special) problems.push(`${k(key)}: ${s[key]} overlaps the reserved range ${special}; use a range in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
    }
    for (let i = 0; i < keys.length; i++) {
        for (let j = i + 1; j < keys.length; j++) {
            const a = keys[i]!;
            const b = keys[j]!;
            if (overlaps(s[a], s[b])) problems.push(`${k(a)}: ${s[a]} overlaps ${k(b)} ${s[b]}; the ranges must be disjoint`);
        }
    }
    if (s.cloud !== "aws" && !usesExistingNetwork(s) && cidrRange(s.serviceCidr).size < MIN_SERVICE_ADDRESSES) {
        problems.push(`${k("serviceCidr")}: ${s.serviceCidr} has ${cidrRange(s.serviceCidr).size} addresses; the cluster's Services need ` +
            `${MIN_SERVICE_ADDRESSES}: use a /${32 - Math.log2(MIN_SERVICE_ADDRESSES)} or larger`);
    }
    const psaBits = Number(s.privateServicesCidr.split("/")[1]);
    if (s.cloud === "gcp" && !usesExistingNetwork(s) && (psaBits < 16 || psaBits > 24)) {
        // Private services access allocates /16 to /24; Cloud SQL takes its instances' addresses from it.
        problems.push(`${k("privateServicesCidr")}: ${s.privateServicesCidr} is a /${psaBits}; private services access takes a /16 to /24 ` +
            "(a /20 or larger leaves room for more instances), e.g. 10.20.0.0/16");
    }
    if (s.cloud === "azure") problems.push(...aksAddressProblems(s));
    if (s.cloud === "gcp" && cidrRange(s.controlPlaneCidr).size !== 16) {
        problems.push(`${k("controlPlaneCidr")}: must be a /28 (GKE's private control plane takes exactly 16 addresses), e.g. 172.16.0.0/28`);
    }
    if (s.cloud === "aws") {
        // EKS: "within 10.0.0.0/8, 172.16.0.0/12, or 192.168.0.0/16 ... between /24 and /12".
        const bits = Number(s.serviceCidr.split("/")[1]);
        if (!PRIVATE_RANGES.slice(0, 3).some((r) => within(s.serviceCidr, r)) || bits < 12 || bits > 24) {
            problems.push(`${k("serviceCidr")}: EKS takes a Service range of /12 to /24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 ` +
                `(given ${s.serviceCidr}); e.g. 172.20.0.0/16`);
        }
    }
    return problems;
}

/**
 * Ranges AKS refuses for the Service and the overlay's pod ranges: "must not be within
 * 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, or 192.0.2.0/24" (AKS docs, "Configure Azure
 * CNI Overlay networking" and "Azure CNI networking": service address range).
 */
export const AKS_RESERVED_RANGES = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"];

/** The ranges of an AKS cluster and its VNet, as Azure would refuse them at `pulumi up`. */
function aksAddressProblems(s: Settings): string[] {
    const problems: string[] = [];
    for (const key of ["serviceCidr", "podCidr"] as const) {
        const reserved = AKS_RESERVED_RANGES.find((r) => overlaps(s[key], r));
        if (reserved) problems.push(`${k(key)}: ${s[key]} overlaps ${reserved}, which AKS reserves; use a range in 10.0.0.0/8, e.g. ${key === "podCidr" ? "10.16.0.0/14" : "10.10.16.0/20"}`);
    }
    // The overlay gives each node a /24 of the pod range: a /16 or larger leaves room for 256 nodes or more.
    const podBits = Number(s.podCidr.split("/")[1]);
    if (podBits > 16) {
        problems.push(`${k("podCidr")}: ${s.podCidr} is a /${podBits}; Azure CNI Overlay gives each node a /24 of it, so it holds ` +
            `${2 ** Math.max(0, 24 - podBits)} nodes: use a /16 or larger, e.g. 10.16.0.0/14`);
    }
    // Flexible Server's delegated subnet: Azure reserves 5 addresses of every subnet; the server and its standby take one each.
    const dbBits = Number(s.privateServicesCidr.split("/")[1]);
    if (dbBits > 28 || dbBits < 16) {
        problems.push(`${k("privateServicesCidr")}: ${s.privateServicesCidr} is a /${dbBits}; on Azure it is the subnet delegated to PostgreSQL ` +
            "Flexible Server, a /16 to /28 (Azure keeps 5 addresses of each subnet), e.g. 10.20.0.0/24");
    }
    const nodeBits = Number(s.nodeCidr.split("/")[1]);
    if (nodeBits > 24 || nodeBits < 8) {
        problems.push(`${k("nodeCidr")}: ${s.nodeCidr} is a /${nodeBits}; the nodes' subnet takes a /8 to /24 (the sizing checks it holds every node), e.g. 10.10.0.0/20`);
    }
    return problems;
}

/** The access URL is an origin, the wildcard a host pattern beside it. */
function urlProblems(s: Settings): string[] {
    const problems: string[] = [];
    const u = new URL(s.accessUrl);
    if (u.pathname !== "/" || u.search || u.hash || u.username || u.password) {
        problems.push(`${k("accessUrl")}: ${s.accessUrl} has a path, query or credentials; Coder serves at the root of a host: ` +
            `use ${u.protocol}//${u.host}`);
    }
    if (u.hostname.includes("*")) {
        problems.push(`${k("accessUrl")}: ${s.accessUrl} is a wildcard; set the wildcard in ${k("wildcardAccessUrl")} and a single host here`);
    }
    if (s.wildcardAccessUrl && /^[a-z]+:\/\//i.test(s.wildcardAccessUrl)) {
        problems.push(`${k("wildcardAccessUrl")}: a host pattern without scheme, e.g. *.${u.hostname}`);
    }
    return problems;
}

/** The ways coderd's HTTPS can be served: one, and only one, for an https access URL. */
export function tlsModes(s: Pick<StackConfig, "tlsCertificate" | "tlsSecretNames" | "tlsTerminatedUpstream" | "dnsZone" | "acmeEmail">): string[] {
    return [
        ...(s.tlsCertificate ? ["tlsCertificate"] : []),
        ...(s.tlsSecretNames.length ? ["tlsSecretNames"] : []),
        ...(s.dnsZone && s.acmeEmail ? ["acmeEmail"] : []),
        ...(s.tlsTerminatedUpstream ? ["tlsTerminatedUpstream"] : []),
    ];
}

/** An Azure DNS zone's resource ID: its subscription, resource group and name (cert-manager's azureDNS solver needs all three). */
export const AZURE_DNS_ZONE_ID = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([-\w._()]{1,90})\/providers\/Microsoft\.Network\/dnszones\/([a-z0-9][-a-z0-9.]*[a-z0-9])$/i;

/** Where a DNS zone is named: a Cloud DNS managed zone name, a Route 53 hosted zone ID, an Azure DNS zone's resource ID. */
const ZONE_FORMS: Record<CloudName, { re: RegExp; example: string }> = {
    gcp: { re: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, example: "a Cloud DNS managed zone name such as coder-example-com" },
    aws: { re: /^Z[A-Z0-9]{1,31}$/, example: "a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ" },
    azure: {
        re: AZURE_DNS_ZONE_ID,
        example: "an Azure DNS zone's resource ID such as /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns/providers/Microsoft.Network/dnszones/example.com " +
            "(az network dns zone show -g RESOURCE_GROUP -n ZONE --query id -o tsv)",
    },
};

/**
 * An https access URL needs something that serves HTTPS: agents and browsers dial it, and
 * the load balancers pass TCP through, so without TLS at coderd (or a proxy of the user's)
 * port 443 refuses them all.
 */
function tlsModeProblems(s: Settings): string[] {
    const problems: string[] = [];
    const modes = tlsModes(s);
    if (s.accessUrl.startsWith("https://") && modes.length === 0) {
        problems.push(`${k("accessUrl")}: https, but nothing serves HTTPS: set ${k("dnsZone")} and ${k("acmeEmail")} (a certificate from ` +
            `Let's Encrypt), or ${k("tlsCertificate")} and ${k("tlsPrivateKey")}, or ${k("tlsSecretNames")}, ` +
            `or ${k("tlsTerminatedUpstream")}: true for a TLS proxy of your own in front of the load balancer`);
    }
    if (s.tlsTerminatedUpstream && modes.length > 1) {
        problems.push(`${k("tlsTerminatedUpstream")}: true, but coderd also serves TLS (${modes.filter((m) => m !== "tlsTerminatedUpstream").map(k).join(", ")}); keep one`);
    }
    if (s.tlsCertificate && modes.includes("acmeEmail")) {
        problems.push(`${k("tlsCertificate")}: set beside ${k("acmeEmail")}, which has cert-manager issue the certificate; keep one`);
    }
    if (s.acmeEmail && !s.dnsZone) {
        problems.push(`${k("acmeEmail")}: needs ${k("dnsZone")}, the zone cert-manager answers the DNS-01 challenge in`);
    }
    if (s.dnsZone && !ZONE_FORMS[s.cloud].re.test(s.dnsZone)) {
        problems.push(`${k("dnsZone")}: '${s.dnsZone}' is not ${ZONE_FORMS[s.cloud].example}`);
    }
    if (modes.includes("acmeEmail") && !s.accessUrl.startsWith("https://")) {
        problems.push(`${k("acmeEmail")}: set, but ${k("accessUrl")} is http; use https`);
    }
    return problems;
}

/** Bootstrap through Coder's API needs an admin credential; the two kinds exclude each other. */
function adminProblems(s: Settings): string[] {
    const problems: string[] = [];
    if (s.adminEmail && s.adminToken) {
        problems.push(`${k("adminToken")}: set beside ${k("adminEmail")}; keep one (the token of an existing admin, or the email of the first admin to create)`);
    }
    if (s.license && s.licenseInstalled) {
        problems.push(`${k("licenseInstalled")}: true beside ${k("license")}; keep one (the program uploads the license, or it is in Coder already)`);
    }
    if (s.license && !s.adminEmail && !s.adminToken) {
        problems.push(`${k("license")}: uploading it needs an admin: set ${k("adminEmail")} (the program creates the first admin) ` +
            `or ${k("adminToken")} (\`pulumi config set --secret ${k("adminToken")} ...\`, an existing admin's token)`);
    }
    if (Object.keys(s.provisionerTags).length > 0 && !s.adminEmail && !s.adminToken) {
        problems.push(`${k("provisionerTags")}: tags come with a scoped provisioner key, which needs an admin: set ${k("adminEmail")} or ${k("adminToken")}`);
    }
    return problems;
}

/**
 * A certificate and key from config: both PEM that parse, a pair, valid now, covering
 * the access host and the wildcard host. Skipped offline, where secrets cannot be read.
 */
function tlsProblems(s: Settings): string[] {
    const problems: string[] = [];
    if (!s.tlsCertificate !== !s.tlsPrivateKey) {
        problems.push(`${k(s.tlsCertificate ? "tlsPrivateKey" : "tlsCertificate")}: missing; set both tlsCertificate and tlsPrivateKey, or neither`);
    }
    if (!s.tlsCertificate || s.tlsCertificate === UNREADABLE_SECRET) return problems;
    const blocks = s.tlsCertificate.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    let leaf: crypto.X509Certificate | undefined;
    try {
        if (blocks.length === 0) throw new Error("no BEGIN CERTIFICATE block");
        const chain = blocks.map((b) => new crypto.X509Certificate(b));
        leaf = chain[0];
    } catch (e) {
        problems.push(`${k("tlsCertificate")}: not a PEM certificate chain (${(e as Error).message}); ` +
            "set the full chain, leaf first: pulumi config set coder-refarch:tlsCertificate < fullchain.pem");
        return problems;
    }
    if (!leaf) return problems;
    const expires = new Date(leaf.validTo);
    if (expires.getTime() < Date.now()) {
        problems.push(`${k("tlsCertificate")}: expired on ${expires.toISOString().slice(0, 10)}; renew it`);
    } else if (new Date(leaf.validFrom).getTime() > Date.now()) {
        problems.push(`${k("tlsCertificate")}: not valid before ${new Date(leaf.validFrom).toISOString()}; check the clock or the certificate`);
    }
    const host = new URL(s.accessUrl).hostname;
    const wildcardProbe = s.wildcardAccessUrl ? s.wildcardAccessUrl.replace("*", "app--probe") : undefined;
    const uncovered = [host, ...(wildcardProbe ? [wildcardProbe] : [])].filter((h) => !leaf.checkHost(h));
    if (uncovered.length) {
        const names = leaf.subjectAltName ?? leaf.subject;
        problems.push(`${k("tlsCertificate")}: does not cover ${uncovered.map((h) => (h === wildcardProbe ? s.wildcardAccessUrl : h)).join(" and ")} ` +
            `(it names ${names}); issue one for ${host}${s.wildcardAccessUrl ? ` and ${s.wildcardAccessUrl}` : ""}`);
    }
    if (s.tlsPrivateKey && s.tlsPrivateKey !== UNREADABLE_SECRET) {
        try {
            const key = crypto.createPrivateKey(s.tlsPrivateKey);
            if (!leaf.checkPrivateKey(key)) {
                problems.push(`${k("tlsPrivateKey")}: is not the key of tlsCertificate's first (leaf) certificate; set the matching key`);
            }
        } catch (e) {
            problems.push(`${k("tlsPrivateKey")}: not a PEM private key (${(e as Error).message.split("\n")[0]}); set it from privkey.pem`);
        }
    }
    return problems;
}

/** First and last address of an IPv4 CIDR, as numbers. */
export function cidrRange(c: string): { first: number; last: number; size: number } {
    const [ip, bits] = c.split("/");
    const base = ipNumber(ip!);
    const size = 2 ** (32 - Number(bits));
    const first = base - (base % size);
    return { first, last: first + size - 1, size };
}

function ipNumber(ip: string): number {
    return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function ipString(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}


/** Keys only one cloud reads, with what the other cloud's stack does with them (nothing). */
const CLOUD_KEYS: Record<CloudName, string[]> = {
    gcp: ["nodeCidr", "podCidr", "controlPlaneCidr", "privateServicesCidr", "gkeReleaseChannel"],
    aws: ["vpcCidr", "clusterAdminArns"],
    azure: ["nodeCidr", "podCidr", "privateServicesCidr", "clusterAdminObjectIds", "geoRedundantBackup"],
};

/** The providers' config namespaces of each cloud. */
const PROVIDER_NAMESPACES: Record<CloudName, string[]> = { gcp: ["gcp"], aws: ["aws"], azure: ["azure-native", "azure"] };

/**
 * Valid but risky settings, said before anything is deployed (the program logs them as
 * warnings, the offline preview prints them). `raw` and `defaults` (Pulumi.yaml's), when
 * given, let it say which keys of another cloud the stack sets.
 */
export function advisories(s: Settings, raw?: Record<string, string>, defaults?: Record<string, string>): string[] {
    const notes: string[] = [];
    // GKE: empty closes the IP endpoint to outside sources (the program and kubectl use the
    // IAM-gated DNS endpoint); EKS: empty opens the public endpoint to any (authenticated) client.
    const open = s.apiAuthorizedNetworks.some((c) => cidrRange(c).size === 2 ** 32);
    if (open || (s.cloud !== "gcp" && s.apiAuthorizedNetworks.length === 0)) {
        notes.push(`the Kubernetes API endpoint accepts any source address: set ${PROJECT}:apiAuthorizedNetworks to the ranges that administer it`);
    }
    if (!s.deletionProtection) notes.push("deletion protection is off: `pulumi destroy` deletes the cluster and the database");
    {
        const cat = REGIONS[s.cloud];
        if (!cat.regions.includes(s.region)) {
            notes.push(`${k("region")}: '${s.region}' is not in the ${s.cloud} region list (tiers/regions.ts, from ${cat.source}); ` +
                "check the name: the cloud refuses a region it does not have");
        }
        for (const key of rangeKeys(s)) {
            if (!PRIVATE_RANGES.some((r) => within(s[key], r))) {
                notes.push(`${k(key)}: ${s[key]} is a public range: addresses in it become unreachable from the cluster ` +
                    "(privately used public IPs); prefer 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16");
            }
        }
        if (raw && defaults) {
            const said = new Set(CLOUD_KEYS[s.cloud]);
            for (const other of CLOUDS.filter((c) => c !== s.cloud)) {
                const foreign = CLOUD_KEYS[other].filter((key) => !said.has(key) && raw[k(key)] !== undefined && raw[k(key)] !== defaults[k(key)]);
                foreign.forEach((key) => said.add(key));
                const providers = Object.keys(raw).filter((key) => PROVIDER_NAMESPACES[other].includes(key.split(":")[0]!));
                if (foreign.length || providers.length) {
                    notes.push(`${[...foreign.map(k), ...providers].join(", ")}: ${other} settings on a${s.cloud === "aws" ? "n" : ""} ${s.cloud} stack are ignored; remove them`);
                }
            }
        }
        if (s.tlsCertificate && s.tlsCertificate !== UNREADABLE_SECRET) {
            const m = s.tlsCertificate.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
            const days = m ? (new Date(new crypto.X509Certificate(m[0]).validTo).getTime() - Date.now()) / 86_400_000 : Infinity;
            if (days >= 0 && days < 21) notes.push(`${k("tlsCertificate")}: expires in ${Math.floor(days)} days; renew it and run pulumi up`);
        }
    }
    return notes;
}

/**
 * The defaults Pulumi.yaml declares, as the CLI hands them to the program (`namespace:key`
 * → string): to tell a value the stack sets from a default. Empty if the file cannot be read.
 */
export function declaredDefaults(dir = __dirname): Record<string, string> {
    try {
        const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { config?: Record<string, { default?: unknown }> };
        return Object.fromEntries(Object.entries(project.config ?? {})
            .filter(([, d]) => d && typeof d === "object" && "default" in d)
            .map(([key, d]) => [key.includes(":") ? key : `${PROJECT}:${key}`, typeof d.default === "string" ? d.default : JSON.stringify(d.default)]));
    } catch {
        return {};
    }
}

/** Physical-name prefix: `coder-<stack>`, DNS-safe, short enough for GKE/Cloud SQL names. */
export function physicalPrefix(stack: string): string {
    const clean = stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
    return `coder-${clean}`.slice(0, 30).replace(/-$/, "");
}
