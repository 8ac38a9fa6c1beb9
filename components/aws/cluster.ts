import * as pulumi from "@pulumi/pulumi";
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as k8s from "@pulumi/kubernetes";
import { PoolPlan } from "../../sizing";
import { PoolRole } from "../../tiers";
import { irsaTrustPolicy, serviceTrustPolicy } from "./irsa";
import { execKubeconfig } from "../k8s/kubeconfig";

export interface EksClusterArgs {
    region: string;
    clusterName: string;
    /** major.minor; empty: EKS's default version at creation */
    kubernetesVersion: string;
    /** the control plane's network interfaces */
    privateSubnetIds: pulumi.Input<string>[];
    /** per zone of the stack, the private subnets its nodes and pods take addresses from */
    zoneSubnets: { zone: string; ids: pulumi.Input<string>[] }[];
    serviceCidr: string;
    pools: Record<PoolRole, PoolPlan>;
    /** CIDRs allowed to reach the public API endpoint; empty: any (authenticated) client */
    apiAuthorizedNetworks: string[];
    /** IAM principals given cluster-admin through access entries */
    clusterAdminArns: string[];
    deletionProtection: boolean;
    tags: Record<string, string>;
}

const POLICY = (name: string) => `arn:aws:iam::aws:policy/${name}`;
export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"] as const;
const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();

export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Pools whose pods pin zonal volumes: one node group a zone. */
export const ZONAL_POOLS: readonly PoolRole[] = ["workspaces"];

/** `total` spread over `parts` as evenly as whole numbers allow, larger parts first. */
export function splitAcross(total: number, parts: number): number[] {
    return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** VPC CNI: pods enforce NetworkPolicy; /28 prefixes instead of single addresses lift the ENI limit on pods a node. */
export const VPC_CNI_CONFIG = {
    enableNetworkPolicy: "true",
    env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" },
};

/**
 * The tag that marks an Auto Scaling group as the cluster's: auto-discovery looks for its
 * key, and cluster-autoscaler's IAM policy only lets it resize groups that carry it.
 */
export function autoscalerOwnerTag(clusterName: string): { key: string; value: string } {
    return { key: `k8s.io/cluster-autoscaler/${clusterName}`, value: "owned" };
}

/**
 * Tags cluster-autoscaler reads: auto-discovery, and the labels and taints of a node
 * it would add to a group that has scaled to zero. Keyed by a short id for logical names.
 */
export function autoscalerTags(clusterName: string, pool: Pick<PoolPlan, "labels" | "taints">): Record<string, { key: string; value: string }> {
    const prefix = "k8s.io/cluster-autoscaler";
    return {
        enabled: { key: `${prefix}/enabled`, value: "true" },
        owner: autoscalerOwnerTag(clusterName),
        ...Object.fromEntries(Object.entries(pool.labels).map(([k, v]) => [`label-${slug(k)}`, { key: `${prefix}/node-template/label/${k}`, value: v }])),
        ...Object.fromEntries(pool.taints.map((t) => [`taint-${slug(t.key)}`, { key: `${prefix}/node-template/taint/${t.key}`, value: `${t.value}:${t.effect}` }])),
    };
}

/**
 * nodeadm configuration merged into the one EKS writes for managed nodes (AL2023): the
 * kubelet's max pods, which with prefix delegation is no longer the ENI limit.
 */
export function nodeUserData(maxPods: number): string {
    const boundary = "//coder-refarch";
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: application/node.eks.aws",
        "",
        "---",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  kubelet:",
        "    config:",
        `      maxPods: ${maxPods}`,
        "",
        `--${boundary}--`,
        "",
    ].join("\n");
}

