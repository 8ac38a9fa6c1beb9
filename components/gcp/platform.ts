import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../../config";
import { PlatformArgs, PlatformRole } from "../platform";
import { Plan } from "../../sizing";
import { coderHostnames, usesAcme } from "../k8s/cert-manager";
import { workspaceStorageClass } from "../k8s/storage";
import { ClusterHandle, DatabaseEndpoint, METADATA_RANGE } from "../k8s/types";
import { CloudLoadBalancerAnnotations, loadBalancerAnnotations } from "../load-balancer";
import { GcpNetworkRef } from "../network-check";
import { enableApis } from "./apis";
import { GkeCluster } from "./cluster";
import { CloudSqlDatabase } from "./database";
import { AcmeIdentity, CloudDnsRecords, LoadBalancerAddress } from "./dns";
import { gkeClusterName } from "./names";
import { GcpNetwork, POD_RANGE, SERVICE_RANGE } from "./network";


/** "proxy" role: no Cloud SQL and no private services access. */
export interface GcpPlatformArgs extends PlatformArgs {
    /** an existing (Shared) VPC to deploy into; absent = the platform creates one */
    existingNetwork?: GcpNetworkRef;
    /**
     * The project's APIs as another platform of the stack enabled them (the primary's `apis`):
     * this platform waits for them and enables none itself. An API is one per project; two
     * resources for it would fight over it. Required in the proxy role.
     */
    apis?: pulumi.Resource[];
}

/**
 * GKE's load balancers for the coderd Service. External: the backend-service-based
 * passthrough Network Load Balancer (`cloud.google.com/l4-rbs: "enabled"`; without it GKE
 * builds the target-pool-based one, which "is no longer recommended",
 * cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer). Internal:
 * `networking.gke.io/load-balancer-type: "Internal"`, an internal passthrough one with an
 * address of the cluster's subnetwork (backend-service-based already, with GKE subsetting).
 */
export const GCP_LOAD_BALANCER: CloudLoadBalancerAnnotations = {
    always: {},
    internal: { "networking.gke.io/load-balancer-type": "Internal" },
    external: { "cloud.google.com/l4-rbs": "enabled" },
};

/** Where the cluster and the database attach: the program's own VPC or an existing one. */
interface Attachment {
    network: pulumi.Input<string>;
    subnet: pulumi.Input<string>;
    podRangeName: string;
    serviceRangeName: string;
    /** the peering Cloud SQL waits for, when the program creates it */
    privateServiceAccess?: pulumi.Resource;
    /** the private services range (the database's addresses), when the program creates it */
    privateServiceRange?: pulumi.Input<string>;
    /** the VPC's name, when the program creates it (teardown removes its Cloud SQL peering by name) */
    networkName?: pulumi.Output<string>;
}

/**
 * One GCP region of a deployment: APIs (the primary's), network (or an existing one), GKE
 * cluster with the planned pools, and (in the primary region) the Cloud SQL database. Hands
 * the Kubernetes layer a cloud-free ClusterHandle and (primary) DatabaseEndpoint.
 *
 * Physical names come from `settings.prefix` (a proxy region's is the stack's with the
 * region's name): the cluster's name and the service account IDs (names.ts, with a hash of
 * the whole prefix). The rest is auto-named from the logical name with a random suffix
 * (VPC, subnetwork, router, NAT, static address) or scoped to the cluster (node pools).
 */
export class GcpPlatform extends pulumi.ComponentResource {
    public readonly role: PlatformRole;
    public readonly cluster: ClusterHandle;
    /** the primary's database (absent in a proxy region) */
    public readonly database?: DatabaseEndpoint;
    public readonly clusterName: pulumi.Output<string>;
    /** the Cloud SQL instance's name (absent in a proxy region) */
    public readonly databaseInstance?: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    /** the project's APIs this platform enabled, or waits for: a proxy region's platform takes the primary's */
    public readonly apis: pulumi.Resource[];
    /**
     * The VPC the program created for the database (absent in an existing network and in a
     * proxy region): `pulumi destroy` stops at it until its Cloud SQL peering is deleted by
     * name (README, tearing a stack down).
     */
    public readonly networkName?: pulumi.Output<string>;

