import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../../config";
import { PlatformArgs, PlatformRole } from "../platform";
import { Plan } from "../../sizing";
import { coderHostnames, usesAcme } from "../k8s/cert-manager";
import { workspaceStorageClass } from "../k8s/storage";
import { ClusterHandle, DatabaseEndpoint, METADATA_RANGE } from "../k8s/types";
import { CloudLoadBalancerAnnotations, loadBalancerAnnotations } from "../load-balancer";
import { AwsNetworkRef } from "../network-check";
import { POOL_LABEL } from "../../sizing";
import { AUTOSCALER_IMAGES, ClusterAutoscaler } from "./autoscaler";
import { AwsCliCredentials, EksCluster } from "./cluster";
import { RdsDatabase } from "./database";
import { AcmeRole, Route53AliasRecords } from "./dns";
import { AwsNetwork } from "./network";
import { Provider } from "@pulumi/aws/provider";
import { defaultProviderRegion, regionProvider } from "./provider";

/** `opts` with `provider` added to the providers its children inherit (a list or a map keyed by package). */
function withProvider(opts: pulumi.ComponentResourceOptions | undefined, provider: Provider): pulumi.ComponentResourceOptions {
    const given = opts?.providers;
    const providers = Array.isArray(given) ? [...given, provider] : { ...(given ?? {}), aws: provider };
    return { ...opts, providers };
}

/** Settings the AWS layer cannot deploy, found before any resource is registered. */
export function awsConfigProblems(s: Settings): string[] {
    const problems: string[] = [];
    if (s.kubernetesVersion && !AUTOSCALER_IMAGES[s.kubernetesVersion]) {
        problems.push(`coder-refarch:kubernetesVersion: ${s.kubernetesVersion} has no cluster-autoscaler release here ` +
            `(known: ${Object.keys(AUTOSCALER_IMAGES).join(", ")}); leave it empty for EKS's default or add the release to components/aws/autoscaler.ts`);
    }
    problems.push(...awsCredentialProblems());
    return problems;
}

/** `aws:assumeRoles` as pulumi-aws 7 reads it (config/vars.d.ts: outputs.config.AssumeRoles[]). */
interface AssumeRole {
    roleArn?: string;
    externalId?: string;
    sessionName?: string;
    [other: string]: unknown;
}

/**
 * Provider settings `aws eks get-token` cannot follow. Only the identity that creates the
 * cluster is its admin, so a kubeconfig that signs as anyone else fails every Kubernetes
 * resource with "the server has asked for the client to provide credentials".
 */
function awsCredentialProblems(): string[] {
    const aws = new pulumi.Config("aws");
    const problems: string[] = [];
    // Credentials written into the stack's config reach the AWS provider only; give them as
    // environment variables or in a profile, which the CLI reads as well.
    for (const key of ["accessKey", "secretKey", "token", "assumeRoleWithWebIdentity", "sharedConfigFiles", "sharedCredentialsFiles"]) {
        if (aws.get(key) !== undefined) {
            problems.push(`aws:${key}: the kubeconfig's \`aws eks get-token\` cannot use it; set the credentials in the environment ` +
                `(AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONFIG_FILE...) or in a profile named by aws:profile`);
        }
    }
    const roles = aws.getObject<AssumeRole[]>("assumeRoles") ?? [];
    if (roles.length > 1) {
        problems.push(`aws:assumeRoles: a chain of ${roles.length} roles; \`aws eks get-token --role-arn\` assumes one. ` +
            "Describe the chain in an AWS CLI profile (role_arn with source_profile) and set aws:profile to it instead");
    } else if (roles.length === 1) {
        const r = roles[0]!;
        if (!r.roleArn) problems.push("aws:assumeRoles[0].roleArn: missing");
        // A trust policy may require these; session policies and tags do not change who signs.
        const unsupported = ["externalId", "sourceIdentity"].filter((k) => r[k] !== undefined);
        if (unsupported.length) {
            problems.push(`aws:assumeRoles[0]: ${unsupported.join(", ")} cannot be passed to \`aws eks get-token --role-arn\`; ` +
                "describe the role in an AWS CLI profile (role_arn, external_id...) and set aws:profile to it instead");
        }
    }
    return problems;
}

/**
 * The identity of the Pulumi AWS provider, for `aws eks get-token`: `aws:profile`, and the
 * role of `aws:assumeRoles` (one role at most, see awsCredentialProblems). The session name
 * and duration of that role are the CLI's own: they do not change who signs.
 */
export function awsCliCredentials(): AwsCliCredentials {
    const aws = new pulumi.Config("aws");
    const profile = aws.get("profile");
    const roleArn = aws.getObject<AssumeRole[]>("assumeRoles")?.[0]?.roleArn;
    return { ...(profile ? { profile } : {}), ...(roleArn ? { roleArn } : {}) };
}


/**
 * "proxy" role: no RDS (nor its subnet group and security group), an AWS provider of the
 * region's own, IAM roles and launch templates named after settings.prefix.
 */
