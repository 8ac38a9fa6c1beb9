import * as pulumi from "@pulumi/pulumi";
import { Tag as AutoscalingTag } from "@pulumi/aws/autoscaling/tag";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { LaunchTemplate } from "@pulumi/aws/ec2/launchTemplate";
import { AccessEntry } from "@pulumi/aws/eks/accessEntry";
import { AccessPolicyAssociation } from "@pulumi/aws/eks/accessPolicyAssociation";
import { Addon, type AddonArgs } from "@pulumi/aws/eks/addon";
import { Cluster } from "@pulumi/aws/eks/cluster";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import { Alias as KmsAlias } from "@pulumi/aws/kms/alias";
import { Key as KmsKey } from "@pulumi/aws/kms/key";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { PoolPlan, nodeGroups } from "../../sizing";
import { PoolRole } from "../../tiers";
import { irsaTrustPolicy, serviceTrustPolicy } from "./irsa";
import { regionalName } from "./names";

/** Launch template names: at most 128 characters (EC2 API, CreateLaunchTemplate `LaunchTemplateName`). */
const LAUNCH_TEMPLATE_NAME_MAX = 128;
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
    /** the identity the Pulumi AWS provider uses, for the kubeconfig's `aws eks get-token` */
    credentials: AwsCliCredentials;
    tags: Record<string, string>;
    /**
     * Physical names of the IAM roles (global) and launch templates: `<namePrefix>-<role>`
     * (names.ts). Absent: auto-named from the logical names, as the primary region's were
     * first deployed (a new name would replace the cluster's role, and with it the cluster).
     */
    namePrefix?: string;
}

/**
 * What `aws eks get-token` needs to sign with the identity that created the cluster (the
 * only one EKS makes cluster admin): the Pulumi AWS provider's `aws:profile` and the role
 * of `aws:assumeRoles`. Credentials from the environment (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, or a CI job's OIDC web identity
 * in AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE) need nothing here: the Kubernetes
 * provider runs the plugin with the environment of `pulumi up`, so the CLI finds the same
 * ones the AWS provider found.
 */
export interface AwsCliCredentials {
    profile?: string;
    roleArn?: string;
}

const POLICY = (name: string) => `arn:aws:iam::aws:policy/${name}`;
export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"] as const;
const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();

export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";



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
 * Tags cluster-autoscaler reads to build a node of a group that has scaled to zero: its
 * labels and taints. Keyed by a short id for logical names.
 */
export function autoscalerTags(pool: Pick<PoolPlan, "labels" | "taints">): Record<string, { key: string; value: string }> {
    const prefix = "k8s.io/cluster-autoscaler/node-template";
    return {
        ...Object.fromEntries(Object.entries(pool.labels).map(([k, v]) => [`label-${slug(k)}`, { key: `${prefix}/label/${k}`, value: v }])),
        ...Object.fromEntries(pool.taints.map((t) => [`taint-${slug(t.key)}`, { key: `${prefix}/taint/${t.key}`, value: `${t.value}:${t.effect}` }])),
    };
}

/**
 * The tags auto-discovery looks for, the owner tag being the one cluster-autoscaler's IAM
 * policy names. EKS puts both on a managed node group's Auto Scaling group itself ("Nodes
 * launched as part of a managed node group are automatically tagged for auto-discovery by the
 * Kubernetes Cluster Autoscaler", EKS user guide, managed-node-groups); the program declares
 * them too, so the IAM condition does not rest on that alone, but never deletes them
 * (retainOnDelete): a tag resource replaced by a refactor or removed by a targeted destroy
 * would otherwise delete EKS's own tags, and cluster-autoscaler would lose the group.
 */
export function autoscalerDiscoveryTags(clusterName: string): Record<string, { key: string; value: string }> {
    return {
        enabled: { key: "k8s.io/cluster-autoscaler/enabled", value: "true" },
        owner: autoscalerOwnerTag(clusterName),
    };
}

