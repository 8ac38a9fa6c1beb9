/**
 * The policies of the coder-refarch pack: each wires a rule of rules.ts into a resource or a
 * stack validation with its enforcement level. index.ts builds the pack from POLICIES; the
 * tests import this module (never index.ts: a PolicyPack starts the analyzer's gRPC server).
 *
 * Enforcement levels (README, "Policy pack"):
 * - mandatory where a stack that breaks the rule loses data, exposes it, or does not run as
 *   the reference architecture promises: the database's HA, privacy, TLS, backups and
 *   protection; coderd's pool static and its region; burstable machines; secrets in clear;
 *   pods off their pools;
 * - advisory where the program lets a stack choose otherwise on purpose and the result still
 *   runs: pod resources (coder-refarch:sizing overrides them) and a workspaces pool of fixed size.
 *
 * A policy can be turned off for a stack with the pack's config, e.g. a throwaway stack
 * without deletion protection: `{"database-deletion-protection": "disabled", "database-delete-lock": "disabled"}`.
 */
import type {
    EnforcementLevel, PolicyConfigSchema, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import * as rules from "./rules";
import { ResourceInput, RuleConfig, StackResourceInput, StackViolation } from "./rules";

/**
 * The plain object under @pulumi/policy's unknown-checking proxy: reading an unknown value
 * through the proxy throws (and the SDK turns that into a "can't run policy during preview"
 * note for the whole policy); the rules instead skip the unknown value and judge the rest.
 */
function plain(props: unknown): Record<string, unknown> {
    if (!props || typeof props !== "object") return {};
    const target = (props as Record<string, unknown>)["__getSpecialProxyTarget"];
    return (target && typeof target === "object" ? target : props) as Record<string, unknown>;
}

/** What the rules read of a resource, as a resource or a stack policy sees it. */
type Seen = Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts" | "provider">;

function inputOf(r: Seen): ResourceInput {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plain(r.props),
        opts: { protect: r.opts?.protect },
        provider: r.provider ? { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: plain(r.provider.props) } : undefined,
    };
}

export const resourceInput = (args: ResourceValidationArgs): ResourceInput => inputOf(args);

export function stackInput(resources: PolicyResource[]): StackResourceInput[] {
    const map = new Map<PolicyResource, StackResourceInput>();
    for (const r of resources) map.set(r, inputOf(r));
    const of = (r: PolicyResource) => map.get(r);
    for (const [r, x] of map) {
        if (r.parent) x.parent = of(r.parent);
        x.dependencies = (r.dependencies ?? []).map(of).filter((d): d is StackResourceInput => !!d);
        x.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {})
            .map(([k, ds]) => [k, ds.map(of).filter((d): d is StackResourceInput => !!d)]));
    }
    return [...map.values()];
}

type ResourceRule = (r: ResourceInput, config: RuleConfig) => string[];
type StackRule = (resources: StackResourceInput[], config: RuleConfig) => StackViolation[];

function resourcePolicy(name: string, enforcementLevel: EnforcementLevel, description: string, rule: ResourceRule, configSchema?: PolicyConfigSchema): ResourceValidationPolicy {
    return {
        name, description, enforcementLevel, ...(configSchema ? { configSchema } : {}),
        validateResource: (args, reportViolation) => {
            for (const message of rule(resourceInput(args), args.getConfig<RuleConfig>())) reportViolation(message);
        },
    };
}

function stackPolicy(name: string, enforcementLevel: EnforcementLevel, description: string, rule: StackRule): StackValidationPolicy {
    return {
        name, description, enforcementLevel,
        validateStack: (args: StackValidationArgs, reportViolation) => {
            for (const v of rule(stackInput(args.resources), args.getConfig<RuleConfig>())) reportViolation(v.message, v.urn);
        },
    };
}