export interface AwsPlatformArgs extends PlatformArgs {
    /** an existing VPC to deploy into; absent = the platform creates one */
    existingNetwork?: AwsNetworkRef;
}

/** cloud-provider-aws ServiceAnnotationLoadBalancerTargetNodeLabels. */
export const TARGET_NODE_LABELS_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-target-node-labels";

/**
 * Load-balancer annotations of the coderd Service: a Network Load Balancer from the
 * controller EKS runs itself (instance targets), so no AWS Load Balancer Controller has
 * to be installed and kept up to date. It is internet-facing in the subnets tagged
 * kubernetes.io/role/elb; internal (any value but "false" of the annotation, as
 * cloud-provider-aws reads ServiceAnnotationLoadBalancerInternal) in those tagged
 * kubernetes.io/role/internal-elb. Either way externalTrafficPolicy stays Local: clients'
 * addresses reach coderd, and the health check asks each node's healthCheckNodePort.
 */
export const NLB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    // Only coderd's nodes become targets (cloud-provider-aws
    // ServiceAnnotationLoadBalancerTargetNodeLabels: "a comma-separated list of key-value pairs
    // which will be used to select the target nodes for the load balancer"). Otherwise every
    // node of the cluster is registered, only coderd's pass the Local health check, and every
    // workspace node cluster-autoscaler adds or removes rewrites the target groups.
    [TARGET_NODE_LABELS_ANNOTATION]: `${POOL_LABEL}=coderd`,
} as const;
export const AWS_LOAD_BALANCER: CloudLoadBalancerAnnotations = {
    always: NLB_ANNOTATIONS,
    internal: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" },
};

/**
 * In an existing VPC the load balancer takes the subnets it is given: cloud-provider-aws
 * otherwise searches the whole VPC (skipping subnets tagged for another cluster, taking any
 * untagged one with a route to the internet), which in a shared VPC may be another team's.
 */
function withSubnets(annotations: CloudLoadBalancerAnnotations, s: Settings): CloudLoadBalancerAnnotations {
    const ids = s.internalLoadBalancer ? s.network.privateSubnetIds : s.network.publicSubnetIds;
    if (!s.network.vpcId || !ids?.length) return annotations;
    return { ...annotations, always: { ...annotations.always, [LB_SUBNETS_ANNOTATION]: ids.join(",") } };
}

/** cloud-provider-aws ServiceAnnotationLoadBalancerSubnets: subnet IDs or names, comma-separated. */
export const LB_SUBNETS_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-subnets";

/**
 * One AWS region of a deployment: VPC (or an existing one), EKS cluster with the planned pools and
 * cluster-autoscaler for them, (in the primary region) RDS for PostgreSQL, and the default
 * StorageClass for workspace volumes. Hands the Kubernetes layer a cloud-free ClusterHandle
 * and (primary) DatabaseEndpoint.
 *
 * A region other than `aws:region` (every proxy region) gets an AWS provider of its own
 * (provider.ts), passed to every child through the component's `providers`: "a child
 * resource created with a component as its parent automatically picks up the matching
 * provider from the component's inherited map" (pulumi.com/docs/iac/concepts/resources/options/providers),
 * invokes included (they take the provider of their `parent`).
 */
export class AwsPlatform extends pulumi.ComponentResource {
    public readonly role: PlatformRole;
    public readonly cluster: ClusterHandle;
    /** the primary's database (absent in a proxy region) */
    public readonly database?: DatabaseEndpoint;
    public readonly clusterName: pulumi.Output<string>;
    /** the RDS instance's identifier (absent in a proxy region) */
    public readonly databaseInstance?: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    /** the region's own AWS provider (absent where the stack's default provider serves the region) */
    public readonly awsProvider?: Provider;
    private readonly logicalName: string;
    private readonly settings: Settings;