/**
 * The EBS CSI driver's startup taint: its node plugin removes it once it is ready to attach
 * volumes, so pods that need a volume do not land on a node before the driver
 * (aws-ebs-csi-driver docs/install.md, "Configure node startup taint": "cluster
 * administrators should use the taint `ebs.csi.aws.com/agent-not-ready:NoExecute` (any effect
 * will work...)"). The add-on's node plugin tolerates every taint (`node.tolerateAllTaints`
 * below), so it runs. cluster-autoscaler is told to ignore it (`--startup-taint`), or a
 * template node of the group would carry it forever and no pending workspace would fit.
 *
 * NoSchedule, not NoExecute: on a new node the taint is there from registration, so both keep
 * every pod off until the driver runs. They differ on a running node: EKS applies a node
 * group's new taints to its existing nodes ("to be applied to the nodes in the node group",
 * UpdateNodegroupConfig), and NoExecute would then evict every running workspace of a stack
 * deployed before the taint existed. The driver only removes the taint when it starts.
 */
export const EBS_STARTUP_TAINT = { key: "ebs.csi.aws.com/agent-not-ready", effect: "NO_SCHEDULE" } as const;

/** Pools whose pods mount EBS volumes: their nodes start with EBS_STARTUP_TAINT. */
export const EBS_STARTUP_TAINT_POOLS: readonly PoolRole[] = ["workspaces"];

/**
 * How many nodes of a group an update (new launch template, AMI or Kubernetes version)
 * replaces at a time. The autoscaled pools can be large (a workspace group of the 3k tier
 * goes up to 86 nodes): a quarter at a time. coderd and the system pool are small and
 * carry the control path: one node at a time.
 */
export function updateConfigFor(role: PoolRole): { maxUnavailable: number } | { maxUnavailablePercentage: number } {
    return role === "workspaces" || role === "provisioners" ? { maxUnavailablePercentage: 25 } : { maxUnavailable: 1 };
}

/**
 * Minutes one batch of an update may take: new nodes launch and join (~5 min), the old
 * ones drain (EKS waits up to 15 minutes for pods to leave before it fails the update with
 * PodEvictionFailure: EKS user guide, managed-node-update-behavior) and terminate.
 */
export const UPDATE_BATCH_MINUTES = 25;

/**
 * Provider timeouts of a node group of at most `maxNodes` nodes. The provider's default is
 * 60 minutes for each (terraform-provider-aws eks_node_group docs, Timeouts); an update
 * replaces the nodes batch by batch (updateConfigFor), so it gets one UPDATE_BATCH_MINUTES
 * per batch plus one for EKS's setup and scale-down phases, at least the default.
 */
export function nodeGroupTimeouts(role: PoolRole, maxNodes: number): { create: string; update: string; delete: string } {
    const u = updateConfigFor(role);
    const perBatch = "maxUnavailable" in u ? u.maxUnavailable : Math.max(1, Math.floor(maxNodes * u.maxUnavailablePercentage / 100));
    const batches = Math.ceil(Math.max(1, maxNodes) / perBatch);
    return { create: "60m", update: `${Math.max(60, (batches + 1) * UPDATE_BATCH_MINUTES)}m`, delete: "60m" };
}

/**
 * kube-reserved as nodeadm computes it (awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go
 * at e48b98ad65e761801e76fefe006ca884352841d0, withDefaultReservedResources,
 * getCPUMillicoresToReserve, getMemoryMebibytesToReserve): CPU 6% of the first core, 1% of
 * the second, 0.5% of the third and fourth, 0.25% of the rest; memory 11Mi per pod plus
 * 255Mi; 1Gi of ephemeral storage. nodeadm takes the pods from the instance type's ENI
 * limit (or its maxPodsExpression), not from the kubelet's maxPods the program sets, so
 * the program writes the figures for its own maxPods.
 */