export const POLICIES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    // 1. The database. Mandatory: an unprotected, public, single-zone or unbacked-up database
    // loses or exposes every workspace's and user's data; the reference architectures all
    // promise managed HA PostgreSQL.
    resourcePolicy("database-high-availability", "mandatory",
        "Coder's database has a managed standby in a second zone (Cloud SQL REGIONAL, RDS Multi-AZ, Flexible Server zone-redundant HA).",
        rules.databaseHighAvailability),
    resourcePolicy("database-private-encrypted", "mandatory",
        "Coder's database has no public endpoint, is encrypted at rest and accepts TLS connections only.",
        rules.databasePrivateEncrypted),
    stackPolicy("database-tls-parameter", "mandatory",
        "An RDS database's parameter group forces TLS (rds.force_ssl 1).",
        rules.rdsForceSsl),
    resourcePolicy("database-backups", "mandatory",
        "Coder's database keeps automated backups with point-in-time recovery (Flexible Server: 7 days or more).",
        rules.databaseBackups),
    resourcePolicy("database-deletion-protection", "mandatory",
        "Coder's database is protected from deletion on the cloud's side and in Pulumi (protect).",
        rules.databaseDeletionProtection),
    stackPolicy("database-delete-lock", "mandatory",
        "A Flexible Server has a CanNotDelete management lock.",
        rules.azureDatabaseLock),
    // 2. Advisory: coder-refarch:sizing overrides pod resources on purpose; a different shape
    // still runs, it only loses the Guaranteed QoS and the fit the tiers were sized for.
    resourcePolicy("coder-pod-resources", "advisory",
        "coderd and proxies set requests = limits (the 2k tier's CPU limit up to 4/3 of its request); provisioners set requests and limits.",
        rules.coderPodResources,
        { properties: { maxCpuLimitToRequest: { type: "number", minimum: 1, default: rules.DEFAULT_MAX_CPU_LIMIT_TO_REQUEST } } }),
    // 3. Mandatory for coderd: "The Coder control plane node group must be static" (the seeds);
    // scale-down would evict coderd. Advisory for workspaces: a fixed pool still runs, it caps
    // the workspaces or pays for idle nodes.
    resourcePolicy("coderd-pool-static", "mandatory",
        "The coderd pool (label coder-refarch/pool=coderd) does not autoscale (GKE: total limits at most one surge node apart).",
        rules.coderdPoolStatic),
    resourcePolicy("workspaces-pool-autoscaling", "advisory",
        "The workspaces pool (label coder-refarch/pool=workspaces) autoscales.",
        rules.workspacesPoolAutoscaling),
    // 4. Mandatory: burstable types run out of CPU credits under Coder's steady load; the
    // program already refuses them unless a stack deploys the pages' named types, which says
    // so to the pack with allowBurstable.
    resourcePolicy("no-burstable-machines", "mandatory",
        "No burstable machine types (GCP shared-core, AWS t*, Azure B-series, Flexible Server Burstable) unless allowBurstable is set.",
        rules.noBurstableMachines,
        { properties: { allowBurstable: { type: "boolean", default: false } } }),
    // 5. Mandatory: every coderd request queries the database; across regions each query pays
    // the round trip, and the reference architectures place coderd beside it.
    stackPolicy("coderd-in-database-region", "mandatory",
        "coderd's cluster (the coder release that is not a workspace proxy) is in the database's region.",
        rules.coderdInDatabaseRegion),
    // 6. Mandatory: a secret in Helm values is kept in clear in the release's Secret and in
    // every pod spec that reads it as a literal env value.
    resourcePolicy("no-plaintext-secrets-in-helm-values", "mandatory",
        "Helm values carry no literal secret (secret-named keys, secret env vars, URLs with passwords): Secrets are referenced.",
        rules.noPlaintextSecretsInHelmValues),
    // 7. Mandatory: a pod without its pool's selector and toleration either stays Pending
    // (tainted pools) or lands on another pool and takes the capacity sized for it.
    resourcePolicy("pods-on-their-pools", "mandatory",
        "coderd, provisioners, cert-manager and cluster-autoscaler select their pools (coder-refarch/pool) and tolerate their taints.",
        rules.podsOnTheirPools),
];
