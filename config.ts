/**
 * Stack configuration: one schema, validated once at start-up.
 *
 * Pulumi.yaml declares every key (type, default, description); the Pulumi CLI fills in
 * the defaults before the program starts. This module checks what it is given, reports
 * every bad key at once, and registers no resource when anything is wrong.
 */
import { z } from "zod";
import { CLOUDS, CloudName, TIERS, TierName } from "./tiers";

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
const count = (min: number) => z.number().int().min(min);

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const cidr = z.string().refine((s) => {
    const m = CIDR_RE.exec(s);
    return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}, "an IPv4 CIDR such as 10.0.0.0/16");

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
});

/** Overrides of every sizing figure of the tier; absent = the tier's figure. */
export const sizingSchema = z.strictObject({
    coderd: workloadOverride.optional(),
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

/** An environment variable name, as coderd reads them (CODER_...). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as CODER_OIDC_ISSUER_URL");
const envMap = z.record(envName, z.string());
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
 * Keys that hold secrets. The Pulumi CLI refuses a key declared `secret: true` whose value
 * is plaintext, and applies a declared default as plaintext; it also requires every
 * declared key without a default. An optional secret can therefore not be declared in
 * Pulumi.yaml at all: these keys are left undeclared there, and the program itself
 * refuses a plaintext value (see validateConfig).
 */
export const SECRET_KEYS = ["tlsCertificate", "tlsPrivateKey", "coderSecretEnv"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * The schema of the `coder-refarch:` namespace. Keys and types match Pulumi.yaml's
 * `config:` block (a test keeps the two in step); defaults live in Pulumi.yaml.
 */
export const configSchema = z.strictObject({
    cloud: z.enum(CLOUDS as [CloudName, ...CloudName[]]),
    tier: z.enum(TIERS as [TierName, ...TierName[]]),
    region: z.string().regex(/^[a-z0-9-]+$/, "a region name such as us-east1"),
    zones: z.array(z.string().regex(/^[a-z0-9-]+$/, "a zone name")).min(2, "at least 2 zones, so coderd and the database survive a zone loss").max(4)
        .refine((zs) => new Set(zs).size === zs.length, "zones must not repeat"),
    accessUrl: https,
    wildcardAccessUrl: z.string().refine((s) => s === "" || /^\*[a-z0-9-]*\.[a-z0-9.-]+[a-z0-9]$/i.test(s),
        "empty, or a wildcard host such as *.coder.example.com"),
    tlsSecretNames: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a Kubernetes Secret name")),
    tlsCertificate: z.string().optional(),
    tlsPrivateKey: z.string().optional(),
    coderVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a Coder release such as 2.34.5"),
    helmRepository: z.string().url(),
    kubernetesVersion: z.string().regex(/^(\d+\.\d+)?$/, "empty (the service's default) or major.minor such as 1.33"),
    gkeReleaseChannel: z.enum(["RAPID", "REGULAR", "STABLE", "EXTENDED"]),
    databaseVersion: z.number().int().min(14).max(17),
    deletionProtection: z.boolean(),
    machineTypes: z.enum(["recommended", "asNamed"]),
    nodeCidr: cidr,
    podCidr: cidr,
    serviceCidr: cidr,
    controlPlaneCidr: cidr,
    apiAuthorizedNetworks: z.array(cidr),
    vpcCidr: cidr.refine((c) => { const m = CIDR_RE.exec(c); return !m || (Number(m[5]) >= 16 && Number(m[5]) <= 20); },
        "AWS accepts /16 to /28; pods take VPC addresses on EKS, so /16 to /20"),
    clusterAdminArns: z.array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]+$/, "an IAM role or user ARN")),
    metricsNamespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a namespace name")),
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
}

/** True where the key holds a string (read as-is); everything else is JSON in Pulumi config. */
function isStringKey(t: z.ZodType): boolean {
    const inner = t instanceof z.ZodOptional ? (t.unwrap() as z.ZodType) : t;
    return inner instanceof z.ZodString || inner instanceof z.ZodEnum;
}

/**
 * Validates raw Pulumi config (`namespace:key` → string, as the CLI hands it to the
 * program) for one stack. Throws ConfigError naming every bad key.
 */
export function validateConfig(raw: Record<string, string>, stack: string): Settings {
    const problems: string[] = [];
    const ns = `${PROJECT}:`;
    const shape = configSchema.shape as Record<string, z.ZodType>;
    const input: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(raw)) {
        if (!fullKey.startsWith(ns)) continue;
        const key = fullKey.slice(ns.length);
        const t = shape[key];
        if (!t) {
            problems.push(`${fullKey}: unknown key (known: ${Object.keys(shape).join(", ")})`);
            continue;
        }
        if (isStringKey(t)) {
            input[key] = value;
        } else {
            try {
                input[key] = JSON.parse(value);
            } catch {
                problems.push(`${fullKey}: not valid ${t instanceof z.ZodBoolean ? "true/false" : t instanceof z.ZodNumber ? "number" : "JSON"}: ${value}`);
            }
        }
    }
    const parsed = configSchema.safeParse(input);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const path = issue.path.map(String).join(".");
            if (issue.path.length === 1 && input[String(issue.path[0])] === undefined) {
                problems.push(`${ns}${path}: missing (declared in Pulumi.yaml; set it with 'pulumi config set ${path} ...')`);
            } else if (issue.code === "unrecognized_keys") {
                problems.push(`${ns}${path ? path + "." : ""}${issue.keys.join(", ")}: unknown key${issue.keys.length > 1 ? "s" : ""}`);
            } else {
                problems.push(`${ns}${path}: ${issue.message}`);
            }
        }
    }
    if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

    const cfg = parsed.data;
    const settings: Settings = {
        ...cfg,
        stack,
        prefix: physicalPrefix(stack),
        gcpProject: raw["gcp:project"],
        awsRegion: raw["aws:region"],
    };
    problems.push(...crossChecks(settings));
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

