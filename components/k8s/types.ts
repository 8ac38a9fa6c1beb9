import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { Placement } from "../../sizing";
import { Resources } from "../../tiers";

/**
 * The cloud-free interface between a cloud layer and the Kubernetes layer. If the
 * Kubernetes layer ever needs to know the cloud, a field is missing here.
 */
export interface ClusterHandle {
    provider: Provider;
    /** annotations for the coderd LoadBalancer Service (the cloud's load-balancer knobs) */
    loadBalancerAnnotations: Record<string, string>;
    /** the StorageClass workspace volumes should use (the cluster's default) */
    workspaceStorageClass: pulumi.Input<string>;
    /**
     * Address ranges workspace pods must not reach: where the database lives, the
     * control plane, the instance metadata service.
     */
    protectedRanges: pulumi.Input<pulumi.Input<string>[]>;
    /** a reserved address for coderd's load balancer, where the cloud reserves one (GKE: a regional static IP) */
    loadBalancerIP?: pulumi.Input<string>;
    /** the cloud's managed Prometheus scrapes PodMonitoring objects (GKE Managed Service for Prometheus) */
    podMonitoring: boolean;
    /**
     * With a DNS zone: how cert-manager answers ACME DNS-01 challenges in it (a cert-manager
     * `solvers[].dns01` object for the cloud's DNS) and the annotations that give cert-manager's
     * ServiceAccount the cloud identity allowed to write the zone (workload identity / IRSA).
     */
    acme?: {
        dns01: Record<string, unknown>;
        serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
        /** labels cert-manager's pods need for the identity to reach them (AKS's workload identity webhook) */
        podLabels?: Record<string, string>;
    };
}

/** The instance metadata service of every cloud (node credentials). */
export const METADATA_RANGE = "169.254.169.254/32";

export interface DatabaseEndpoint {
    /** postgres:// URL with credentials; always a secret */
    url: pulumi.Output<string>;
}

/**
 * What the coder chart runs in a cluster: coderd with its database (the primary region), or
 * a workspace proxy (`coder.workspaceProxy: true`) that registers with the primary's coderd
 * at its access URL and needs no database (Coder docs/admin/networking/workspace-proxies.md).
 */
export type ControlPlane =
    | { kind: "coderd"; database: DatabaseEndpoint }
    | {
        kind: "proxy";
        /** the primary's access URL: the proxy registers there, and the region's provisioners dial it */
        primaryAccessUrl: string;
        /** the proxy's session token from registering it with coderd (secret); absent: the proxy release runs 0 replicas */
        token?: pulumi.Input<string>;
    };

/** A workload's size and where its pods go. */
export interface PlacedWorkload {
    replicas: number;
    requests: Resources;
    limits: Resources;
    placement: Placement;
    /**
     * At most this many of its pods on one node (the pool's planned density). 1 or absent:
     * one a node, required. Above 1: spread across nodes where the scheduler can, and the
     * requests cap how many share one (used for coderd and the workspace proxies).
     */
    perNode?: number;
}

export function postgresUrl(a: {
    user: pulumi.Input<string>;
    password: pulumi.Input<string>;
    host: pulumi.Input<string>;
    port: number;
    database: pulumi.Input<string>;
    sslmode: "require" | "verify-ca" | "verify-full";
}): pulumi.Output<string> {
    return pulumi.secret(pulumi.interpolate`postgres://${pulumi.output(a.user).apply(encodeURIComponent)}:${pulumi
        .output(a.password)
        .apply(encodeURIComponent)}@${a.host}:${a.port}/${a.database}?sslmode=${a.sslmode}`);
}
