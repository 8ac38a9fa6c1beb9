/**
 * The program: read and validate the stack's config, plan the tier, build one
 * deployment. index.ts runs it under the Pulumi CLI; preview/ runs it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, Settings, advisories, checkConfig, declaredDefaults } from "./config";
import { AwsPlatform, awsConfigProblems } from "./components/aws/platform";
import { GcpPlatform } from "./components/gcp/platform";
import { CoderKubernetes } from "./components/k8s/coder";
import { coderSettingsProblems } from "./components/k8s/settings";
import { ClusterHandle, DatabaseEndpoint } from "./components/k8s/types";
import { NetworkReader, NetworkRefs, cloudReader, inspectNetwork, networkConfigProblems } from "./components/network-check";
import { Plan, buildPlan } from "./sizing";

export interface CoderDeploymentArgs {
    settings: Settings;
    plan: Plan;
    /** the existing network of `coder-refarch:network`, as loadPlan found it; absent = create one */
    network?: NetworkRefs;
}

/** One tier on one cloud: the cloud platform, then Coder on its cluster. */
export class CoderDeployment extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly databaseInstance: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly workspaceStorageClass: pulumi.Output<string>;
    public readonly coder: CoderKubernetes;

    constructor(name: string, args: CoderDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:index:Deployment", name, {}, opts);
        const { settings: s, plan } = args;

        const platform = platformFor(s, plan, args.network ?? {}, name, this);

        this.coder = new CoderKubernetes(`${name}-k8s`, {
            cluster: platform.cluster,
            database: platform.database,
            namespaces: s.namespaces,
            accessUrl: s.accessUrl,
            wildcardAccessUrl: s.wildcardAccessUrl,
            tlsSecretNames: s.tlsSecretNames,
            tlsCertificate: s.tlsCertificate && s.tlsPrivateKey
                ? { certificate: pulumi.secret(s.tlsCertificate), privateKey: pulumi.secret(s.tlsPrivateKey) }
                : undefined,
            chart: { repository: s.helmRepository, version: s.coderVersion },
            metricsNamespaces: s.metricsNamespaces,
            coderd: { ...plan.coderd, placement: plan.pools.coderd.placement, maxOpenConnections: plan.database.connectionsPerCoderd },
            provisioners: { ...plan.provisioners, placement: plan.pools.provisioners.placement },
            workspaces: { placement: plan.pools.workspaces.placement },
            coderEnv: s.coderEnv,
            coderSecretEnv: Object.fromEntries(Object.entries(s.coderSecretEnv ?? {}).map(([k, v]) => [k, pulumi.secret(v)])),
            helmValues: s.helmValues,
        }, { parent: this });

        this.clusterName = platform.clusterName;
        this.databaseInstance = platform.databaseInstance;
        this.kubeconfig = platform.kubeconfig;
        this.workspaceStorageClass = pulumi.output(platform.cluster.workspaceStorageClass);
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }
}

interface Platform {
    cluster: ClusterHandle;
    database: DatabaseEndpoint;
    clusterName: pulumi.Output<string>;
    databaseInstance: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
}

function platformFor(s: Settings, plan: Plan, network: NetworkRefs, name: string, parent: pulumi.Resource): Platform {
    switch (s.cloud) {
        case "gcp":
            return new GcpPlatform(`${name}-gcp`, { settings: s, plan, existingNetwork: network.gcp }, { parent });
        case "aws":
            return new AwsPlatform(`${name}-aws`, { settings: s, plan, existingNetwork: network.aws }, { parent });
        default:
            // validateConfig rejects clouds that are not deployable yet.
            throw new ConfigError([`coder-refarch:cloud: '${s.cloud}' is not deployable yet`]);
    }
}

/** What a cloud layer or coderd's own settings cannot deploy, beyond the schema (checked before any resource exists). */
function cloudConfigProblems(s: Settings): string[] {
    return [...(s.cloud === "aws" ? awsConfigProblems(s) : []), ...networkConfigProblems(s), ...coderSettingsProblems(s)];
}

