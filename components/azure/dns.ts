/**
 * Azure: coderd's static public IP, the records of Coder's hosts in an Azure DNS zone, and
 * cert-manager's identity for ACME DNS-01 challenges in that zone (workload identity, no keys).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as AzureProvider, ProviderArgs as AzureProviderArgs } from "@pulumi/azure-native/provider";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { RecordSet } from "@pulumi/azure-native/dns/recordSet";
import { FederatedIdentityCredential } from "@pulumi/azure-native/managedidentity/federatedIdentityCredential";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { AZURE_DNS_ZONE_ID } from "../../config";
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SERVICE_ACCOUNT, CoderHostnames, hostnameList } from "../k8s/cert-manager";
import { ClusterHandle } from "../k8s/types";
import { ROLES, roleDefinitionId } from "./cluster";

export const RECORD_TTL = 300;

/** An Azure DNS zone as its resource ID names it. */
export interface AzureDnsZone {
    subscriptionId: string;
    resourceGroupName: string;
    name: string;
    id: string;
}

export function parseDnsZoneId(id: string): AzureDnsZone | undefined {
    const m = AZURE_DNS_ZONE_ID.exec(id);
    return m ? { subscriptionId: m[1]!.toLowerCase(), resourceGroupName: m[2]!, name: m[3]!.toLowerCase(), id } : undefined;
}

/** A host's record name relative to its zone (`@` at the apex), or undefined outside the zone. */
export function relativeName(host: string, zone: string): string | undefined {
    if (host === zone) return "@";
    return host.endsWith(`.${zone}`) ? host.slice(0, -(zone.length + 1)) : undefined;
}

/**
 * The azure-native provider settings of the stack (config/vars.d.ts keys), for an explicit
 * provider in the DNS zone's subscription: an explicit provider reads its arguments and the
 * environment, not the stack's `azure-native:` config, so the identity is carried over.
 */
const PROVIDER_KEYS = [
    "clientCertificatePassword", "clientCertificatePath", "clientId", "clientSecret", "disableInstanceDiscovery",
    "disablePulumiPartnerId", "environment", "metadataHost", "msiEndpoint", "oidcRequestToken", "oidcRequestUrl",
    "oidcToken", "oidcTokenFilePath", "partnerId", "tenantId", "useDefaultAzureCredential", "useMsi", "useOidc",
] as const;

/** The keys that hold credentials: read as secrets. */
const SECRET_PROVIDER_KEYS: readonly string[] = ["clientCertificatePassword", "clientSecret", "oidcRequestToken", "oidcToken"];

export function zoneProviderArgs(subscriptionId: string, config = new pulumi.Config("azure-native")): AzureProviderArgs {
    const args: Record<string, unknown> = { subscriptionId };
    for (const key of PROVIDER_KEYS) {
        const v = config.get(key);
        if (v === undefined) continue;
        args[key] = ["disableInstanceDiscovery", "disablePulumiPartnerId", "useDefaultAzureCredential", "useMsi", "useOidc"].includes(key) ? v === "true"
            : SECRET_PROVIDER_KEYS.includes(key) ? config.getSecret(key) : v;
    }
    const aux = config.getObject<string[]>("auxiliaryTenantIds");
    if (aux) args.auxiliaryTenantIds = aux;
    return args as AzureProviderArgs;
}

export interface LoadBalancerIpArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** the address's name: the coder Service names it in an annotation */
    ipName: string;
    tags: Record<string, string>;
}

/**
 * coderd's public IP: Standard, static, zone-redundant (served from every zone). The coder
 * Service takes it by name (`service.beta.kubernetes.io/azure-pip-name`) from this resource
 * group (`azure-load-balancer-resource-group`); the cluster's identity may use it (Network
 * Contributor on the group). Without it AKS takes an address that changes whenever the
 * Service is recreated, and DNS breaks.
 */
export class LoadBalancerIp extends pulumi.ComponentResource {
    public readonly ip: pulumi.Output<string>;
    public readonly address: PublicIPAddress;