/**
 * An EKS cluster: API-mode access entries, secrets envelope-encrypted with a rotating
 * KMS key, control-plane logs, private nodes, managed add-ons (VPC CNI with network
 * policy and prefix delegation, kube-proxy, CoreDNS, EBS CSI) whose AWS permissions
 * come from their own IRSA roles, and one managed node group per planned pool,
 * labelled and tainted from the plan.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly cluster: eks.Cluster;
    /** per pool, its node groups: one over every zone, or one a zone (see ZONAL_POOLS) */
    public readonly nodeGroups: Record<PoolRole, eks.NodeGroup[]>;
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly ebsCsiAddon: eks.Addon;
    /** issues the service-account tokens IAM roles for service accounts trust */
    public readonly oidcProvider: iam.OpenIdConnectProvider;
    public readonly provider: k8s.Provider;
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:Cluster", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;

        // ---- control plane ----
        const secretsKey = new kms.Key(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${args.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);
        new kms.Alias(`${name}-secrets`, { name: `alias/${args.clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId }, parent);

        const clusterRole = new iam.Role(`${name}-cluster`, {
            assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
            tags,
        }, parent);
        const clusterPolicy = new iam.RolePolicyAttachment(`${name}-cluster`, { role: clusterRole.name, policyArn: POLICY("AmazonEKSClusterPolicy") }, parent);
        const clusterKmsPolicy = new iam.RolePolicy(`${name}-cluster-kms`, {
            role: clusterRole.id,
            policy: secretsKey.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: arn }],
            })),
        }, parent);

        // Created before the cluster, so EKS does not create it without a retention.
        const logGroup = new cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/eks/${args.clusterName}/cluster`,
            retentionInDays: 90,
            tags,
        }, parent);

        this.cluster = new eks.Cluster(`${name}-cluster`, {
            name: args.clusterName,
            roleArn: clusterRole.arn,
            version: args.kubernetesVersion || undefined,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: true,
                publicAccessCidrs: args.apiAuthorizedNetworks.length ? args.apiAuthorizedNetworks : ["0.0.0.0/0"],
            },
            // Access entries only (no aws-auth ConfigMap). The identity that runs
            // `pulumi up` becomes cluster admin when EKS creates the cluster.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
            kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: args.serviceCidr },
            // The add-ons below are EKS-managed; EKS installs no unmanaged copies.
            bootstrapSelfManagedAddons: false,
            // No extended-support charges: EKS upgrades the control plane when standard support ends.
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: args.deletionProtection,
            tags,
        }, { parent: this, dependsOn: [clusterPolicy, clusterKmsPolicy, logGroup] });

        const vpcConfig = this.cluster.vpcConfig;
        this.clusterSecurityGroupId = vpcConfig.apply((v) => v.clusterSecurityGroupId);

        for (const arn of args.clusterAdminArns) {
            const id = `${name}-admin-${slug(arn.split(":").pop() ?? arn)}`;
            const entry = new eks.AccessEntry(id, { clusterName: this.cluster.name, principalArn: arn, type: "STANDARD", tags }, parent);
            new eks.AccessPolicyAssociation(id, {
                clusterName: this.cluster.name,
                principalArn: arn,
                policyArn: CLUSTER_ADMIN_POLICY,
                accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        }

        // ---- IAM roles for service accounts ----
        const oidc = this.oidcProvider = new iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: this.cluster.identities.apply((ids) => ids[0]!.oidcs[0]!.issuer),
            clientIdLists: ["sts.amazonaws.com"],
            tags,
        }, parent);
        const irsaRole = (id: string, namespace: string, serviceAccount: string, policy: string) => {
            const role = new iam.Role(`${name}-${id}`, {
                assumeRolePolicy: irsaTrustPolicy(oidc, namespace, serviceAccount),
                tags,
            }, parent);
            const attachment = new iam.RolePolicyAttachment(`${name}-${id}`, { role: role.name, policyArn: policy }, parent);
            return { role, attachment };
        };
        // The CNI's permissions belong to aws-node, not to every pod's node.
        const cniRole = irsaRole("vpc-cni", "kube-system", "aws-node", POLICY("AmazonEKS_CNI_Policy"));
        const ebsRole = irsaRole("ebs-csi", "kube-system", "ebs-csi-controller-sa", POLICY("service-role/AmazonEBSCSIDriverPolicy"));

        const addon = (addonName: string, extra: Partial<eks.AddonArgs>, dependsOn: pulumi.Resource[]) => new eks.Addon(`${name}-${addonName}`, {
            clusterName: this.cluster.name,
            addonName,
            // A new cluster has nothing to keep; afterwards the program's configuration wins.
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
            ...extra,
        }, { parent: this, dependsOn });

        // Networking add-ons first: nodes only become Ready with the CNI running.
        const vpcCni = addon("vpc-cni", {
            serviceAccountRoleArn: cniRole.role.arn,
            configurationValues: JSON.stringify(VPC_CNI_CONFIG),
        }, [cniRole.attachment]);
        const kubeProxy = addon("kube-proxy", {}, []);

        // ---- nodes ----
        const nodeRole = new iam.Role(`${name}-nodes`, {
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
            tags,
        }, parent);
        const nodePolicies = NODE_POLICIES.map((p) => new iam.RolePolicyAttachment(`${name}-nodes-${p}`, { role: nodeRole.name, policyArn: POLICY(p) }, parent));

        const groups = {} as Record<PoolRole, eks.NodeGroup[]>;
        for (const pool of Object.values(args.pools)) {
            groups[pool.role] = this.poolNodeGroups(name, args, pool, nodeRole.arn, [...nodePolicies, vpcCni, kubeProxy]);
        }
        this.nodeGroups = groups;
        const nodeGroups = Object.values(groups).flat();

        // Add-ons whose pods need nodes to become healthy.
        const coredns = addon("coredns", {}, nodeGroups);
        this.ebsCsiAddon = addon("aws-ebs-csi-driver", {
            serviceAccountRoleArn: ebsRole.role.arn,
            // Workspace volumes attach on every pool, tainted or not.
            configurationValues: JSON.stringify({ node: { tolerateAllTaints: true } }),
        }, [...nodeGroups, ebsRole.attachment]);

        this.kubeconfig = pulumi.secret(pulumi
            .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
            .apply(([clusterName, endpoint, ca]) => eksKubeconfig(clusterName, endpoint, ca.data, args.region)));

        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
            deleteUnreachable: false,
        }, { parent: this, dependsOn: [...nodeGroups, vpcCni, kubeProxy, coredns, this.ebsCsiAddon] });

        this.registerOutputs({ cluster: this.cluster.name, endpoint: this.cluster.endpoint });
    }

    /**
     * A pool's node groups. A workspace's volume is a zonal EBS disk, so a restarted
     * workspace needs a node in its disk's zone; cluster-autoscaler cannot choose the
     * zone of a group spanning several (its AWS FAQ), so that pool gets a group a zone
     * (balanced by --balance-similar-node-groups). The other pools keep one group.
     */
    private poolNodeGroups(name: string, args: EksClusterArgs, pool: PoolPlan, nodeRoleArn: pulumi.Input<string>, after: pulumi.Resource[]): eks.NodeGroup[] {
        const template = this.launchTemplate(`${name}-${pool.role}`, args, pool);
        if (!ZONAL_POOLS.includes(pool.role)) {
            const subnets = args.zoneSubnets.flatMap((z) => z.ids);
            return [this.nodeGroup(`${name}-${pool.role}`, args, pool, template, subnets, pool.total, pool.initial.total, nodeRoleArn, after)];
        }
        const zones = args.zoneSubnets.length;
        const max = splitAcross(pool.total.max, zones);
        const initial = splitAcross(pool.initial.total, zones);
        return args.zoneSubnets.map(({ zone, ids }, i) => this.nodeGroup(
            `${name}-${pool.role}-${zone}`, args, pool, template, ids,
            { min: Math.min(pool.perZone.min, max[i]!), max: max[i]! }, Math.max(initial[i]!, Math.min(pool.perZone.min, max[i]!)),
            nodeRoleArn, after,
        ));
    }

    private launchTemplate(id: string, args: EksClusterArgs, pool: PoolPlan): ec2.LaunchTemplate {
        const tags = { ...args.tags, pool: pool.role };
        return new ec2.LaunchTemplate(id, {
            description: `EKS ${args.clusterName} ${pool.role} nodes`,
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: pool.bootDisk.sizeGb, volumeType: pool.bootDisk.type, encrypted: "true", deleteOnTermination: "true" },
            }],
            // IMDSv2 only, one hop: pods cannot borrow the node's credentials.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            userData: Buffer.from(nodeUserData(pool.maxPodsPerNode)).toString("base64"),
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                resourceType, tags: { ...tags, Name: `${args.clusterName}-${pool.role}` },
            })),
            updateDefaultVersion: true,
            tags,
        }, { parent: this });
    }

    private nodeGroup(
        id: string, args: EksClusterArgs, pool: PoolPlan, template: ec2.LaunchTemplate, subnetIds: pulumi.Input<string>[],
        size: { min: number; max: number }, desired: number, nodeRoleArn: pulumi.Input<string>, after: pulumi.Resource[],
    ): eks.NodeGroup {
        const tags = { ...args.tags, pool: pool.role };
        const group = new eks.NodeGroup(id, {
            clusterName: this.cluster.name,
            version: this.cluster.version,
            nodeRoleArn,
            // EKS counts span the group's subnets.
            subnetIds,
            instanceTypes: [pool.machine.name],
            amiType: pool.machine.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: desired },
            updateConfig: { maxUnavailable: 1 },
            nodeRepairConfig: { enabled: true },
            launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
            labels: pool.labels,
            taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: "NO_SCHEDULE" })),
            tags,
        }, {
            parent: this,
            dependsOn: after,
            // cluster-autoscaler owns the live count of autoscaling groups.
            ignoreChanges: pool.autoscaling ? ["scalingConfig.desiredSize"] : [],
        });

        // EKS does not copy node group tags to its Auto Scaling group.
        const asgName = group.resources.apply((r) => r[0]!.autoscalingGroups[0]!.name);
        for (const [tagId, { key, value }] of Object.entries(autoscalerTags(args.clusterName, pool))) {
            new autoscaling.Tag(`${id}-asg-${tagId}`, {
                autoscalingGroupName: asgName,
                tag: { key, value, propagateAtLaunch: false },
            }, { parent: this });
        }
        return group;
    }
}

/** A kubeconfig that authenticates with `aws eks get-token` (as `aws eks update-kubeconfig` writes it). */
export function eksKubeconfig(clusterName: string, endpoint: string, caData: string, region: string): string {
    return execKubeconfig({
        clusterName,
        server: endpoint,
        caData,
        exec: {
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
            interactiveMode: "Never",
        },
    });
}
