import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { ClusterRole } from "@pulumi/kubernetes/rbac/v1/clusterRole";
import { ClusterRoleBinding } from "@pulumi/kubernetes/rbac/v1/clusterRoleBinding";
import { Placement } from "../../sizing";
import { EBS_STARTUP_TAINT, autoscalerOwnerTag } from "./cluster";
import { irsaTrustPolicy } from "./irsa";
import { regionalName } from "./names";

/**
 * The cluster-autoscaler chart from https://kubernetes.github.io/autoscaler:
 * charts/cluster-autoscaler/Chart.yaml of kubernetes/autoscaler at commit
 * 058219f64d06b1106db096f6e58d40731c438384 has `version: 9.43.1`, `appVersion: 1.31.0`
 * (cluster-autoscaler 1.31, made for Kubernetes 1.31).
 */
export const AUTOSCALER_CHART = { name: "cluster-autoscaler", repository: "https://kubernetes.github.io/autoscaler", version: "9.43.1" } as const;

/**
 * cluster-autoscaler is made for one Kubernetes minor: the image follows the cluster's
 * version, not the chart's default (v1.31.0). Latest patch of each minor, from the
 * cluster-autoscaler-1.33.6 / 1.34.5 / 1.35.2 / 1.36.1 releases of kubernetes/autoscaler
 * (2026-07-23).
 */
export const AUTOSCALER_IMAGES: Readonly<Record<string, string>> = {
    "1.33": "v1.33.6",
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
    "1.36": "v1.36.1",
};

/** The image tag for a cluster's `major.minor` (EKS reports e.g. "1.35"). */
export function autoscalerImageTag(kubernetesVersion: string): string {
    const minor = /^(\d+\.\d+)/.exec(kubernetesVersion)?.[1] ?? "";
    const tag = AUTOSCALER_IMAGES[minor];
    if (tag) return tag;
    // A cluster newer than this table (EKS's default moved on): the newest known release,
    // and a warning so the table gets its next entry.
    const newest = Object.keys(AUTOSCALER_IMAGES).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1])).pop()!;
    pulumi.log.warn(`cluster-autoscaler: no release known for Kubernetes ${kubernetesVersion}; using ${AUTOSCALER_IMAGES[newest]} (components/aws/autoscaler.ts)`);
    return AUTOSCALER_IMAGES[newest]!;
}
export const AUTOSCALER_NAMESPACE = "kube-system";

/**
 * Read rights cluster-autoscaler needs beyond the pinned chart's ClusterRole; without one,
 * its informers never sync: it logs "Initializing resource informers, blocking until caches
 * are synced", keeps answering its health check, and never scales.
 * - storage.k8s.io volumeattachments: watched from 1.32 on (the chart added the rule in 9.46.3).
 * - resource.k8s.io resourceclaims, resourceslices, deviceclasses: Dynamic Resource Allocation
 *   is always on from 1.35 (`--enable-dynamic-resource-allocation` locked to true), and
 *   cluster-autoscaler lists exactly these three (kubernetes/autoscaler
 *   cluster-autoscaler/simulator/dynamicresources/provider/provider.go at
 *   4b236492c0729ba1e9234da339a86944bb51393a, NewProviderFromInformers); the chart added the
 *   same rule in 9.54.0 (appVersion 1.35.0, gh-pages index.yaml).
 * The rules hold for every minor the table above knows, including the one EKS picks when
 * kubernetesVersion is empty: RBAC does not check that a rule's resources exist, so on a
 * cluster that does not serve resource.k8s.io they grant nothing and break nothing.
 */
export const AUTOSCALER_EXTRA_RULES = [
    { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: ["get", "list", "watch"] },
];
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

export interface ClusterAutoscalerArgs {
    /** the EKS cluster name its Auto Scaling groups are tagged with */
    clusterName: string;
    /** the cluster's Kubernetes version (major.minor), as EKS reports it */
    kubernetesVersion: pulumi.Input<string>;
    region: string;
    oidcProvider: OpenIdConnectProvider;
    /** where the autoscaler runs: the system pool, never a pool it scales */
    placement: Placement;
    provider: KubernetesProvider;
    tags: Record<string, string>;
    /** the IRSA role's physical name prefix (IAM is global; names.ts); absent: auto-named */
    namePrefix?: string;
}