    constructor(name: string, args: LoadBalancerIpArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:LoadBalancerIp", name, {}, opts);
        this.address = new PublicIPAddress(`${name}-ip`, {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            publicIpAddressName: args.ipName,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: ["1", "2", "3"],
            tags: args.tags,
        }, { parent: this });
        this.ip = this.address.ipAddress.apply((a) => a ?? "");
        this.registerOutputs({ ip: this.ip });
    }
}

export interface AzureDnsRecordsArgs {
    zone: AzureDnsZone;
    hosts: CoderHostnames;
    ip: pulumi.Input<string>;
    /** the provider of the zone's subscription */
    provider: AzureProvider;
}

/** An A record for the access host and one for `*.<wildcard base>`, both at coderd's address. */
export class AzureDnsRecords extends pulumi.ComponentResource {
    public readonly records: RecordSet[];

    constructor(name: string, args: AzureDnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:DnsRecords", name, {}, opts);
        this.records = hostnameList(args.hosts).map((host) => {
            const relative = relativeName(host, args.zone.name);
            // config.ts refuses hosts outside the zone before anything is registered
            if (!relative) throw new Error(`${host} is not in the DNS zone ${args.zone.name}`);
            return new RecordSet(`${name}-${host === args.hosts.access ? "access" : "wildcard"}`, {
                resourceGroupName: args.zone.resourceGroupName,
                zoneName: args.zone.name,
                relativeRecordSetName: relative,
                recordType: "A",
                ttl: RECORD_TTL,
                aRecords: [{ ipv4Address: args.ip }],
            }, { parent: this, provider: args.provider });
        });
        this.registerOutputs({ names: this.records.map((r) => r.name) });
    }
}

export interface AcmeIdentityArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    zone: AzureDnsZone;
    /** the cluster's OIDC issuer: the federated credential trusts its tokens for cert-manager's ServiceAccount */
    oidcIssuerUrl: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * A user-assigned managed identity for cert-manager (Microsoft Entra Workload ID): DNS Zone
 * Contributor on the one zone, and a federated credential for
 * `system:serviceaccount:cert-manager:cert-manager` from the cluster's issuer. cert-manager's
 * pods carry `azure.workload.identity/use: "true"`, so AKS's webhook injects the token;
 * the solver names the identity's client ID (cert-manager docs, "AzureDNS": managed identity
 * using AAD Workload Identity).
 */
export class AcmeIdentity extends pulumi.ComponentResource {
    public readonly identity: UserAssignedIdentity;
    public readonly acme: NonNullable<ClusterHandle["acme"]>;

    constructor(name: string, args: AcmeIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:azure:AcmeIdentity", name, {}, opts);
        this.identity = new UserAssignedIdentity(`${name}-identity`, {
            resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags,
        }, { parent: this });
        new RoleAssignment(`${name}-zone`, {
            scope: args.zone.id,
            roleDefinitionId: roleDefinitionId(args.zone.subscriptionId, ROLES.dnsZoneContributor),
            principalId: this.identity.principalId,
            principalType: "ServicePrincipal",
            description: `cert-manager: ACME DNS-01 challenges in ${args.zone.name}`,
        }, { parent: this });
        new FederatedIdentityCredential(`${name}-federation`, {
            resourceGroupName: args.resourceGroupName,
            resourceName: this.identity.name,
            issuer: args.oidcIssuerUrl,
            subject: `system:serviceaccount:${CERT_MANAGER_NAMESPACE}:${CERT_MANAGER_SERVICE_ACCOUNT}`,
            audiences: ["api://AzureADTokenExchange"],
        }, { parent: this });
        this.acme = {
            dns01: {
                azureDNS: {
                    subscriptionID: args.zone.subscriptionId,
                    resourceGroupName: args.zone.resourceGroupName,
                    hostedZoneName: args.zone.name,
                    environment: "AzurePublicCloud",
                    managedIdentity: { clientID: this.identity.clientId },
                },
            },
            serviceAccountAnnotations: { "azure.workload.identity/client-id": this.identity.clientId },
            podLabels: { "azure.workload.identity/use": "true" },
        };
        // Role assignments and federation take effect within minutes: cert-manager retries a challenge it could not present.
        this.registerOutputs({ clientId: this.identity.clientId });
    }
}