/** The keys of `raw` whose values are secret (set with `pulumi config set --secret`). */
function secretKeysOf(raw: Record<string, string>): string[] {
    // The SDK's own test (runtime/config.ts isConfigSecret); internal, so not in its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const isSecret = runtime.isConfigSecret;
    // Without it every secret would look like plaintext: fail plainly instead (an SDK upgrade to check).
    if (typeof isSecret !== "function") throw new Error("@pulumi/pulumi no longer has runtime.isConfigSecret; see program.ts secretKeysOf");
    return Object.keys(raw).filter((key) => isSecret(key));
}

/**
 * Validates the stack's config and plans it; throws ConfigError naming every problem
 * (config, cloud and sizing alike) before any resource exists. Returns the warnings too.
 */
export async function loadPlan(
    raw: Record<string, string> = pulumi.runtime.allConfig(), stack = pulumi.getStack(), secretKeys = secretKeysOf(raw),
    reader: NetworkReader = cloudReader(),
) {
    const check = checkConfig(raw, stack, secretKeys);
    const problems = [...check.problems];
    if (check.settings) problems.push(...cloudConfigProblems(check.settings));
    // Sizing reads only some keys: plan whenever those could be read, so a bad URL does not hide a pool that cannot fit.
    const sizable = check.settings ?? (PLAN_KEYS.some((key) => check.unreadable.has(key)) ? undefined : check.partial);
    let plan: Plan | undefined;
    if (sizable && (sizable.cloud === "gcp" || sizable.cloud === "aws")) {
        try {
            plan = buildPlan(sizable);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            problems.push(...e.problems);
        }
    }
    if (problems.length > 0 || !check.settings || !plan) throw new ConfigError(problems);
    // An existing network is read from the cloud only once the config itself is valid.
    const { problems: networkProblems, notes, ...network } = await inspectNetwork(check.settings, plan, reader);
    if (networkProblems.length > 0) throw new ConfigError(networkProblems);
    const warnings = [...advisories(check.settings, raw, declaredDefaults()), ...plan.warnings, ...notes];
    return { settings: check.settings, plan, network, warnings };
}

/** The config keys the sizing reads. */
const PLAN_KEYS = ["cloud", "tier", "region", "zones", "sizing", "machineTypes", "podCidr", "nodeCidr", "databaseVersion", "network", "internalLoadBalancer"];

/** What `pulumi stack output` shows. */
export function outputsOf(d: CoderDeployment, settings: Settings, plan: Plan) {
    const pools = Object.fromEntries(Object.values(plan.pools).map((p) => [p.role, {
        machineType: p.machine.name, nodesPerZone: p.perZone, zones: p.zones,
    }]));
    return {
        tier: settings.tier,
        cloud: settings.cloud,
        accessUrl: settings.accessUrl,
        clusterName: d.clusterName,
        databaseInstance: d.databaseInstance,
        kubeconfig: d.kubeconfig,
        coderNamespace: d.coder.coderNamespace,
        provisionerNamespace: d.coder.provisionerNamespace,
        workspaceNamespace: d.coder.workspaceNamespace,
        /** what workspace templates set on their pods to land on the workspaces pool */
        workspacePlacement: plan.pools.workspaces.placement,
        /** the StorageClass of workspace volumes (the cluster's default) */
        workspaceStorageClass: d.workspaceStorageClass,
        pools,
    };
}

/** The whole program, as index.ts runs it under the Pulumi CLI (the offline preview calls loadPlan and CoderDeployment itself). */
export async function run(opts?: pulumi.ComponentResourceOptions) {
    let loaded: Awaited<ReturnType<typeof loadPlan>>;
    try {
        loaded = await loadPlan();
    } catch (e) {
        // One message, no stack trace, nothing registered.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    for (const note of loaded.warnings) pulumi.log.warn(note);
    const deployment = new CoderDeployment("coder", loaded, opts);
    return outputsOf(deployment, loaded.settings, loaded.plan);
}
