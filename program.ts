/**
 * The program: read and validate the stack's config, plan the tier, build one
 * deployment. index.ts runs it under the Pulumi CLI; preview/ runs it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, Settings, advisories, validateConfig } from "./config";
import { AwsPlatform, awsConfigProblems } from "./components/aws/platform";
import { GcpPlatform } from "./components/gcp/platform";
import { CoderKubernetes } from "./components/k8s/coder";
import { ClusterHandle, DatabaseEndpoint } from "./components/k8s/types";
import { Plan, buildPlan } from "./sizing";

export interface CoderDeploymentArgs {
    settings: Settings;
    plan: Plan;
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

        const platform = platformFor(s, plan, name, this);

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

function platformFor(s: Settings, plan: Plan, name: string, parent: pulumi.Resource): Platform {
    switch (s.cloud) {
        case "gcp":
            return new GcpPlatform(`${name}-gcp`, { settings: s, plan }, { parent });
        case "aws":
            return new AwsPlatform(`${name}-aws`, { settings: s, plan }, { parent });
        default:
            // validateConfig rejects clouds that are not deployable yet.
            throw new ConfigError([`coder-refarch:cloud: '${s.cloud}' is not deployable yet`]);
    }
}

/** What a cloud layer cannot deploy, beyond the schema (checked before any resource exists). */
function cloudConfigProblems(s: Settings): string[] {
    return s.cloud === "aws" ? awsConfigProblems(s) : [];
}

/** Validates the stack's config and plans it; throws ConfigError before any resource exists. */
export function loadPlan(raw: Record<string, string> = pulumi.runtime.allConfig(), stack = pulumi.getStack()) {
    const settings = validateConfig(raw, stack);
    const problems = cloudConfigProblems(settings);
    if (problems.length > 0) throw new ConfigError(problems);
    return { settings, plan: buildPlan(settings) };
}

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

/** The whole program: used by index.ts (CLI) and by the offline preview (mocks). */
export function run(opts?: pulumi.ComponentResourceOptions) {
    let loaded: ReturnType<typeof loadPlan>;
    try {
        loaded = loadPlan();
    } catch (e) {
        // One message, no stack trace, nothing registered.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    for (const note of advisories(loaded.settings)) pulumi.log.warn(note);
    const deployment = new CoderDeployment("coder", loaded, opts);
    return outputsOf(deployment, loaded.settings, loaded.plan);
}
