/**
 * GCP: the stable address of coderd's load balancer, the DNS records of Coder's hosts in
 * the stack's Cloud DNS zone, and the identity cert-manager answers ACME DNS-01
 * challenges with (Workload Identity: no service-account key exists).
 */
import * as pulumi from "@pulumi/pulumi";
import { Address } from "@pulumi/gcp/compute/address";
import { DnsManagedZoneIamMember } from "@pulumi/gcp/dns/dnsManagedZoneIamMember";
import { RecordSet } from "@pulumi/gcp/dns/recordSet";
import { Account as ServiceAccount } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember as ServiceAccountIAMMember } from "@pulumi/gcp/serviceaccount/iammember";
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SERVICE_ACCOUNT, CoderHostnames, hostnameList } from "../k8s/cert-manager";
import { ClusterHandle } from "../k8s/types";
import { displayName, serviceAccountId } from "./names";

/** TTL of the records: short enough that a moved load balancer is found within minutes. */
export const RECORD_TTL = 300;

export interface LoadBalancerAddressArgs {
    region: string;
    /** a private address of `subnetwork` (internal passthrough load balancer) instead of a public one */
    internal: boolean;
    /** the cluster's subnetwork (an existing Shared VPC's: projects/<host>/regions/<region>/subnetworks/<name>) */
    subnetwork: pulumi.Input<string>;
    /** physical name prefix (stack-derived) */
    namePrefix: string;
    /** Pulumi `protect`: the stack's deletion protection */
    protect: boolean;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * A regional static address for coderd's LoadBalancer Service (the Kubernetes layer sets
 * it as the chart's `coder.service.loadBalancerIP`). Without it GKE takes an ephemeral
 * address that changes whenever the Service is recreated, and DNS breaks; Coder's chart
 * recommends a static one in production (helm/coder/values.yaml, `coder.service.loadBalancerIP`).
 * An internal load balancer takes its address from the cluster's subnetwork.
 */
export class LoadBalancerAddress extends pulumi.ComponentResource {
    public readonly address: Address;
    public readonly ip: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:LoadBalancerAddress", name, {}, opts);
        this.address = new Address(`${name}-ip`, {
            // Auto-named (a random suffix): a changed address type is replaced by a new
            // address before the old one, still in use by the load balancer, is released.
            region: args.region,
            description: `coderd's load balancer (${args.namePrefix})`,
            ...(args.internal
                // GCE_ENDPOINT (the default purpose) serves one internal passthrough load balancer.
                ? { addressType: "INTERNAL", subnetwork: args.subnetwork }
                // Premium tier, as GKE's external passthrough load balancers default to.
                : { addressType: "EXTERNAL", networkTier: "PREMIUM" }),
            labels: { "managed-by": "pulumi", app: "coder" },
        }, { parent: this, protect: args.protect, dependsOn: args.dependsOn });
        this.ip = this.address.address;
        this.registerOutputs({ ip: this.ip });
    }
}

export interface CloudDnsRecordsArgs {
    /** the Cloud DNS managed zone's name (coder-refarch:dnsZone), in `project` */
    managedZone: string;
    project: string;
    hosts: CoderHostnames;
    /** the load balancer's static address */
    ip: pulumi.Input<string>;
    /** resources that must exist first (the project's APIs) */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * An A record for the access host and one for `*.<wildcard base>`, both at the static
 * address. The names come from the URLs, not from a lookup of the zone: Cloud DNS
 * refuses a name outside the zone's DNS name at `pulumi up` (the offline preview reads
 * no cloud).
 */
export class CloudDnsRecords extends pulumi.ComponentResource {
    public readonly records: RecordSet[];

    constructor(name: string, args: CloudDnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:DnsRecords", name, {}, opts);
        this.records = hostnameList(args.hosts).map((host) => new RecordSet(`${name}-${host === args.hosts.access ? "access" : "wildcard"}`, {
            project: args.project,
            managedZone: args.managedZone,
            // Cloud DNS names are absolute: a trailing dot.
            name: `${host}.`,
            type: "A",
            ttl: RECORD_TTL,
            rrdatas: [args.ip],
        }, { parent: this, dependsOn: args.dependsOn }));
        this.registerOutputs({ names: this.records.map((r) => r.name) });
    }
}

export interface AcmeIdentityArgs {
    project: string;
    /** the managed zone cert-manager writes challenge records in */
    managedZone: string;
    /** physical name prefix (stack-derived) */
    namePrefix: string;
    /** the GKE cluster, whose Workload Identity creates the pool the binding names */
    cluster: pulumi.Resource;
    /** resources that must exist first (the project's APIs) */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * A Google service account for cert-manager's ServiceAccount (GKE Workload Identity):
 * `roles/dns.admin` on the one managed zone only (Cloud DNS grants roles per zone;
 * "Lowest-level resources where you can grant this role: Managed zone",
 * cloud.google.com/iam/docs/roles-permissions/dns), and `roles/iam.workloadIdentityUser`
 * for `<project>.svc.id.goog[cert-manager/cert-manager]`. The solver names the zone
 * (`hostedZoneName`), so cert-manager never lists the project's zones.
 */
export class AcmeIdentity extends pulumi.ComponentResource {
    public readonly account: ServiceAccount;
    public readonly acme: NonNullable<ClusterHandle["acme"]>;

    constructor(name: string, args: AcmeIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:gcp:AcmeIdentity", name, {}, opts);
        this.account = new ServiceAccount(`${name}-gsa`, {
            project: args.project,
            // 6-30 characters, with a hash of the whole prefix: stacks that share a long prefix get their own.
            accountId: serviceAccountId(args.namePrefix, "acme"),
            displayName: displayName(`cert-manager of ${args.namePrefix}: ACME DNS-01 in ${args.managedZone}`),
        }, { parent: this, dependsOn: args.dependsOn });
        const member = pulumi.interpolate`serviceAccount:${this.account.email}`;

        new DnsManagedZoneIamMember(`${name}-zone`, {
            project: args.project,
            managedZone: args.managedZone,
            role: "roles/dns.admin",
            member,
        }, { parent: this });

        // The pool `<project>.svc.id.goog` exists once a cluster with Workload Identity does:
        // before that, the binding is refused.
        new ServiceAccountIAMMember(`${name}-wi`, {
            serviceAccountId: this.account.name,
            role: "roles/iam.workloadIdentityUser",
            member: `serviceAccount:${args.project}.svc.id.goog[${CERT_MANAGER_NAMESPACE}/${CERT_MANAGER_SERVICE_ACCOUNT}]`,
        }, { parent: this, dependsOn: [args.cluster] });

        this.acme = {
            // cert-manager's ACMEIssuerDNS01ProviderCloudDNS: no serviceAccountSecretRef, so
            // the controller uses its ambient (Workload Identity) credentials.
            dns01: { cloudDNS: { project: args.project, hostedZoneName: args.managedZone } },
            serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": this.account.email },
        };
        // IAM grants take effect within minutes, whatever the order: cert-manager retries a
        // challenge it could not present, so nothing waits for them.
        this.registerOutputs({ email: this.account.email });
    }
}
