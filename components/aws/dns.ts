/**
 * AWS: the Route 53 records of Coder's hosts (aliases of coderd's Network Load Balancer)
 * and the IAM role cert-manager answers ACME DNS-01 challenges with (IRSA: no access key
 * exists).
 */
import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { getHostedZoneIdOutput } from "@pulumi/aws/lb/getHostedZoneId";
import { Record as Route53Record } from "@pulumi/aws/route53/record";
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SERVICE_ACCOUNT, CoderHostnames, hostnameList } from "../k8s/cert-manager";
import { ClusterHandle } from "../k8s/types";
import { irsaTrustPolicy } from "./irsa";
import { regionalName } from "./names";

/**
 * The canonical hosted zone of Network Load Balancers, per region: an alias record names
 * it beside the load balancer's DNS name. AWS publishes one per region ("Elastic Load
 * Balancing endpoints and quotas", https://docs.aws.amazon.com/general/latest/gr/elb.html,
 * column "Route 53 Hosted Zone ID (Network Load Balancers)"); `aws.lb.getHostedZoneId`
 * answers from the same table inside the provider. Kept here so the offline preview
 * renders the records; a region not listed asks the provider at `pulumi up`.
 */
export const NLB_HOSTED_ZONE_IDS: Readonly<Record<string, string>> = {
    "af-south-1": "Z203XCE67M25HM",
    "ap-east-1": "Z12Y7K3UBGUAD1",
    "ap-northeast-1": "Z31USIVHYNEOWT",
    "ap-northeast-2": "ZIBE1TIR4HY56",
    "ap-northeast-3": "Z1GWIQ4HH19I5X",
    "ap-south-1": "ZVDDRBQ08TROA",
    "ap-south-2": "Z0711778386UTO08407HT",
    "ap-southeast-1": "ZKVM4W9LS7TM",
    "ap-southeast-2": "ZCT6FZBF4DROD",
    "ap-southeast-3": "Z01971771FYVNCOVWJU1G",
    "ap-southeast-4": "Z01156963G8MIIL7X90IV",
    "ca-central-1": "Z2EPGBW3API2WT",
    "ca-west-1": "Z02754302KBB00W2LKWZ9",
    "cn-north-1": "Z3QFB96KMJ7ED6",
    "cn-northwest-1": "ZQEIKTCZ8352D",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "eu-central-2": "Z02239872DOALSIDCX66S",
    "eu-north-1": "Z1UDT6IFJ4EJM",
    "eu-south-1": "Z23146JA1KNAFP",
    "eu-south-2": "Z1011216NVTVYADP1SSV",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-west-2": "ZD4D7Y8KGAS4G",
    "eu-west-3": "Z1CMS0P5QUZ6D5",
    "il-central-1": "Z0313266YDI6ZRHTGQY4",
    "me-central-1": "Z00282643NTTLPANJJG2P",
    "me-south-1": "Z3QSRYVP46NYYV",
    "sa-east-1": "ZTK26PT1VY4CU",
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-gov-east-1": "Z1ZSMQQ6Q24QQ8",
    "us-gov-west-1": "ZMG1MZ2THAWF1",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
};

/** The NLB hosted zone of a region: the table, or the provider's own answer for a region newer than it. */
export function nlbHostedZoneId(region: string, parent?: pulumi.Resource): pulumi.Input<string> {
    return NLB_HOSTED_ZONE_IDS[region] ?? getHostedZoneIdOutput({ loadBalancerType: "network", region }, { parent }).id;
}

/** The ARN partition of a region (Route 53's ARNs carry it: arn:aws-cn:route53:::hostedzone/...). */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("eusc-")) return "aws-eusc";
    return "aws";
}

/**
 * Rights of cert-manager in Route 53, after cert-manager's Route53 guide
 * (cert-manager.io/docs/configuration/acme/dns01/route53): GetChange on changes, and
 * record changes in the one hosted zone, narrowed with Route 53's condition keys
 * (docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html) to
 * TXT records named `_acme-challenge.<host>` (normalized: lower case, no trailing dot; a
 * wildcard's challenge is its base's). ListHostedZonesByName is left out: the solver names
 * the zone (`hostedZoneID`), and the guide says the statement "can be removed" then.
 * ForAllValues holds for ListResourceRecordSets, which carries no such keys.
 */
