/**
 * cert-manager and the certificate coderd serves: Let's Encrypt (or another ACME CA)
 * proves the access host and the wildcard host through DNS-01 challenges in the stack's
 * zone, written by cert-manager under the cloud identity the cloud layer gives its
 * ServiceAccount (ClusterHandle.acme). No key or token is stored anywhere: the cloud
 * trusts the ServiceAccount's Kubernetes token (GKE Workload Identity, EKS IRSA).
 *
 * Cloud-free: the solver and the ServiceAccount annotations come from the cloud layer.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { Provider } from "@pulumi/kubernetes/provider";
import { Placement } from "../../sizing";
import { ClusterHandle } from "./types";

/**
 * The cert-manager chart from https://charts.jetstack.io. v1.21.2 is the newest release
 * found (cert-manager 1.21.0 of 2026-07-08 in cert-manager/website#2202; v1.21.2 in
 * kubermatic/kubermatic#16480 of 2026-09-16). Chart version = cert-manager release, with
 * the leading "v". test/fixtures/cert-manager/README.txt says which values file the
 * tests check the values against.
 */
export const CERT_MANAGER_CHART = { name: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.21.2" } as const;
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/**
 * The controller's ServiceAccount, named explicitly so the cloud identity trusts exactly
 * it (`<project>.svc.id.goog[cert-manager/cert-manager]`,
 * `system:serviceaccount:cert-manager:cert-manager`). The controller is the only
 * component that talks to the DNS API.
 */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";
/** The kubernetes.io/tls Secret cert-manager writes in coderd's namespace. */
export const ACME_TLS_SECRET = "coder-acme-tls";
export const ACME_ISSUER = "coder-acme";
/** Where cert-manager keeps the ACME account's private key (it generates the key; the Secret lives in its namespace). */
export const ACME_ACCOUNT_SECRET = "coder-acme-account";

/**
 * Public resolvers for cert-manager's own check that the challenge record is visible
 * before it asks the CA to look. The CA resolves the public zone; from inside the VPC a
 * private zone of the same name (split horizon: a Cloud DNS private zone bound to the
 * VPC, a Route 53 private hosted zone associated with it) would hide the record and the
 * check would wait forever (cert-manager.io/docs/configuration/acme/dns01, "Setting
 * Nameservers for DNS01 Self Check"). The nodes reach them through NAT: an egress
 * firewall must let cert-manager out to port 53 of these addresses.
 */
export const DNS01_RECURSIVE_NAMESERVERS = ["8.8.8.8:53", "1.1.1.1:53"] as const;

/** How long `pulumi up` waits for the certificate (DNS propagation, then the CA's validation). */
export const CERTIFICATE_TIMEOUT_SECONDS = 1200;

/** The DNS names of Coder: the access URL's host, and the wildcard host, lower case, without a trailing dot. */
export interface CoderHostnames {
    access: string;
    /** `*.<base>`: the DNS wildcard that covers CODER_WILDCARD_ACCESS_URL; absent without one */
    wildcard?: string;
}

/**
 * The names DNS records and the certificate cover. The wildcard access URL may carry
 * text after the `*` in its first label (the config accepts `*-apps.example.com`); DNS
 * and X.509 wildcards are whole labels, so the wildcard name is `*.` and the rest.
 */
export function coderHostnames(accessUrl: string, wildcardAccessUrl: string): CoderHostnames {
    const access = new URL(accessUrl).hostname.toLowerCase().replace(/\.$/, "");
    const dot = wildcardAccessUrl.indexOf(".");
    const base = dot > 0 ? wildcardAccessUrl.slice(dot + 1).toLowerCase().replace(/\.$/, "") : "";
    return base ? { access, wildcard: `*.${base}` } : { access };
}

/** Both names, the access host first. */
export const hostnameList = (h: CoderHostnames): string[] => [h.access, ...(h.wildcard ? [h.wildcard] : [])];

/**
 * The solver's scope: the access host and the wildcard's base, each with the names below
 * it (cert-manager's `dnsZones` selector matches a name and its subdomains). Taken from
 * the hosts, not from the zone, so no lookup of the zone is needed; the Certificate asks
 * only for names inside it.
 */
export function solverZones(h: CoderHostnames): string[] {
    const base = h.wildcard?.slice(2);
    const zones = [h.access, ...(base ? [base] : [])];
    // A zone already covered by another (the access host below the wildcard's base) adds nothing.
    return zones.filter((z, i) => zones.indexOf(z) === i && !zones.some((o) => o !== z && z.endsWith(`.${o}`)));
}

/** The stack settings ACME issuance reads. */
export interface AcmeSettings {
    dnsZone: string;
    acmeEmail: string;
    acmeServer: string;
}

/** Whether cert-manager issues coderd's certificate: a zone to answer challenges in and an account email. */
export const usesAcme = (s: AcmeSettings): boolean => !!s.dnsZone && !!s.acmeEmail;

export interface CertManagerArgs {
    provider: Provider;
    /** the cloud layer's DNS-01 solver and ServiceAccount annotations */
    acme: NonNullable<ClusterHandle["acme"]>;
    /** ACME account email: the CA's expiry and incident notices go there */
    email: string;
    /** ACME directory URL */
    server: string;
    hosts: CoderHostnames;
    /** coderd's namespace: the Certificate and its Secret live there */
    namespace: pulumi.Input<string>;
    /** the untainted system pool */
    placement: Placement;
}

/** Helm values of the cert-manager chart: pure, so the tests check every key against the chart's values file. */
export function certManagerValues(a: Pick<CertManagerArgs, "acme" | "placement">): Record<string, unknown> {
    const nodeSelector = { "kubernetes.io/os": "linux", ...a.placement.nodeSelector };
    const tolerations = a.placement.tolerations.length ? { tolerations: a.placement.tolerations } : {};
    const placed = { nodeSelector, ...tolerations };
    return {
        // The chart installs and upgrades its CRDs (`crds.keep`, the chart's default, keeps
        // them on uninstall, so certificates are not garbage-collected with the release).
        crds: { enabled: true },
        serviceAccount: {
            name: CERT_MANAGER_SERVICE_ACCOUNT,
            annotations: a.acme.serviceAccountAnnotations,
        },
        ...(a.acme.podLabels ? { podLabels: a.acme.podLabels } : {}),
        ...placed,
        webhook: placed,
        cainjector: placed,
        startupapicheck: placed,
        dns01RecursiveNameservers: DNS01_RECURSIVE_NAMESERVERS.join(","),
        dns01RecursiveNameserversOnly: true,
    };
}

/**
 * cert-manager (Helm release), a ClusterIssuer for the ACME CA whose only solver is the
 * cloud's DNS-01 one, and the Certificate of coderd's hosts in coderd's namespace. A
 * ClusterIssuer may use the controller's ambient cloud credentials by default
 * (`--cluster-issuer-ambient-credentials`, default true; an Issuer may not), which is
 * how the workload identity reaches the solver.
 */
export class CertManager extends pulumi.ComponentResource {
    public readonly release: Release;
    public readonly issuer: CustomResource;
    public readonly certificate: CustomResource;
    /** the kubernetes.io/tls Secret coderd serves (tlsSecretNames) */
    public readonly secretName: string = ACME_TLS_SECRET;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:k8s:CertManager", name, {}, { ...opts, providers: [args.provider] });
        const k = { parent: this, provider: args.provider };

        // The chart's pods run non-root, without privilege escalation or capabilities, with
        // the RuntimeDefault seccomp profile: the restricted Pod Security Standard holds.
        const ns = new Namespace(`${name}-ns`, {
            metadata: {
                name: CERT_MANAGER_NAMESPACE,
                labels: {
                    "app.kubernetes.io/managed-by": "pulumi",
                    "pod-security.kubernetes.io/enforce": "restricted",
                },
            },
        }, k);

        this.release = new Release(`${name}-release`, {
            name: CERT_MANAGER_CHART.name,
            chart: CERT_MANAGER_CHART.name,
            version: CERT_MANAGER_CHART.version,
            repositoryOpts: { repo: CERT_MANAGER_CHART.repository },
            namespace: ns.metadata.name,
            values: certManagerValues(args),
            // The chart's startupapicheck hook waits until the webhook answers, so the
            // issuer and the certificate below are admitted once the release is done.
            atomic: true,
            cleanupOnFail: true,
            timeout: 600,
            maxHistory: 10,
        }, k);

        this.issuer = new CustomResource(`${name}-issuer`, {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: ACME_ISSUER, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
            spec: {
                acme: {
                    server: args.server,
                    email: args.email,
                    privateKeySecretRef: { name: ACME_ACCOUNT_SECRET },
                    solvers: [{ dns01: args.acme.dns01, selector: { dnsZones: solverZones(args.hosts) } }],
                },
            },
        }, { ...k, dependsOn: [this.release] });

        this.certificate = new CustomResource(`${name}-certificate`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: {
                name: "coder",
                namespace: args.namespace,
                labels: { "app.kubernetes.io/managed-by": "pulumi" },
                annotations: {
                    // `pulumi up` waits until the certificate is issued, and reports a
                    // failed challenge instead of leaving coderd without its Secret.
                    "pulumi.com/waitFor": "condition=Ready",
                    "pulumi.com/timeoutSeconds": String(CERTIFICATE_TIMEOUT_SECONDS),
                },
            },
            spec: {
                secretName: ACME_TLS_SECRET,
                dnsNames: hostnameList(args.hosts),
                issuerRef: { name: ACME_ISSUER, kind: "ClusterIssuer", group: "cert-manager.io" },
                // A new key at every renewal (the default since cert-manager 1.18, said here).
                privateKey: { rotationPolicy: "Always" },
            },
        }, { ...k, dependsOn: [this.issuer] });

        this.registerOutputs({ release: this.release.name, secretName: this.secretName });
    }
}

export interface TlsArgs {
    settings: AcmeSettings & { accessUrl: string; wildcardAccessUrl: string };
    cluster: ClusterHandle;
    /** coderd's namespace (its Output, so the Certificate waits for the Namespace) */
    coderNamespace: pulumi.Input<string>;
    /** the untainted system pool's placement */
    placement: Placement;
}

/**
 * The program's HTTPS wiring: cert-manager with the cloud's solver when the stack has a
 * zone and an ACME email and the cloud layer handed over an identity; otherwise nothing.
 * coderd serves the result through tlsSecretNames (ACME_TLS_SECRET).
 */
export function tlsFor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions): CertManager | undefined {
    const s = args.settings;
    if (!usesAcme(s) || !args.cluster.acme) return undefined;
    return new CertManager(name, {
        provider: args.cluster.provider,
        acme: args.cluster.acme,
        email: s.acmeEmail,
        server: s.acmeServer,
        hosts: coderHostnames(s.accessUrl, s.wildcardAccessUrl),
        namespace: args.coderNamespace,
        placement: args.placement,
    }, opts);
}