    constructor(name: string, args: GcpPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const role = args.role ?? "primary";
        // Refused before anything is registered.
        const project = args.settings.gcpProject;
        if (!project) throw new Error("gcp:project is required");
        if (role === "proxy" && !args.apis) throw new Error(`${name}: a proxy region's platform takes the primary's apis (GcpPlatformArgs.apis)`);
        super("coder-refarch:gcp:Platform", name, {}, opts);
        const { settings: s, plan } = args;
        this.role = role;

        const apis = this.apis = args.apis ?? enableApis(name, this);

        const net: Attachment = args.existingNetwork
            ? {
                network: args.existingNetwork.networkLink,
                subnet: args.existingNetwork.subnetworkLink,
                podRangeName: args.existingNetwork.podRangeName,
                serviceRangeName: args.existingNetwork.serviceRangeName,
            }
            : this.createNetwork(name, s, apis, role === "primary");

        const gke = new GkeCluster(`${name}-gke`, {
            project,
            region: s.region,
            network: net.network,
            subnet: net.subnet,
            podRangeName: net.podRangeName,
            serviceRangeName: net.serviceRangeName,
            pools: plan.pools,
            clusterName: gkeClusterName(s.prefix),
            releaseChannel: s.gkeReleaseChannel,
            kubernetesVersion: s.kubernetesVersion,
            controlPlaneCidr: s.controlPlaneCidr,
            apiAuthorizedNetworks: s.apiAuthorizedNetworks,
            deletionProtection: s.deletionProtection,
            dependsOn: apis,
        }, { parent: this });

        const db = role === "primary"
            ? new CloudSqlDatabase(`${name}-db`, {
                region: s.region,
                zones: s.zones,
                network: net.network,
                privateServiceAccess: net.privateServiceAccess,
                plan: plan.database,
                deletionProtection: s.deletionProtection,
                namePrefix: s.prefix,
            }, { parent: this })
            : undefined;

        // Workspace volumes: N4 nodes attach Hyperdisk only, other types Persistent Disk.
        const hyperdisk = plan.pools.workspaces.machine.bootDisk === "hyperdisk-balanced";
        const storageClass = workspaceStorageClass(`${name}-workspaces`, {
            provisioner: "pd.csi.storage.gke.io",
            parameters: { type: hyperdisk ? "hyperdisk-balanced" : "pd-balanced" },
        }, { parent: this, provider: gke.provider });

        // coderd's load balancer keeps its address across Service re-creations (DNS points at it).
        const address = new LoadBalancerAddress(`${name}-lb`, {
            region: s.region,
            internal: s.internalLoadBalancer,
            subnetwork: net.subnet,
            namePrefix: s.prefix,
            protect: s.deletionProtection,
            dependsOn: apis,
        }, { parent: this });

        const hosts = coderHostnames(s.accessUrl, s.wildcardAccessUrl);
        if (s.dnsZone) {
            new CloudDnsRecords(`${name}-dns`, {
                managedZone: s.dnsZone, project, hosts, ip: address.ip, dependsOn: apis,
            }, { parent: this });
        }
        const acme = usesAcme(s)
            ? new AcmeIdentity(`${name}-acme`, {
                project, managedZone: s.dnsZone, namePrefix: s.prefix, cluster: gke.cluster, dependsOn: apis,
            }, { parent: this }).acme
            : undefined;

        this.cluster = {
            provider: gke.provider,
            loadBalancerAnnotations: loadBalancerAnnotations(s, GCP_LOAD_BALANCER),
            loadBalancerIP: address.ip,
            ...(acme ? { acme } : {}),
            workspaceStorageClass: storageClass.metadata.name,
            // Managed Service for Prometheus is on (cluster.ts): it scrapes PodMonitoring objects.
            podMonitoring: true,
            // In an existing VPC the private services range is the host's: the database's
            // own address (Cloud SQL keeps it across failovers) stands for it. A proxy region
            // has no database (nor a private services range) of its own.
            protectedRanges: [
                ...(db ? [net.privateServiceRange ?? pulumi.interpolate`${db.instance.privateIpAddress}/32`] : []),
                s.controlPlaneCidr,
                METADATA_RANGE,
            ],
        };
        this.database = db?.endpoint;
        this.clusterName = gke.cluster.name;
        this.databaseInstance = db?.instance.name;
        this.kubeconfig = gke.kubeconfig;
        this.networkName = net.networkName;
        this.registerOutputs({ clusterName: this.clusterName, databaseInstance: this.databaseInstance });
    }

    /**
     * A VPC of the program's own: subnet with named pod and Service ranges, NAT, and (with
     * the database) private services access. Its name is kept for the teardown only where
     * a Cloud SQL peering holds it.
     */
    private createNetwork(name: string, s: Settings, apis: pulumi.Resource[], database: boolean): Attachment {
        const network = new GcpNetwork(`${name}-net`, {
            region: s.region,
            nodeCidr: s.nodeCidr,
            podCidr: s.podCidr,
            serviceCidr: s.serviceCidr,
            ...(database ? { privateServicesCidr: s.privateServicesCidr } : {}),
            dependsOn: apis,
        }, { parent: this });
        return {
            network: network.network.id,
            subnet: network.subnet.id,
            podRangeName: POD_RANGE,
            serviceRangeName: SERVICE_RANGE,
            privateServiceAccess: network.privateServiceAccess,
            privateServiceRange: network.privateServiceRange,
            ...(database ? { networkName: network.network.name } : {}),
        };
    }
}