export function kubeReserved(vcpu: number, maxPods: number): { cpu: string; memory: string; "ephemeral-storage": string } {
    const total = vcpu * 1000;
    const ranges: [number, number, number][] = [[0, 1000, 600], [1000, 2000, 100], [2000, 4000, 50], [4000, total, 25]];
    const cpu = ranges.reduce((n, [start, end, perTenThousand]) =>
        n + (total <= start ? 0 : Math.floor((Math.min(total, end) - start) * perTenThousand / 10000)), 0);
    return { cpu: `${cpu}m`, memory: `${11 * maxPods + 255}Mi`, "ephemeral-storage": "1Gi" };
}

/**
 * nodeadm configuration merged into the one EKS writes for managed nodes (AL2023): the
 * kubelet's max pods, which with prefix delegation is no longer the ENI limit, and the
 * kube-reserved that goes with those pods (see kubeReserved). nodeadm writes this kubelet
 * config as a drop-in (config.json.d) the kubelet applies over nodeadm's own
 * (writeKubeletConfigToDir), so every key given here wins.
 */
export function nodeUserData(maxPods: number, vcpu: number): string {
    const boundary = "//coder-refarch";
    const reserved = kubeReserved(vcpu, maxPods);
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
        "      kubeReserved:",
        ...Object.entries(reserved).map(([k, v]) => `        ${k}: ${v}`),
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
    public readonly cluster: Cluster;
    /** per pool, its node groups: one over every zone, or one a zone (sizing.ts nodeGroups) */
    public readonly nodeGroups: Record<PoolRole, NodeGroup[]>;
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly ebsCsiAddon: Addon;
    public readonly nodeMonitoringAddon: Addon;
    /** issues the service-account tokens IAM roles for service accounts trust */
    public readonly oidcProvider: OpenIdConnectProvider;
    public readonly provider: KubernetesProvider;
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:Cluster", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;

        // ---- control plane ----
        const secretsKey = new KmsKey(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${args.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);
        new KmsAlias(`${name}-secrets`, { name: `alias/${args.clusterName}-eks-secrets`, targetKeyId: secretsKey.keyId }, parent);

        const named = (role: string) => (args.namePrefix ? { name: regionalName(args.namePrefix, role) } : {});
        const clusterRole = new Role(`${name}-cluster`, {
            ...named("eks-cluster"),
            assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
            tags,
        }, parent);
        const clusterPolicy = new RolePolicyAttachment(`${name}-cluster`, { role: clusterRole.name, policyArn: POLICY("AmazonEKSClusterPolicy") }, parent);
        const clusterKmsPolicy = new RolePolicy(`${name}-cluster-kms`, {
            role: clusterRole.id,
            policy: secretsKey.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: arn }],
            })),
        }, parent);

        // Created before the cluster, so EKS does not create it without a retention.
        const logGroup = new LogGroup(`${name}-logs`, {
            name: `/aws/eks/${args.clusterName}/cluster`,
            retentionInDays: 90,
            tags,
        }, parent);

        this.cluster = new Cluster(`${name}-cluster`, {
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
            const entry = new AccessEntry(id, { clusterName: this.cluster.name, principalArn: arn, type: "STANDARD", tags }, parent);
            new AccessPolicyAssociation(id, {
                clusterName: this.cluster.name,
                principalArn: arn,
                policyArn: CLUSTER_ADMIN_POLICY,
                accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        }

        // ---- IAM roles for service accounts ----
        const oidc = this.oidcProvider = new OpenIdConnectProvider(`${name}-oidc`, {
            url: this.cluster.identities.apply((ids) => ids[0]!.oidcs[0]!.issuer),
            clientIdLists: ["sts.amazonaws.com"],
            tags,
        }, parent);
        const irsaRole = (id: string, namespace: string, serviceAccount: string, policy: string) => {
            const role = new Role(`${name}-${id}`, {
                ...named(id),
                assumeRolePolicy: irsaTrustPolicy(oidc, namespace, serviceAccount),
                tags,
            }, parent);
            const attachment = new RolePolicyAttachment(`${name}-${id}`, { role: role.name, policyArn: policy }, parent);
            return { role, attachment };
        };
        // The CNI's permissions belong to aws-node, not to every pod's node.
        const cniRole = irsaRole("vpc-cni", "kube-system", "aws-node", POLICY("AmazonEKS_CNI_Policy"));
        const ebsRole = irsaRole("ebs-csi", "kube-system", "ebs-csi-controller-sa", POLICY("service-role/AmazonEBSCSIDriverPolicy"));

        const addon = (addonName: string, extra: Partial<AddonArgs>, dependsOn: pulumi.Resource[]) => new Addon(`${name}-${addonName}`, {
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
        const nodeRole = new Role(`${name}-nodes`, {
            ...named("nodes"),
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
            tags,
        }, parent);
        const nodePolicies = NODE_POLICIES.map((p) => new RolePolicyAttachment(`${name}-nodes-${p}`, { role: nodeRole.name, policyArn: POLICY(p) }, parent));

        const groups = {} as Record<PoolRole, NodeGroup[]>;
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

        // Node health conditions beyond Ready (kernel, networking, storage, container runtime),
        // which nodeRepairConfig acts on (EKS user guide, node-health). Its DaemonSet tolerates
        // every taint (chart values nodeAgent.tolerations `operator: Exists`,
        // aws/eks-node-monitoring-agent charts/eks-node-monitoring-agent/values.yaml at
        // d016b88d37b3a3ec8070703eb4d9da45a92652da), so it runs on the tainted pools too.
        this.nodeMonitoringAddon = addon("eks-node-monitoring-agent", {}, nodeGroups);

        this.kubeconfig = pulumi.secret(pulumi
            .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
            .apply(([clusterName, endpoint, ca]) => eksKubeconfig(clusterName, endpoint, ca.data, args.region, args.credentials)));

        this.provider = new KubernetesProvider(`${name}-k8s`, {
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
    private poolNodeGroups(name: string, args: EksClusterArgs, pool: PoolPlan, nodeRoleArn: pulumi.Input<string>, after: pulumi.Resource[]): NodeGroup[] {
        const template = this.launchTemplate(`${name}-${pool.role}`, args, pool);
        return nodeGroups("aws", pool).map((g) => {
            const subnets = g.zone === undefined ? args.zoneSubnets : args.zoneSubnets.filter((z) => z.zone === g.zone);
            if (!subnets.length) throw new Error(`no subnet in ${g.zone} for the ${pool.role} node group`);
            return this.nodeGroup(
                `${name}-${pool.role}${g.zone === undefined ? "" : `-${g.zone}`}`, args, pool, template, subnets.flatMap((z) => z.ids),
                { min: g.min, max: g.max }, g.initial, nodeRoleArn, after,
            );
        });
    }

    private launchTemplate(id: string, args: EksClusterArgs, pool: PoolPlan): LaunchTemplate {
        const tags = { ...args.tags, pool: pool.role };
        return new LaunchTemplate(id, {
            ...(args.namePrefix ? { name: regionalName(args.namePrefix, pool.role, LAUNCH_TEMPLATE_NAME_MAX) } : {}),
            description: `EKS ${args.clusterName} ${pool.role} nodes`,
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: pool.bootDisk.sizeGb, volumeType: pool.bootDisk.type, encrypted: "true", deleteOnTermination: "true" },
            }],
            // IMDSv2 only, one hop: pods cannot borrow the node's credentials.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            userData: Buffer.from(nodeUserData(pool.maxPodsPerNode, pool.machine.vcpu)).toString("base64"),
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                resourceType, tags: { ...tags, Name: `${args.clusterName}-${pool.role}` },
            })),
            updateDefaultVersion: true,
            tags,
        }, { parent: this });
    }

    private nodeGroup(
        id: string, args: EksClusterArgs, pool: PoolPlan, template: LaunchTemplate, subnetIds: pulumi.Input<string>[],
        size: { min: number; max: number }, desired: number, nodeRoleArn: pulumi.Input<string>, after: pulumi.Resource[],
    ): NodeGroup {
        const tags = { ...args.tags, pool: pool.role };
        const taints = pool.taints.map((t): { key: string; value?: string; effect: string } => ({ key: t.key, value: t.value, effect: "NO_SCHEDULE" }));
        if (EBS_STARTUP_TAINT_POOLS.includes(pool.role)) taints.push({ ...EBS_STARTUP_TAINT });
        const group = new NodeGroup(id, {
            clusterName: this.cluster.name,
            // The configured version, not the cluster's live one: when EKS upgrades the control
            // plane itself (standard support ended, see upgradePolicy), the nodes are not rolled
            // behind the program's back; they follow when kubernetesVersion is bumped. Empty:
            // the cluster's version at creation.
            version: args.kubernetesVersion || undefined,
            nodeRoleArn,
            // EKS counts span the group's subnets.
            subnetIds,
            // Same vCPUs and memory each (the plan's instanceTypes), so the sizing holds for any;
            // several types let the Auto Scaling group find capacity when one type has none. The
            // launch template names no type, as EKS requires for a list. cluster-autoscaler
            // builds its template node from the first.
            instanceTypes: pool.instanceTypes,
            amiType: pool.machine.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: desired },
            updateConfig: updateConfigFor(pool.role),
            // Acts on the conditions the node monitoring agent add-on reports, besides Ready.
            nodeRepairConfig: { enabled: true },
            launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
            labels: pool.labels,
            taints,
            tags,
        }, {
            parent: this,
            dependsOn: after,
            // cluster-autoscaler owns the live count of autoscaling groups.
            ignoreChanges: pool.autoscaling ? ["scalingConfig.desiredSize"] : [],
            customTimeouts: nodeGroupTimeouts(pool.role, size.max),
        });

        // EKS does not copy node group labels and taints to its Auto Scaling group.
        const asgName = group.resources.apply((r) => r[0]!.autoscalingGroups[0]!.name);
        const asgTag = (tagId: string, key: string, value: string, retainOnDelete: boolean) => new AutoscalingTag(`${id}-asg-${tagId}`, {
            autoscalingGroupName: asgName,
            tag: { key, value, propagateAtLaunch: false },
        }, { parent: this, retainOnDelete });
        for (const [tagId, { key, value }] of Object.entries(autoscalerDiscoveryTags(args.clusterName))) asgTag(tagId, key, value, true);
        for (const [tagId, { key, value }] of Object.entries(autoscalerTags(pool))) asgTag(tagId, key, value, false);
        return group;
    }
}

/**
 * A kubeconfig that authenticates with `aws eks get-token` (as `aws eks update-kubeconfig`
 * writes it), as the identity in `credentials`. The profile goes on the command line, not in
 * AWS_PROFILE: the AWS CLI prefers credentials in the environment over AWS_PROFILE's, but
 * "an explicitly provided profile will negate an EnvProvider" (botocore credentials.py,
 * create_credential_resolver), as the AWS provider prefers its `profile` setting. `--role-arn`
 * assumes the role with those credentials, as the provider does with `assumeRoles`
 * (get-token has no option for a session name or an external ID: awsConfigProblems refuses
 * what it cannot pass).
 */
export function eksKubeconfig(clusterName: string, endpoint: string, caData: string, region: string, credentials: AwsCliCredentials = {}): string {
    return execKubeconfig({
        clusterName,
        server: endpoint,
        caData,
        exec: {
            command: "aws",
            args: [
                "eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json",
                ...(credentials.roleArn ? ["--role-arn", credentials.roleArn] : []),
                ...(credentials.profile ? ["--profile", credentials.profile] : []),
            ],
            interactiveMode: "Never",
        },
    });
}