/** Checks that span several keys or depend on the cloud. */
function crossChecks(s: Settings): string[] {
    const problems: string[] = [];
    const k = (key: string) => `${PROJECT}:${key}`;
    if (s.cloud !== "gcp" && s.cloud !== "aws") {
        problems.push(`${k("cloud")}: '${s.cloud}' is not deployable yet (supported: gcp, aws)`);
    }
    if (s.cloud === "gcp" || s.cloud === "aws") {
        const bad = s.zones.filter((z) => !z.startsWith(s.cloud === "gcp" ? `${s.region}-` : s.region));
        if (bad.length) problems.push(`${k("zones")}: ${bad.join(", ")} not in region ${s.region}`);
    }
    const ranges = (["nodeCidr", "podCidr", "serviceCidr", "controlPlaneCidr"] as const).map((key) => ({ key, ...cidrRange(s[key]) }));
    for (let i = 0; i < ranges.length; i++) {
        for (let j = i + 1; j < ranges.length; j++) {
            const a = ranges[i]!;
            const b = ranges[j]!;
            if (a.first <= b.last && b.first <= a.last) problems.push(`${k(a.key)}: ${s[a.key]} overlaps ${k(b.key)} ${s[b.key]}`);
        }
    }
    if (!s.tlsCertificate !== !s.tlsPrivateKey) {
        problems.push(`${k(s.tlsCertificate ? "tlsPrivateKey" : "tlsCertificate")}: missing; set both tlsCertificate and tlsPrivateKey, or neither`);
    }
    if (cidrRange(s.controlPlaneCidr).size !== 16) problems.push(`${k("controlPlaneCidr")}: must be a /28`);
    if (s.cloud === "gcp" && !s.gcpProject) {
        problems.push("gcp:project: missing (the GCP project to deploy into)");
    }
    if (s.cloud === "aws") {
        if (s.awsRegion !== s.region) {
            problems.push(`aws:region: ${s.awsRegion ? `'${s.awsRegion}' differs from` : "missing; set it to"} ${k("region")} '${s.region}'`);
        }
        const vpc = cidrRange(s.vpcCidr);
        const svc = cidrRange(s.serviceCidr);
        if (vpc.first <= svc.last && svc.first <= vpc.last) {
            problems.push(`${k("serviceCidr")}: ${s.serviceCidr} overlaps ${k("vpcCidr")} ${s.vpcCidr} (EKS requires disjoint ranges)`);
        }
    }
    return problems;
}

/** First and last address of an IPv4 CIDR, as numbers. */
export function cidrRange(c: string): { first: number; last: number; size: number } {
    const [ip, bits] = c.split("/");
    const base = ip!.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const first = base - (base % size);
    return { first, last: first + size - 1, size };
}

/** Whether coderd serves HTTPS itself (a certificate from config, or TLS Secrets by name). */
export const servesTls = (s: StackConfig): boolean => s.tlsSecretNames.length > 0 || !!s.tlsCertificate;

/**
 * Valid but risky settings, said before anything is deployed (the program logs them as
 * warnings, the offline preview prints them).
 */
export function advisories(s: Settings): string[] {
    const notes: string[] = [];
    if (s.accessUrl.startsWith("https://") && !servesTls(s)) {
        notes.push(`coderd serves plain HTTP on port 80, but ${PROJECT}:accessUrl is https: set tlsCertificate/tlsPrivateKey ` +
            "or tlsSecretNames, or end TLS in a proxy in front of the load balancer");
    }
    if (s.apiAuthorizedNetworks.length === 0) {
        notes.push(`the Kubernetes API endpoint accepts any source address: set ${PROJECT}:apiAuthorizedNetworks`);
    }
    if (!s.deletionProtection) notes.push("deletion protection is off: `pulumi destroy` deletes the database");
    return notes;
}

/** Physical-name prefix: `coder-<stack>`, DNS-safe, short enough for GKE/Cloud SQL names. */
export function physicalPrefix(stack: string): string {
    const clean = stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
    return `coder-${clean}`.slice(0, 30).replace(/-$/, "");
}
