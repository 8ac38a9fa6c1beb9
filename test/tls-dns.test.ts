/**
 * HTTPS and DNS where the stack names a zone: coderd's stable address (GCP), the records
 * of both hosts, cert-manager with the cloud's identity (no key anywhere), the
 * ClusterIssuer and the Certificate, checked against cert-manager's own schemas and
 * its chart's values file.
 */
import { computed as mockOutputs } from "../preview/render";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ClusterIssuer, IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Certificate, ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { Settings } from "../config";
import { loadPlan } from "../program";
import { AwsPlatform } from "../components/aws/platform";
import { NLB_HOSTED_ZONE_IDS } from "../components/aws/dns";
import { GcpPlatform } from "../components/gcp/platform";
import {
    ACME_ACCOUNT_SECRET, ACME_ISSUER, ACME_TLS_SECRET, CERT_MANAGER_CHART, CertManager, DNS01_RECURSIVE_NAMESERVERS, coderHostnames, solverZones, tlsFor,
} from "../components/k8s/cert-manager";
import { ClusterHandle } from "../components/k8s/types";
import { cloudReader } from "../components/network-check";
import { isSecretValue, reveal } from "../preview/render";
import { readStackConfig } from "../preview/stack-config";
import { Plan } from "../sizing";
import { CERT_MANAGER_PASS_THROUGH, CERT_MANAGER_VALUES } from "./fixtures/cert-manager/chart";
import { POOL_KEY, rawConfig } from "./helpers";

type Obj = Record<string, any>;

interface Res {
    type: string;
    name: string;
    inputs: Obj;
    protect: boolean;
    dependsOn: string[];
}

interface TlsRender {
    settings: Settings;
    plan: Plan;
    cluster: ClusterHandle;
    certManager?: CertManager;
    resources: Res[];
}

const NLB_HOSTNAME = "a0123456789abcdef0123456789abcde-0123456789abcdef.elb.us-east-1.amazonaws.com";
const GCP_EXTERNAL_IP = "203.0.113.50";
const GCP_INTERNAL_IP = "10.10.0.50";
const ZONE = { gcp: "coder-example-com", aws: "Z0123456789EXAMPLE0AB" } as const;
const ACME = { dnsZone: undefined as string | undefined, acmeEmail: "platform@example.com", tlsTerminatedUpstream: false };