    constructor(name: string, args: AwsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const role = args.role ?? "primary";
        // A provider exists before the component that hands it down: parented beside it.
        const awsProvider = role === "proxy" || args.settings.region !== defaultProviderRegion()
            ? regionProvider(`${name}-provider`, args.settings.region, { parent: opts?.parent })
            : undefined;
        super("coder-refarch:aws:Platform", name, {}, awsProvider ? withProvider(opts, awsProvider) : opts);
        const { settings: s, plan } = args;
        this.role = role;
        this.awsProvider = awsProvider;
        this.logicalName = name;
        this.settings = s;
        const tags = { "managed-by": "pulumi", app: "coder", stack: s.stack };
        const clusterName = s.prefix;
        // IAM is global: a proxy region's roles carry its prefix. The primary's keep the
        // auto-names they were created with (a new name replaces a role; the cluster's, the cluster).
        const namePrefix = role === "proxy" ? s.prefix : undefined;

        const net = args.existingNetwork ?? this.createNetwork(name, s, clusterName, tags, namePrefix);

        const eks = new EksCluster(`${name}-eks`, {
            region: s.region,
            clusterName,
            kubernetesVersion: s.kubernetesVersion,
            privateSubnetIds: net.privateSubnetIds,
            zoneSubnets: net.zoneSubnets,
            serviceCidr: s.serviceCidr,
            pools: plan.pools,
            apiAuthorizedNetworks: s.apiAuthorizedNetworks,
            clusterAdminArns: s.clusterAdminArns,
            deletionProtection: s.deletionProtection,
            credentials: awsCliCredentials(),
            tags,
            namePrefix,
        }, { parent: this });

        // Managed node groups do not resize themselves: cluster-autoscaler grows the
        // provisioner and workspace groups for Pending pods, on the system pool.
        new ClusterAutoscaler(`${name}-autoscaler`, {
            clusterName,
            kubernetesVersion: eks.cluster.version,
            region: s.region,
            oidcProvider: eks.oidcProvider,
            placement: plan.pools.system.placement,
            provider: eks.provider,
            tags,
            namePrefix,
        }, { parent: this });

        const db = role === "primary"
            ? new RdsDatabase(`${name}-db`, {
                vpcId: net.vpcId,
                subnetIds: net.privateSubnetIds,
                clientSecurityGroupId: eks.clusterSecurityGroupId,
                plan: plan.database,
                deletionProtection: s.deletionProtection,
                namePrefix: s.prefix,
                tags,
            }, { parent: this })
            : undefined;

        // Workspace volumes: encrypted gp3, created in the zone the pod is scheduled to.
        const storageClass = workspaceStorageClass(`${name}-workspaces`, {
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        }, { parent: this, provider: eks.provider, dependsOn: [eks.ebsCsiAddon] });

        // cert-manager's identity for DNS-01 challenges in the stack's hosted zone.
        const acme = usesAcme(s)
            ? new AcmeRole(`${name}-acme`, {
                region: s.region,
                hostedZoneId: s.dnsZone,
                hosts: coderHostnames(s.accessUrl, s.wildcardAccessUrl),
                oidcProvider: eks.oidcProvider,
                clusterName,
                tags,
                namePrefix,
            }, { parent: this }).acme
            : undefined;

        this.cluster = {
            provider: eks.provider,
            ...(acme ? { acme } : {}),
            loadBalancerAnnotations: loadBalancerAnnotations(s, withSubnets(AWS_LOAD_BALANCER, s)),
            workspaceStorageClass: storageClass.metadata.name,
            // No managed Prometheus is installed on EKS (the observability bundle comes with its own).
            podMonitoring: false,
            // The database (primary region), the control plane's network interfaces and the
            // nodes share the private subnets: workspaces reach none of them directly. The VPC CNI's policy
            // agent judges a Service's ClusterIP before kube-proxy translates it, so the
            // Service range goes too (kubernetes.default); DNS and coderd stay reachable
            // through their pod-selector rules, which the agent resolves to their Services.
            protectedRanges: [...net.privateCidrs, s.serviceCidr, METADATA_RANGE],
        };
        this.database = db?.endpoint;
        this.clusterName = eks.cluster.name;
        this.databaseInstance = db?.instance.identifier;
        this.kubeconfig = eks.kubeconfig;
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }

    /**
     * With coder-refarch:dnsZone: alias records of Coder's hosts at coderd's Network Load
     * Balancer, whose DNS name the coder Service reports once it exists (the caller reads
     * `status.loadBalancer.ingress[0].hostname`). Without a zone: nothing.
     */
    public pointDnsAt(loadBalancerHostname: pulumi.Input<string>, opts?: pulumi.ComponentResourceOptions): Route53AliasRecords | undefined {
        const s = this.settings;
        if (!s.dnsZone) return undefined;
        // The region's provider even where the caller names another parent.
        const options = { parent: this, ...opts };
        return new Route53AliasRecords(`${this.logicalName}-dns`, {
            region: s.region,
            hostedZoneId: s.dnsZone,
            hosts: coderHostnames(s.accessUrl, s.wildcardAccessUrl),
            loadBalancerHostname,
        }, this.awsProvider ? withProvider(options, this.awsProvider) : options);
    }

    /** A VPC of the program's own over the stack's zones. */
    private createNetwork(name: string, s: Settings, clusterName: string, tags: Record<string, string>, namePrefix: string | undefined) {
        const network = new AwsNetwork(`${name}-net`, {
            region: s.region,
            zones: s.zones,
            vpcCidr: s.vpcCidr,
            clusterName,
            tags,
            namePrefix,
        }, { parent: this });
        return {
            vpcId: network.vpc.id,
            privateSubnetIds: network.privateSubnets.map((x) => x.id),
            zoneSubnets: network.layout.map((l, i) => ({ zone: l.zone, ids: [network.privateSubnets[i]!.id] })),
            privateCidrs: network.layout.map((l) => l.private),
        };
    }
}