export function acmePolicy(region: string, hostedZoneId: string, hosts: CoderHostnames): object {
    const p = partitionOf(region);
    const challengeNames = [...new Set(hostnameList(hosts).map((h) => `_acme-challenge.${h.replace(/^\*\./, "")}`))];
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${p}:route53:::change/*` },
            {
                Sid: "ChallengeRecords",
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                Resource: `arn:${p}:route53:::hostedzone/${hostedZoneId}`,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": challengeNames,
                    },
                },
            },
        ],
    };
}

export interface AcmeRoleArgs {
    region: string;
    /** the Route 53 hosted zone ID (coder-refarch:dnsZone) */
    hostedZoneId: string;
    hosts: CoderHostnames;
    oidcProvider: OpenIdConnectProvider;
    clusterName: string;
    tags: Record<string, string>;
    /** the role's physical name prefix (IAM is global; names.ts); absent: auto-named */
    namePrefix?: string;
}

/**
 * The IAM role of cert-manager's ServiceAccount (IRSA): assumable only with a token the
 * cluster issued for `system:serviceaccount:cert-manager:cert-manager`, allowed only the
 * challenge records. The solver has no access key, so cert-manager uses the web identity
 * the EKS pod identity webhook hands it (ambient credentials, allowed for ClusterIssuers).
 */
export class AcmeRole extends pulumi.ComponentResource {
    public readonly role: Role;
    public readonly acme: NonNullable<ClusterHandle["acme"]>;

    constructor(name: string, args: AcmeRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:AcmeRole", name, {}, opts);
        this.role = new Role(`${name}-irsa`, {
            ...(args.namePrefix ? { name: regionalName(args.namePrefix, "acme") } : {}),
            description: `cert-manager of EKS cluster ${args.clusterName}: ACME DNS-01 in ${args.hostedZoneId}`,
            assumeRolePolicy: irsaTrustPolicy(args.oidcProvider, CERT_MANAGER_NAMESPACE, CERT_MANAGER_SERVICE_ACCOUNT),
            tags: args.tags,
        }, { parent: this });
        new RolePolicy(`${name}-irsa`, {
            role: this.role.id,
            policy: JSON.stringify(acmePolicy(args.region, args.hostedZoneId, args.hosts)),
        }, { parent: this });
        this.acme = {
            // cert-manager's ACMEIssuerDNS01ProviderRoute53: no accessKeyID, no role to chain.
            dns01: { route53: { region: args.region, hostedZoneID: args.hostedZoneId } },
            serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": this.role.arn },
        };
        this.registerOutputs({ roleArn: this.role.arn });
    }
}

export interface AliasRecordsArgs {
    region: string;
    /** the Route 53 hosted zone ID */
    hostedZoneId: string;
    hosts: CoderHostnames;
    /** the DNS name of coderd's NLB: the coder Service's `status.loadBalancer.ingress[0].hostname` */
    loadBalancerHostname: pulumi.Input<string>;
}

/**
 * Alias A records for the access host and `*.<wildcard base>` at coderd's Network Load
 * Balancer. The NLB exists only once the Service does, and its DNS name is known only
 * then: the caller reads it from the Service. An alias follows the NLB's addresses as
 * they change, and takes no TTL of its own (Route 53 answers with the target's; the
 * provider refuses `ttl` beside `aliases`). An existing record of the same name is not
 * overwritten (`allowOverwrite` is false): `pulumi up` stops instead.
 */
export class Route53AliasRecords extends pulumi.ComponentResource {
    public readonly records: Route53Record[];

    constructor(name: string, args: AliasRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:aws:DnsRecords", name, {}, opts);
        const zoneId = nlbHostedZoneId(args.region, this);
        this.records = hostnameList(args.hosts).map((host) => new Route53Record(`${name}-${host === args.hosts.access ? "access" : "wildcard"}`, {
            zoneId: args.hostedZoneId,
            name: host,
            type: "A",
            // A lone record has no other to fail over to: the NLB's health does not matter to DNS.
            aliases: [{ name: args.loadBalancerHostname, zoneId, evaluateTargetHealth: false }],
        }, { parent: this }));
        this.registerOutputs({ names: this.records.map((r) => r.fqdn) });
    }
}