/** Outputs the real providers compute: the offline preview's, with this file's addresses and projects. */
function computed(type: string, name: string, inputs: Obj): Obj {
    switch (type) {
        case "gcp:compute/address:Address":
            return { name: inputs.name ?? `${name}-mock`, address: inputs.addressType === "INTERNAL" ? GCP_INTERNAL_IP : GCP_EXTERNAL_IP };
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${inputs.project ?? "mock-project"}.iam.gserviceaccount.com`;
            return { email, name: `projects/${inputs.project ?? "mock-project"}/serviceAccounts/${email}` };
        }
        default:
            return mockOutputs(type, name, inputs);
    }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * The stack's platform and the program's HTTPS wiring (tlsFor, and on AWS the records at
 * a load balancer's DNS name), under Pulumi's mocks. Renders run one at a time.
 */
function renderTls(stack: string, changes: Record<string, unknown>, nlbHostname?: string): Promise<TlsRender> {
    const run = async (): Promise<TlsRender> => {
        const raw = rawConfig(stack, changes);
        const { secretKeys } = readStackConfig(stack);
        const registered = new Map<string, Obj>();
        pulumi.runtime.setMocks({
            newResource: (a) => {
                const inputs = (a.inputs ?? {}) as Obj;
                registered.set(`${a.type}::${a.name}`, inputs);
                return { id: `${a.name}-id`, state: { ...inputs, ...computed(a.type, a.name, inputs) } };
            },
            call: (a) => { throw new Error(`no mock for the call ${a.token}`); },
        }, "coder-refarch", stack, false);
        pulumi.runtime.setAllConfig(raw, secretKeys);
        const { settings, plan, network } = await loadPlan(raw, stack, secretKeys, cloudReader(() => false));

        const captured: { type: string; name: string; opts: pulumi.ResourceOptions }[] = [];
        const names = new Map<pulumi.Resource, string>();
        const capture: pulumi.ResourceTransformation = (a) => {
            captured.push({ type: a.type, name: a.name, opts: a.opts });
            names.set(a.resource, a.name);
            return undefined;
        };
        const opts = { transformations: [capture] };
        const platform = settings.cloud === "gcp"
            ? new GcpPlatform("coder-gcp", { settings, plan, existingNetwork: network.gcp }, opts)
            : new AwsPlatform("coder-aws", { settings, plan, existingNetwork: network.aws }, opts);
        // As program.ts wires it: after the Kubernetes layer, in coderd's namespace.
        const certManager = tlsFor("coder-tls", {
            settings, cluster: platform.cluster, coderNamespace: settings.namespaces.coder, placement: plan.pools.system.placement,
        }, opts);
        if (platform instanceof AwsPlatform && nlbHostname) platform.pointDnsAt(nlbHostname);
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

        const resources = captured.map((c): Res => ({
            type: c.type,
            name: c.name,
            inputs: registered.get(`${c.type}::${c.name}`) ?? {},
            protect: c.opts.protect === true,
            dependsOn: ([] as unknown[]).concat(c.opts.dependsOn ?? []).map((d) => names.get(d as pulumi.Resource) ?? "?"),
        }));
        return { settings, plan, cluster: platform.cluster, certManager, resources };
    };
    const r = queue.then(run);
    queue = r.catch(() => undefined);
    return r;
}

const ofType = (r: TlsRender, type: string) => r.resources.filter((x) => x.type === type);
const only = (r: TlsRender, type: string) => {
    const found = ofType(r, type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
};
/** cert-manager's release (EKS also runs cluster-autoscaler's). */
const certManagerRelease = (r: TlsRender) => {
    const found = r.resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs.chart === "cert-manager");
    expect(found).toHaveLength(1);
    return found[0]!;
};
const T = {
    address: "gcp:compute/address:Address",
    recordSet: "gcp:dns/recordSet:RecordSet",
    gsa: "gcp:serviceaccount/account:Account",
    zoneIam: "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember",
    saIam: "gcp:serviceaccount/iAMMember:IAMMember",
    r53: "aws:route53/record:Record",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    release: "kubernetes:helm.sh/v3:Release",
    issuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
};

/** Keys of `ours` the chart's values file does not have (the rule of stacks.test.ts: free-form below {}, [] or null, and below pass-through paths). */
function unknownKeys(ours: unknown, chart: unknown, at = ""): string[] {
    if (!ours || typeof ours !== "object" || Array.isArray(ours) || CERT_MANAGER_PASS_THROUGH.includes(at)) return [];
    if (!chart || typeof chart !== "object" || Array.isArray(chart) || Object.keys(chart).length === 0) return [];
    return Object.entries(ours as Obj).flatMap(([k, v]) => k in (chart as Obj) ? unknownKeys(v, (chart as Obj)[k], `${at}${k}.`) : [`${at}${k}`]);
}

/** What no stack may hold: a key or token for the DNS API, or a resource that makes one. */
function expectNoKeys(r: TlsRender) {
    const KEY_TYPES = ["gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey", "aws:iam/user:User", "kubernetes:core/v1:Secret"];
    expect(r.resources.filter((x) => KEY_TYPES.includes(x.type)).map((x) => x.type)).toEqual([]);
    const text = JSON.stringify(r.resources.map((x) => reveal(x.inputs)));
    for (const field of ["serviceAccountSecretRef", "accessKeyID", "secretAccessKeySecretRef", "accessKeyIDSecretRef", "privateKeyData"]) {
        expect(text, field).not.toContain(field);
    }
}

const SYSTEM_SELECTOR = { "kubernetes.io/os": "linux", [POOL_KEY]: "system" };
const HOSTS = ["coder.example.com", "*.coder.example.com"];

/** The release's values: the ServiceAccount's annotations, system pool, chart keys only. */
function expectRelease(r: TlsRender, annotations: Obj) {
    const rel = certManagerRelease(r);
    expect(rel.inputs).toMatchObject({
        chart: "cert-manager", version: CERT_MANAGER_CHART.version, namespace: "cert-manager",
        repositoryOpts: { repo: "https://charts.jetstack.io" }, atomic: true,
    });
    const values = reveal(rel.inputs.values) as Obj;
    expect(unknownKeys(values, CERT_MANAGER_VALUES)).toEqual([]);
    expect(values.crds).toEqual({ enabled: true });
    expect(values).not.toHaveProperty("installCRDs");
    expect(values.serviceAccount).toEqual({ name: "cert-manager", annotations });
    for (const pod of [values, values.webhook, values.cainjector, values.startupapicheck]) {
        expect(pod.nodeSelector).toEqual(SYSTEM_SELECTOR);
        // the system pool is untainted: no tolerations needed
        expect(pod).not.toHaveProperty("tolerations");
    }
    expect(values.dns01RecursiveNameservers).toBe(DNS01_RECURSIVE_NAMESERVERS.join(","));
    expect(values.dns01RecursiveNameserversOnly).toBe(true);
}

type Solvers = NonNullable<NonNullable<IClusterIssuer["spec"]["acme"]>["solvers"]>;

/** The issuer and the certificate, equal to typed objects that cert-manager's schemas accept. */
function expectIssuerAndCertificate(r: TlsRender, solvers: Solvers) {
    const issuer: IClusterIssuer = {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: ACME_ISSUER, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        spec: {
            acme: {
                server: "https://acme-v02.api.letsencrypt.org/directory",
                email: "platform@example.com",
                privateKeySecretRef: { name: ACME_ACCOUNT_SECRET },
                solvers,
            },
        },
    };
    const certificate: ICertificate = {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: {
            name: "coder",
            namespace: "coder",
            labels: { "app.kubernetes.io/managed-by": "pulumi" },
            annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "1200" },
        },
        spec: {
            secretName: ACME_TLS_SECRET,
            dnsNames: HOSTS,
            issuerRef: { name: ACME_ISSUER, kind: "ClusterIssuer", group: "cert-manager.io" },
            privateKey: { rotationPolicy: "Always" },
        },
    };
    new ClusterIssuer(issuer).validate();
    new Certificate(certificate).validate();
    const i = only(r, T.issuer);
    const c = only(r, T.certificate);
    expect(reveal(i.inputs)).toEqual(issuer);
    expect(reveal(c.inputs)).toEqual(certificate);
    // the rendered objects themselves, through the schemas
    new ClusterIssuer(reveal(i.inputs) as IClusterIssuer).validate();
    new Certificate(reveal(c.inputs) as ICertificate).validate();
    // both wait for cert-manager (its CRDs and webhook); the certificate for its issuer
    expect(i.dependsOn).toContain(certManagerRelease(r).name);
    expect(c.dependsOn).toContain(i.name);
    expect(r.certManager?.secretName).toBe(ACME_TLS_SECRET);
}

describe("the names", () => {
    it("the access host and the wildcard as a whole label, lower case", () => {
        expect(coderHostnames("https://Coder.Example.com", "*.coder.example.com")).toEqual({ access: "coder.example.com", wildcard: "*.coder.example.com" });
        // Coder's wildcard may carry text in its first label: DNS and X.509 wildcards cannot
        expect(coderHostnames("https://coder.example.com", "*-apps.example.com")).toEqual({ access: "coder.example.com", wildcard: "*.example.com" });
        expect(coderHostnames("https://coder.example.com:8443", "")).toEqual({ access: "coder.example.com" });
    });

    it("the solver covers the hosts, each once", () => {
        expect(solverZones({ access: "coder.example.com", wildcard: "*.coder.example.com" })).toEqual(["coder.example.com"]);
        expect(solverZones({ access: "coder.example.com", wildcard: "*.apps.example.com" })).toEqual(["coder.example.com", "apps.example.com"]);
        expect(solverZones({ access: "coder.example.com", wildcard: "*.example.com" })).toEqual(["example.com"]);
    });
});

describe("GCP with dnsZone and acmeEmail (gcp-3k)", () => {
    const render = renderTls("gcp-3k", { ...ACME, dnsZone: ZONE.gcp });

    it("reserves a regional static external address, protected with the stack, for coderd's load balancer", async () => {
        const r = await render;
        const a = only(r, T.address);
        expect(a.inputs).toMatchObject({ region: "europe-west1", addressType: "EXTERNAL", networkTier: "PREMIUM", description: "coderd's load balancer (coder-gcp-3k)" });
        expect(a.inputs).not.toHaveProperty("subnetwork");
        expect(a.protect).toBe(r.settings.deletionProtection);
        expect(await new Promise((ok) => pulumi.output(r.cluster.loadBalancerIP).apply(ok))).toBe(GCP_EXTERNAL_IP);
        // GKE's backend-service-based external passthrough load balancer
        expect(r.cluster.loadBalancerAnnotations).toEqual({ "cloud.google.com/l4-rbs": "enabled" });
    });

    it("A records of both hosts at the static address, TTL 300, in the managed zone", async () => {
        const r = await render;
        const records = ofType(r, T.recordSet).map((x) => x.inputs);
        expect(records).toEqual([
            { project: "acme-coder-prod", managedZone: ZONE.gcp, name: "coder.example.com.", type: "A", ttl: 300, rrdatas: [GCP_EXTERNAL_IP] },
            { project: "acme-coder-prod", managedZone: ZONE.gcp, name: "*.coder.example.com.", type: "A", ttl: 300, rrdatas: [GCP_EXTERNAL_IP] },
        ]);
    });

    it("cert-manager's identity: dns.admin on the zone only, Workload Identity for cert-manager/cert-manager", async () => {
        const r = await render;
        const accounts = ofType(r, T.gsa).filter((x) => String(x.inputs.accountId).endsWith("-acme"));
        expect(accounts).toHaveLength(1);
        const email = `${accounts[0]!.inputs.accountId}@acme-coder-prod.iam.gserviceaccount.com`;
        expect(String(accounts[0]!.inputs.accountId).length).toBeLessThanOrEqual(30);
        expect(only(r, T.zoneIam).inputs).toEqual({ project: "acme-coder-prod", managedZone: ZONE.gcp, role: "roles/dns.admin", member: `serviceAccount:${email}` });
        const wi = only(r, T.saIam);
        expect(wi.inputs).toEqual({
            serviceAccountId: `projects/acme-coder-prod/serviceAccounts/${email}`,
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:acme-coder-prod.svc.id.goog[cert-manager/cert-manager]",
        });
        // the workload pool exists once the cluster does
        expect(wi.dependsOn).toContain("coder-gcp-gke-cluster");
        // no project-wide DNS role
        expect(ofType(r, "gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role)).not.toContain("roles/dns.admin");
        expectRelease(r, { "iam.gke.io/gcp-service-account": email });
    });

    it("the ClusterIssuer solves DNS-01 in the zone with ambient credentials; the Certificate covers both hosts", async () => {
        const r = await render;
        expectIssuerAndCertificate(r, [{
            dns01: { cloudDNS: { project: "acme-coder-prod", hostedZoneName: ZONE.gcp } },
            selector: { dnsZones: ["coder.example.com"] },
        }]);
    });

    it("no keys anywhere", async () => expectNoKeys(await render));
});

describe("AWS with dnsZone and acmeEmail (aws-3k)", () => {
    const render = renderTls("aws-3k", { ...ACME, dnsZone: ZONE.aws }, NLB_HOSTNAME);

    it("alias A records of both hosts at the NLB's DNS name and the region's NLB zone", async () => {
        const r = await render;
        expect(NLB_HOSTED_ZONE_IDS["us-east-1"]).toBe("Z26RNL4JYFTOTI");
        expect(ofType(r, T.r53).map((x) => x.inputs)).toEqual(HOSTS.map((name) => ({
            zoneId: ZONE.aws, name, type: "A",
            aliases: [{ name: NLB_HOSTNAME, zoneId: "Z26RNL4JYFTOTI", evaluateTargetHealth: false }],
        })));
        // an alias takes no TTL of its own, and no existing record is overwritten
        for (const x of ofType(r, T.r53)) {
            expect(x.inputs).not.toHaveProperty("ttl");
            expect(x.inputs).not.toHaveProperty("allowOverwrite");
        }
        // no static address on AWS: the NLB's name is the stable handle
        expect(r.cluster.loadBalancerIP).toBeUndefined();
    });

    it("an IRSA role for cert-manager/cert-manager, allowed only the challenge records of the zone", async () => {
        const r = await render;
        const role = ofType(r, T.role).find((x) => x.name === "coder-aws-acme-irsa")!;
        expect(role).toBeDefined();
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
        expect(trust.Statement).toEqual([{
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    "oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789:sub": "system:serviceaccount:cert-manager:cert-manager",
                    "oidc.eks.us-east-1.amazonaws.com/id/MOCK0123456789:aud": "sts.amazonaws.com",
                },
            },
        }]);
        const policy = JSON.parse(ofType(r, T.rolePolicy).find((p) => p.inputs.role === `${role.name}-id`)!.inputs.policy as string);
        expect(policy.Statement).toEqual([
            { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
            {
                Sid: "ChallengeRecords",
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                Resource: `arn:aws:route53:::hostedzone/${ZONE.aws}`,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.coder.example.com"],
                    },
                },
            },
        ]);
        expectRelease(r, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/coder-aws-acme-irsa-mock" });
    });

    it("the ClusterIssuer solves DNS-01 in the hosted zone with ambient credentials; the Certificate covers both hosts", async () => {
        const r = await render;
        expectIssuerAndCertificate(r, [{
            dns01: { route53: { region: "us-east-1", hostedZoneID: ZONE.aws } },
            selector: { dnsZones: ["coder.example.com"] },
        }]);
    });

    it("no keys anywhere", async () => expectNoKeys(await render));
});

describe("without dnsZone", () => {
    const NO_ZONE = { dnsZone: "", acmeEmail: "", tlsTerminatedUpstream: true };
    const TLS_TYPES = [T.recordSet, T.zoneIam, T.saIam, T.r53, T.issuer, T.certificate];
    const certManagerReleases = (r: TlsRender) => ofType(r, T.release).filter((x) => x.inputs.chart === "cert-manager");

    it("GCP: the static address only", async () => {
        const r = await renderTls("gcp-3k", NO_ZONE);
        expect(r.resources.filter((x) => TLS_TYPES.includes(x.type))).toEqual([]);
        expect(certManagerReleases(r)).toEqual([]);
        expect(ofType(r, T.gsa).filter((x) => String(x.inputs.accountId).endsWith("-acme"))).toEqual([]);
        expect(only(r, T.address).inputs.addressType).toBe("EXTERNAL");
        expect(r.cluster.acme).toBeUndefined();
        expect(r.certManager).toBeUndefined();
    });

    it("AWS: nothing, even given the load balancer's name", async () => {
        const r = await renderTls("aws-3k", NO_ZONE, NLB_HOSTNAME);
        expect(r.resources.filter((x) => TLS_TYPES.includes(x.type))).toEqual([]);
        expect(certManagerReleases(r)).toEqual([]);
        expect(ofType(r, T.role).map((x) => x.name)).not.toContain("coder-aws-acme-irsa");
        expect(r.cluster.acme).toBeUndefined();
        expect(r.certManager).toBeUndefined();
    });
});

describe("GCP internal load balancer", () => {
    it("reserves the address in the cluster's subnetwork, and keeps GKE's internal load balancer", async () => {
        const r = await renderTls("gcp-3k", { ...ACME, dnsZone: ZONE.gcp, internalLoadBalancer: true });
        const a = only(r, T.address);
        expect(a.inputs).toMatchObject({ addressType: "INTERNAL", subnetwork: "coder-gcp-net-nodes-id", region: "europe-west1" });
        expect(a.inputs).not.toHaveProperty("networkTier");
        expect(r.cluster.loadBalancerAnnotations).toEqual({ "networking.gke.io/load-balancer-type": "Internal" });
        expect(ofType(r, T.recordSet).map((x) => x.inputs.rrdatas)).toEqual([[GCP_INTERNAL_IP], [GCP_INTERNAL_IP]]);
    });
});

describe("secrets stay secret", () => {
    it("the release's values hold no secret value at all", async () => {
        const r = await renderTls("aws-3k", { ...ACME, dnsZone: ZONE.aws }, NLB_HOSTNAME);
        const values = certManagerRelease(r).inputs.values as Obj;
        const walk = (v: unknown): boolean => isSecretValue(v) || (!!v && typeof v === "object" && Object.values(v as Obj).some(walk));
        expect(walk(values)).toBe(false);
    });
});
