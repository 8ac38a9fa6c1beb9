import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Settings } from "../../config";
import { Plan } from "../../sizing";
import { ClusterHandle, DatabaseEndpoint, METADATA_RANGE } from "../k8s/types";
import { enableApis } from "./apis";
import { GkeCluster } from "./cluster";
import { CloudSqlDatabase } from "./database";
import { GcpNetwork } from "./network";

export interface GcpPlatformArgs {
    settings: Settings;
    plan: Plan;
}

/**
 * One GCP region of a deployment: APIs, network, GKE cluster with the planned pools,
 * and (in the primary region) the Cloud SQL database. Hands the Kubernetes layer a
 * cloud-free ClusterHandle and DatabaseEndpoint.
 */
export class GcpPlatform extends pulumi.ComponentResource {
    public readonly cluster: ClusterHandle;
    public readonly database: DatabaseEndpoint;
    public readonly clusterName: pulumi.Output<string>;
    public readonly databaseInstance: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: GcpPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:Platform", name, {}, opts);
        const { settings: s, plan } = args;
        if (!s.gcpProject) throw new Error("gcp:project is required");

        const apis = enableApis(name, this);

        const network = new GcpNetwork(`${name}-net`, {
            region: s.region,
            nodeCidr: s.nodeCidr,
            podCidr: s.podCidr,
            serviceCidr: s.serviceCidr,
            dependsOn: apis,
        }, { parent: this });

        const gke = new GkeCluster(`${name}-gke`, {
            project: s.gcpProject,
            region: s.region,
            network: network.network.id,
            subnet: network.subnet.id,
            pools: plan.pools,
            clusterName: s.prefix,
            releaseChannel: s.gkeReleaseChannel,
            kubernetesVersion: s.kubernetesVersion,
            controlPlaneCidr: s.controlPlaneCidr,
            apiAuthorizedNetworks: s.apiAuthorizedNetworks,
            deletionProtection: s.deletionProtection,
            dependsOn: apis,
        }, { parent: this });

        const db = new CloudSqlDatabase(`${name}-db`, {
            region: s.region,
            network: network.network.id,
            privateServiceAccess: network.privateServiceAccess,
            plan: plan.database,
            deletionProtection: s.deletionProtection,
            namePrefix: s.prefix,
        }, { parent: this });

        // Workspace volumes: N4 nodes attach Hyperdisk only, other types Persistent Disk.
        const hyperdisk = plan.pools.workspaces.machine.bootDisk === "hyperdisk-balanced";
        const storageClass = new k8s.storage.v1.StorageClass(`${name}-workspaces`, {
            // The default class, so templates' volume claims need no class name (GKE's own
            // default is older; Kubernetes takes the newest default).
            metadata: { name: "coder-workspaces", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "pd.csi.storage.gke.io",
            parameters: { type: hyperdisk ? "hyperdisk-balanced" : "pd-balanced" },
            reclaimPolicy: "Delete",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        }, { parent: this, provider: gke.provider });

        this.cluster = {
            provider: gke.provider,
            // GKE's external passthrough Network Load Balancer; nothing to add.
            loadBalancerAnnotations: {},
            workspaceStorageClass: storageClass.metadata.name,
            protectedRanges: [network.privateServiceRange, s.controlPlaneCidr, METADATA_RANGE],
        };
        this.database = db.endpoint;
        this.clusterName = gke.cluster.name;
        this.databaseInstance = db.instance.name;
        this.kubeconfig = gke.kubeconfig;
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }
}