/**
 * Permissions of cluster-autoscaler on AWS (cloudprovider/aws/README.md, "IAM Policy"):
 * reads on every resource; resizing only Auto Scaling groups tagged as the cluster's.
 */
export function autoscalerPolicy(clusterName: string): object {
    const owner = autoscalerOwnerTag(clusterName);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Sid: "ResizeOwnGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${owner.key}`]: owner.value } },
            },
        ],
    };
}

/**
 * cluster-autoscaler for the EKS managed node groups: finds the groups by their tags,
 * adds nodes for Pending pods and removes idle ones within each group's min and max.
 * A static pool (min = max, as coderd and system are planned) is never resized.
 * Its AWS permissions come from its own IRSA role.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    public readonly role: Role;
    public readonly release: Release;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:ClusterAutoscaler", name, {}, { ...opts, providers: [args.provider] });

        this.role = new Role(`${name}-irsa`, {
            ...(args.namePrefix ? { name: regionalName(args.namePrefix, "autoscaler") } : {}),
            description: `cluster-autoscaler of EKS cluster ${args.clusterName}`,
            assumeRolePolicy: irsaTrustPolicy(args.oidcProvider, AUTOSCALER_NAMESPACE, AUTOSCALER_SERVICE_ACCOUNT),
            tags: args.tags,
        }, { parent: this });
        const policy = new RolePolicy(`${name}-irsa`, {
            role: this.role.id,
            policy: JSON.stringify(autoscalerPolicy(args.clusterName)),
        }, { parent: this });

        // The pinned chart's ClusterRole predates the images we run. Read rights it lacks:
        const extraRole = new ClusterRole(`${name}-extra`, {
            metadata: { name: "coder-refarch-cluster-autoscaler-extra" },
            rules: AUTOSCALER_EXTRA_RULES,
        }, { parent: this, provider: args.provider });
        const extraBinding = new ClusterRoleBinding(`${name}-extra`, {
            metadata: { name: "coder-refarch-cluster-autoscaler-extra" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: extraRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: AUTOSCALER_SERVICE_ACCOUNT, namespace: AUTOSCALER_NAMESPACE }],
        }, { parent: this, provider: args.provider });

        this.release = new Release(`${name}-release`, {
            name: AUTOSCALER_CHART.name,
            chart: AUTOSCALER_CHART.name,
            version: AUTOSCALER_CHART.version,
            repositoryOpts: { repo: AUTOSCALER_CHART.repository },
            namespace: AUTOSCALER_NAMESPACE,
            values: {
                cloudProvider: "aws",
                image: { tag: pulumi.output(args.kubernetesVersion).apply(autoscalerImageTag) },
                awsRegion: args.region,
                autoDiscovery: { clusterName: args.clusterName },
                rbac: {
                    serviceAccount: {
                        name: AUTOSCALER_SERVICE_ACCOUNT,
                        annotations: { "eks.amazonaws.com/role-arn": this.role.arn },
                    },
                },
                // One active instance at a time (leader election); the chart's budget lets a drain move it.
                replicaCount: 1,
                resources: { requests: { cpu: "100m", memory: "300Mi" } },
                nodeSelector: args.placement.nodeSelector,
                tolerations: args.placement.tolerations,
                extraArgs: {
                    // Groups alike in instance type and labels grow together (e.g. a pool split per zone).
                    "balance-similar-node-groups": true,
                    // kube-system Deployments belong on the untainted system pool (static); one that
                    // lands on a scaled pool must not keep an idle node forever.
                    "skip-nodes-with-system-pods": false,
                    "expander": "least-waste",
                    // The EBS CSI driver removes this taint once its node plugin runs: a template
                    // node (built from the node group's taints) must not carry it, or no pending
                    // workspace would fit a new node (cluster-autoscaler config/flags/flags.go:
                    // "Specifies a taint to ignore in node templates when considering to scale a
                    // node group"). A node that still has it counts as not ready yet.
                    "startup-taint": EBS_STARTUP_TAINT.key,
                },
            },
            atomic: true,
            cleanupOnFail: true,
            timeout: 600,
            maxHistory: 10,
        }, { parent: this, provider: args.provider, dependsOn: [policy, extraBinding] });

        this.registerOutputs({ roleArn: this.role.arn, release: this.release.name });
    }
}
