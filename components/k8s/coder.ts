import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ValidatingAdmissionPolicy } from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "@pulumi/kubernetes/admissionregistration/v1/validatingAdmissionPolicyBinding";
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import { LimitRange } from "@pulumi/kubernetes/core/v1/limitRange";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { ServiceAccountPatch } from "@pulumi/kubernetes/core/v1/serviceAccountPatch";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1/podDisruptionBudget";
import { Role } from "@pulumi/kubernetes/rbac/v1/role";
import { RoleBinding } from "@pulumi/kubernetes/rbac/v1/roleBinding";
import type * as k8sInputs from "@pulumi/kubernetes/types/input";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { Placement } from "../../sizing";
import { Resources } from "../../tiers";
import { ClusterHandle, ControlPlane, METADATA_RANGE, PlacedWorkload } from "./types";
import { conflictMessage } from "./settings";
import {
    CODER_CHART, CODER_ENV_SECRET, CODER_RELEASE, DB_URL_SECRET, PROVISIONER_CHART, PROVISIONER_RELEASE, PROVISIONER_SERVICE_ACCOUNT,
    CODER_PORTS, METRICS_PORT_NAME, PROVISIONER_KEY_SECRET, PROVISIONER_KEY_SECRET_KEY, PROXY_TOKEN_SECRET, PROXY_TOKEN_SECRET_KEY,
    PSK_SECRET, ServerKind, ServerMode, TLS_SECRET, Values, coderSelector, digestAnnotations, mergeUnder, provisionerSelector,
    provisionersRun, releaseValues, tlsSecretNamesOf,
} from "./values";

export type { ControlPlane } from "./types";
import { PLACED_RESOURCES, PlacedKind, placementValidations } from "./workspace-policy";

export interface ChartSource {
    repository: string;
    /** one version for both charts: the Coder release */
    version: string;
}

/**
 * How the provisioners authenticate to coderd: the generated pre-shared key, or a
 * provisioner key (`coder provisioner keys create`, needs a licensed coderd; always a secret).
 * Beside a workspace proxy only a key: the PSK is each cluster's own and never the primary's,
 * so with `psk` a proxy region runs no provisioner (0 replicas, no PSK Secret).
 */
export type ProvisionerAuth = { kind: "psk" } | { kind: "key"; key: pulumi.Input<string> };

/**
 * What the provisioners start with, known only once the control plane's release exists
 * (coderd's: a scoped key and a license uploaded through Coder's API, which need coderd up;
 * a proxy's: e.g. its load balancer's address for DNS): the caller's hook creates those and
 * says what the provisioner release waits for.
 */
export interface ProvisionerStart {
    auth: ProvisionerAuth;
    /** resources the provisioner release waits for (e.g. the license upload), so provisioners start after them */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * Changes when the license does (e.g. its upload's ID): the provisioners restart then.
     * A provisioner that dialled an unlicensed coderd got 403 and never dials again
     * (coder/coder provisionerd/provisionerd.go connect(): "If something is wrong with our auth, stop trying to connect").
     */
    licenseRevision?: pulumi.Input<string>;
}

export interface Namespaces {
    coder: string;
    provisioners: string;
    workspaces: string;
}

export interface CoderKubernetesArgs {
    cluster: ClusterHandle;
    /** what the coder chart runs here: coderd with its database, or a workspace proxy of the primary's coderd */
    control: ControlPlane;
    namespaces: Namespaces;
    /** the server's own access URL: coderd's, or a proxy's (its region's) */
    accessUrl: string;
    wildcardAccessUrl: string;
    /** TLS Secrets (by name) coderd (or the proxy) serves HTTPS with */
    tlsSecretNames: string[];
    /** a certificate and key to store as the TLS Secret coder-tls; always secrets */
    tlsCertificate?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
    chart: ChartSource;
    /** namespaces whose pods may scrape the server's (coderd's or the proxies') and the provisioners' metrics */
    metricsNamespaces: string[];
    /**
     * The coder chart's pods: coderd's, or the proxies' in proxy mode. `maxOpenConnections`
     * (CODER_PG_CONN_MAX_OPEN) is coderd's and required with coderd; a proxy has no database.
     */
    coderd: PlacedWorkload & { maxOpenConnections?: number };
    /** replicas may be 0: no provisioner runs (e.g. until coderd is licensed) */
    provisioners: PlacedWorkload;
    /**
     * What the coder release (coderd's or the proxy's) waits for, created once its namespace
     * exists: e.g. the certificate cert-manager issues into that namespace, served from the start.
     */
    coderdDependsOn?: (coderNamespace: Namespace) => pulumi.Input<pulumi.Resource>[];
    /** how the provisioners start: fixed, or from a hook called with the control plane's release (coderd's or the proxy's) once it exists */
    provisionerStart: ProvisionerStart | ((control: Release) => ProvisionerStart);
    /** CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY=agent_name (the caller decides from the tier); coderd's only, a proxy takes no such setting */
    aggregateAgentStats: boolean;
    /** where workspace pods must run, and the default requests of their containers (the tier's workspace slot) */
    workspaces: { placement: Placement; requests: Resources };
    /** further env of the server (name → value), e.g. OIDC settings for coderd; the caller chooses what a proxy gets */
    coderEnv?: Record<string, string>;
    /** secret env of the server (name → value): stored as the Secret coder-env, read through secretKeyRef */
    coderSecretEnv?: Record<string, pulumi.Input<string>>;
    /**
     * The stack's own values of the two charts, merged under the program's. `coder` applies to
     * the coder release whatever it runs: coderd in the primary region, the proxies elsewhere.
     */
    helmValues?: { coder?: Values; provisioner?: Values };
}

const LABELS = { "app.kubernetes.io/part-of": "coder", "app.kubernetes.io/managed-by": "pulumi" };

/** What the coder chart's pods run, from the layer's args. */
function serverMode(args: CoderKubernetesArgs): ServerMode {
    const c = args.control;
    if (c.kind === "proxy") return { kind: "proxy", primaryAccessUrl: c.primaryAccessUrl, hasToken: c.token !== undefined };
    if (args.coderd.maxOpenConnections === undefined) {
        throw new Error("coderd needs coderd.maxOpenConnections (CODER_PG_CONN_MAX_OPEN): the database's max_connections is sized from it");
    }
    return { kind: "coderd", maxOpenConnections: args.coderd.maxOpenConnections, aggregateAgentStats: args.aggregateAgentStats };
}

/**
 * Coder on any Kubernetes cluster: the control plane (coderd, or a workspace proxy of the
 * primary's coderd), external provisioners and the namespace workspaces run in. Sees only a
 * Kubernetes provider, placements, and a database URL or the primary's access URL.
 */
export class CoderKubernetes extends pulumi.ComponentResource {
    public readonly coderNamespace: pulumi.Output<string>;
    public readonly provisionerNamespace: pulumi.Output<string>;
    public readonly workspaceNamespace: pulumi.Output<string>;
    /** the coder chart's release: coderd, or the workspace proxy */
    public readonly coderRelease: Release;
    public readonly provisionerRelease: Release;

    constructor(name: string, args: CoderKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
        // Refused before anything registers.
        const server = serverMode(args);
        super("coder-refarch:k8s:Coder", name, {}, { ...opts, providers: [args.cluster.provider] });
        const k = { parent: this, provider: args.cluster.provider };

        const namespace = (key: keyof Namespaces, role: string) => new Namespace(`${name}-ns-${key}`, {
            metadata: {
                name: args.namespaces[key],
                labels: {
                    ...LABELS,
                    "coder-refarch/role": role,
                    // Coder's charts run non-root with RuntimeDefault seccomp but keep default
                    // capabilities: baseline is enforced, restricted only warned. Workspaces are
                    // not enforced: templates may need privileged containers (e.g. envbox).
                    ...(key === "workspaces"
                        ? { "pod-security.kubernetes.io/warn": "baseline" }
                        : { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" }),
                },
            },
        }, k);
        const coderNs = namespace("coder", "control-plane");
        const provisionerNs = namespace("provisioners", "provisioners");
        const workspaceNs = namespace("workspaces", "workspaces");

        const control = args.control;

        // The pre-shared key. coderd keeps it with either kind of provisioner auth: it accepts
        // PSK provisioners only while it has one, a key can only be created once coderd is
        // up and licensed (so the first provisioners and a rollback use the PSK), and
        // switching kinds then restarts no coderd. With a key, the PSK stays in coderd's
        // namespace only: no provisioner pod can read it. A proxy accepts no provisioners,
        // and a PSK of this cluster's would never be coderd's: none beside a proxy.
        const psk = control.kind === "coderd"
            ? new RandomPassword(`${name}-provisioner-psk`, { length: 48, special: false }, { parent: this })
            : undefined;
        const pskSecret = (ns: Namespace, key: string, value: pulumi.Output<string>) => new Secret(`${name}-psk-${key}`, {
            metadata: { name: PSK_SECRET, namespace: ns.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { psk: pulumi.secret(value) },
        }, k);
        const coderPsk = psk && pskSecret(coderNs, "coder", psk.result);

        // Pods read Secrets at start only (env, and coderd's TLS key pair: cli/server.go
        // configureServerTLS loads it once), and a Secret's new value changes no Helm value, so
        // nothing would roll. A digest of each in the pod annotations does. An HMAC under a
        // generated key, not a plain hash: a hash of a guessable secret (a short client secret)
        // could be checked offline, this cannot without the key, so the digests may stay in
        // clear and the release's values reviewable in a preview.
        const digestKey = new RandomPassword(`${name}-digest-key`, { length: 64, special: false }, { parent: this });
        const digest = (label: string, ...parts: pulumi.Input<string>[]): pulumi.Output<string> =>
            pulumi.unsecret(pulumi.all([digestKey.result, pulumi.all(parts)]).apply(([key, values]) =>
                createHmac("sha256", key).update(JSON.stringify([label, ...values])).digest("hex").slice(0, 32)));

        const dbSecret = control.kind === "coderd" ? new Secret(`${name}-db-url`, {
            metadata: { name: DB_URL_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { url: pulumi.secret(control.database.url) },
        }, k) : undefined;

        // A proxy's session token, under the names of the chart's own proxy fixture
        // (helm/coder/tests/testdata/workspace_proxy.yaml@1767a708). Without one the proxy
        // runs no replica, and the Secret waits for the token.
        const proxyToken = control.kind === "proxy" ? control.token : undefined;
        const tokenSecret = proxyToken !== undefined ? new Secret(`${name}-proxy-token`, {
            metadata: { name: PROXY_TOKEN_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { [PROXY_TOKEN_SECRET_KEY]: pulumi.secret(proxyToken) },
        }, k) : undefined;

        // HTTPS at coderd: a certificate from config becomes the Secret coder-tls.
        const tlsSecret = args.tlsCertificate && new Secret(`${name}-tls`, {
            metadata: { name: TLS_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "kubernetes.io/tls",
            stringData: pulumi.secret({ "tls.crt": args.tlsCertificate.certificate, "tls.key": args.tlsCertificate.privateKey }),
        }, k);
        const tlsSecretNames = tlsSecretNamesOf(!!tlsSecret, args.tlsSecretNames);

        // coderd's secret env: one key a variable, never in clear in the release's values.
        const secretEnv = args.coderSecretEnv ?? {};
        const secretEnvNames = Object.keys(secretEnv);
        const envSecret = secretEnvNames.length > 0 ? new Secret(`${name}-env`, {
            metadata: { name: CODER_ENV_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: pulumi.secret(secretEnv),
        }, k) : undefined;

        const pskDigest = psk && digest("provisioner-psk", psk.result);
        const coderdDigests = digestAnnotations({
            tls: args.tlsCertificate && digest("tls", args.tlsCertificate.certificate, args.tlsCertificate.privateKey),
            databaseUrl: control.kind === "coderd" ? digest("database-url", control.database.url) : undefined,
            provisionerPsk: pskDigest,
            secretEnv: secretEnvNames.length > 0
                ? digest("secret-env", ...[...secretEnvNames].sort().flatMap((n) => [n, secretEnv[n]!]))
                : undefined,
            // a regenerated token rolls the proxies
            proxyToken: proxyToken !== undefined ? digest("proxy-token", proxyToken) : undefined,
        });

        const valuesWith = (provisionerAuth: ProvisionerAuth["kind"], provisionerPodAnnotations: Record<string, pulumi.Input<string>>) => releaseValues({
            server,
            coderd: args.coderd,
            provisioners: args.provisioners,
            accessUrl: args.accessUrl,
            wildcardAccessUrl: args.wildcardAccessUrl,
            loadBalancerAnnotations: args.cluster.loadBalancerAnnotations,
            loadBalancerIP: args.cluster.loadBalancerIP,
            tlsSecretNames,
            coderNamespace: args.namespaces.coder,
            env: args.coderEnv,
            secretEnvNames,
            podAnnotations: coderdDigests,
            provisionerAuth,
            provisionerPodAnnotations,
        });

        // In place before a provisioner can build a workspace.
        const workspaceGuards = this.workspaceGuards(name, k, args, workspaceNs);

        this.coderRelease = new Release(`${name}-coder`, {
            name: CODER_RELEASE,
            chart: CODER_CHART,
            version: args.chart.version,
            repositoryOpts: { repo: args.chart.repository },
            namespace: coderNs.metadata.name,
            // the server's values do not depend on how the provisioners authenticate
            values: this.withStackValues("coder", valuesWith("psk", {}).coder, args.helmValues?.coder, server.kind),
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            maxHistory: 10,
        }, {
            ...k,
            dependsOn: [
                ...[dbSecret, coderPsk, tokenSecret, tlsSecret, envSecret].filter((r): r is Secret => r !== undefined),
                ...(args.coderdDependsOn?.(coderNs) ?? []),
            ],
        });

        // What the provisioners start with may need the control plane up (a key, a license): known now.
        const start = typeof args.provisionerStart === "function" ? args.provisionerStart(this.coderRelease) : args.provisionerStart;
        const auth = start.auth;
        if (!provisionersRun(server.kind, auth.kind) && args.provisioners.replicas > 0) {
            pulumi.log.warn("provisioners beside a workspace proxy authenticate with a provisioner key only (this cluster's " +
                "pre-shared key is not coderd's): none run until the region has one", this);
        }
        const provisionerCredential = auth.kind === "key"
            ? new Secret(`${name}-provisioner-key`, {
                metadata: { name: PROVISIONER_KEY_SECRET, namespace: provisionerNs.metadata.name, labels: LABELS },
                type: "Opaque",
                stringData: { [PROVISIONER_KEY_SECRET_KEY]: pulumi.secret(auth.key) },
            }, k)
            : psk && pskSecret(provisionerNs, "provisioners", psk.result);
        const provisionerDigests = digestAnnotations({
            provisionerPsk: auth.kind === "psk" ? pskDigest : undefined,
            provisionerKey: auth.kind === "key" ? digest("provisioner-key", auth.key) : undefined,
            license: start.licenseRevision !== undefined ? digest("license", start.licenseRevision) : undefined,
        });
        this.provisionerRelease = new Release(`${name}-provisioner`, {
            name: PROVISIONER_RELEASE,
            chart: PROVISIONER_CHART,
            version: args.chart.version,
            repositoryOpts: { repo: args.chart.repository },
            namespace: provisionerNs.metadata.name,
            values: this.withStackValues("provisioner", valuesWith(auth.kind, provisionerDigests).provisioner, args.helmValues?.provisioner, server.kind),
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            maxHistory: 10,
        }, {
            ...k,
            // After coderd in its cluster, which they dial. Beside a proxy, after nothing of the
            // cluster's: they dial the primary's coderd, never the proxy, and a proxy that is
            // down or not yet registered must not hold builds back (the caller's hook orders
            // them after what they need, e.g. the key from the primary).
            dependsOn: [
                ...(provisionerCredential ? [provisionerCredential] : []),
                ...(server.kind === "coderd" ? [this.coderRelease] : []),
                ...workspaceGuards,
                ...(start.dependsOn ?? []),
            ],
        });

        // The charts have no PodDisruptionBudget value: node drains take one coderd (or proxy)
        // at a time. The proxies carry the chart's same selector labels (libcoder coder.selectorLabels).
        new PodDisruptionBudget(`${name}-coderd-pdb`, {
            metadata: { name: "coderd", namespace: coderNs.metadata.name, labels: LABELS },
            spec: { maxUnavailable: 1, selector: { matchLabels: coderSelector } },
        }, k);
        new PodDisruptionBudget(`${name}-provisioner-pdb`, {
            metadata: { name: "coder-provisioner", namespace: provisionerNs.metadata.name, labels: LABELS },
            spec: { maxUnavailable: "10%", selector: { matchLabels: provisionerSelector } },
        }, k);

        // Provisioners create workspaces in the workspaces namespace only, with what Coder's
        // kubernetes templates create: pods, volume claims and deployments, the resources of
        // the charts' own workspace rules (helm/libcoder/templates/_helpers.tpl
        // libcoder.rbac.rules.basic and .deployments). Their `deletecollection` is left out:
        // Terraform deletes each object by name. Events and pod logs are read only, for
        // Terraform's and the build log's reports on a pod that does not start.
        const role = new Role(`${name}-workspace-builder`, {
            metadata: { name: "coder-workspace-builder", namespace: workspaceNs.metadata.name, labels: LABELS },
            rules: [
                { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: WRITE_VERBS },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: WRITE_VERBS },
                { apiGroups: [""], resources: ["events", "pods/log"], verbs: ["get", "list", "watch"] },
            ],
        }, k);
        new RoleBinding(`${name}-workspace-builder`, {
            metadata: { name: "coder-provisioner-workspace-builder", namespace: workspaceNs.metadata.name, labels: LABELS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: PROVISIONER_SERVICE_ACCOUNT, namespace: args.namespaces.provisioners }],
        }, k);

        if (args.cluster.podMonitoring) this.podMonitorings(name, k, { coderNs, provisionerNs });
        this.networkPolicies(name, k, args, { coderNs, provisionerNs, workspaceNs }, tlsSecretNames.length > 0);

        this.coderNamespace = coderNs.metadata.name;
        this.provisionerNamespace = provisionerNs.metadata.name;
        this.workspaceNamespace = workspaceNs.metadata.name;
        this.registerOutputs({
            coderNamespace: this.coderNamespace,
            provisionerNamespace: this.provisionerNamespace,
            workspaceNamespace: this.workspaceNamespace,
        });
    }

    /**
     * The stack's values under the program's. The config checks have refused every clash
     * they can see; the cloud's load-balancer annotations and the pods' digest annotations
     * are known only now, and where a stack's annotation differs from one of them (or names
     * a digest) the program's stands, with a warning.
     */
    private withStackValues(chart: "coder" | "provisioner", ours: Values, theirs: Values | undefined, server: ServerKind): Values {
        const { values, conflicts } = mergeUnder(ours, theirs);
        for (const c of conflicts) pulumi.log.warn(`${conflictMessage(chart, c, server)}; the program's value stands`, this);
        return values;
    }

    /**
     * What keeps workspaces on their pool and off the Kubernetes API: an admission policy
     * that refuses pods (and Deployments' pod templates) without the pool's node selector
     * and toleration, default requests for containers that set none, and no API token in
     * pods that use the namespace's default ServiceAccount.
     */
    private workspaceGuards(
        name: string, k: pulumi.CustomResourceOptions, args: CoderKubernetesArgs, workspaceNs: Namespace,
    ): pulumi.Resource[] {
        const ns = args.namespaces.workspaces;
        const guards: pulumi.Resource[] = [];
        // ValidatingAdmissionPolicy is GA in admissionregistration.k8s.io/v1 since Kubernetes
        // 1.30 (GKE and EKS both run it). Policies and bindings are cluster-scoped: the names
        // carry the namespace. Deny, with the default failurePolicy Fail: a pod the rule
        // cannot judge is refused too (the CEL guards every absent field with has()).
        const kinds: PlacedKind[] = ["Pod", "Deployment"];
        for (const kind of kinds) {
            const policyName = `${ns}-${kind.toLowerCase()}-placement`;
            const policy = new ValidatingAdmissionPolicy(`${name}-${kind.toLowerCase()}-placement`, {
                metadata: { name: policyName, labels: LABELS },
                spec: {
                    failurePolicy: "Fail",
                    matchConstraints: {
                        resourceRules: [{ ...PLACED_RESOURCES[kind], operations: ["CREATE", "UPDATE"] }],
                    },
                    validations: placementValidations(kind, ns, args.workspaces.placement),
                },
            }, k);
            guards.push(new ValidatingAdmissionPolicyBinding(`${name}-${kind.toLowerCase()}-placement`, {
                metadata: { name: policyName, labels: LABELS },
                spec: {
                    policyName: policy.metadata.name,
                    validationActions: ["Deny"],
                    matchResources: {
                        namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [ns] }] },
                    },
                },
            }, k));
        }

        // Requests for containers that set none (the tier's workspace slot, which the pool is
        // sized by), so the scheduler and the autoscaler count them. No default limits: for a
        // container that sets a request but no limit, a default limit below that request
        // would make its pod invalid (request above limit), refused at creation.
        const { requests } = args.workspaces;
        guards.push(new LimitRange(`${name}-workspace-defaults`, {
            metadata: { name: "workspace-defaults", namespace: workspaceNs.metadata.name, labels: LABELS },
            spec: {
                limits: [{ type: "Container", defaultRequest: { cpu: `${requests.cpuMillis}m`, memory: `${requests.memoryMiB}Mi` } }],
            },
        }, k));

        // Workspace pods run users' code: no token of the namespace's default ServiceAccount
        // in them unless a template asks (a pod's automountServiceAccountToken still wins).
        // A Server-Side Apply patch (the provider's default mode since v4) of the one field;
        // the ServiceAccount controller creates the object with no such field, so no other
        // field manager holds it and the patch needs no `pulumi.com/patchForce` (a conflict
        // would fail the update and name the manager, rather than be overwritten silently).
        guards.push(new ServiceAccountPatch(`${name}-workspace-default-sa`, {
            metadata: { name: "default", namespace: workspaceNs.metadata.name },
            automountServiceAccountToken: false,
        }, k));
        return guards;
    }

    /**
     * Managed Prometheus (GKE) scrapes what PodMonitoring objects select: coderd (or the
     * proxies) and the provisioners, on the charts' named metrics port. Every 30 s: Managed Service for
     * Prometheus bills by samples ingested.
     */
    private podMonitorings(name: string, k: pulumi.CustomResourceOptions, ns: { coderNs: Namespace; provisionerNs: Namespace }) {
        const monitor = (key: string, namespace: Namespace, monitorName: string, selector: Record<string, string>) =>
            new CustomResource(`${name}-podmonitoring-${key}`, {
                apiVersion: "monitoring.googleapis.com/v1",
                kind: "PodMonitoring",
                metadata: { name: monitorName, namespace: namespace.metadata.name, labels: LABELS },
                spec: {
                    selector: { matchLabels: selector },
                    endpoints: [{ port: METRICS_PORT_NAME, interval: "30s" }],
                },
            }, k);
        monitor("coderd", ns.coderNs, "coderd", coderSelector);
        monitor("provisioners", ns.provisionerNs, "coder-provisioner", provisionerSelector);
    }

    /**
     * Rules after validated-architectures.md ("Networking"): users reach coderd through
     * its load balancer; workspaces need no open port; metrics only for monitoring.
     * Workspaces run users' code: they reach coderd, DNS and the internet, never the
     * database, the control plane or the node's metadata service. coderd and the
     * provisioners keep open egress (database, Kubernetes API, git, registries).
     */
    private networkPolicies(
        name: string, k: pulumi.CustomResourceOptions, args: CoderKubernetesArgs,
        ns: { coderNs: Namespace; provisionerNs: Namespace; workspaceNs: Namespace },
        tls: boolean,
    ) {
        type Spec = k8sInputs.networking.v1.NetworkPolicySpec;
        const policy = (key: string, namespace: Namespace, spec: Spec) =>
            new NetworkPolicy(`${name}-netpol-${key}`, {
                metadata: { name: `coder-refarch-${key}`, namespace: namespace.metadata.name, labels: LABELS },
                spec,
            }, k);
        const tcp = (port: number) => ({ protocol: "TCP", port });
        // Every UDP port: Coder's tailnet (Tailscale's magicsock) sends WireGuard and disco
        // packets from an ephemeral UDP port of each side, none fixed ("All outbound UDP
        // traffic must be allowed for both the client and the agent on all ports",
        // coder/coder docs/networking/index.md).
        const anyUdp = { protocol: "UDP" };
        const dns = [{ protocol: "UDP", port: 53 }, tcp(53)];
        const namespaceNamed = (...names: string[]) => ({
            namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }] },
        });
        const coderdPods = { ...namespaceNamed(args.namespaces.coder), podSelector: { matchLabels: coderSelector } };
        const web = [tcp(CODER_PORTS.http), ...(tls ? [tcp(CODER_PORTS.https)] : [])];
        const metrics = args.metricsNamespaces.length
            ? [{ from: [namespaceNamed(...args.metricsNamespaces)], ports: [tcp(CODER_PORTS.metrics)] }]
            : [];

        // coderd: HTTP(S) from anywhere (load balancer, workspaces, provisioners, peer
        // replicas' DERP mesh); tailnet UDP from workspaces, so coderd's own connections to
        // agents (workspace apps, web terminals) go direct instead of through DERP; metrics
        // from monitoring only. A proxy the same: users and the primary reach it through its
        // load balancer, its replicas mesh their DERP servers over the same HTTP port (the
        // chart's CODER_DERP_SERVER_RELAY_URL http://$(KUBE_POD_IP):8080, the relay address
        // each replica registers with coderd), and it dials agents for workspace apps.
        policy("coderd", ns.coderNs, {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ ports: web }, { from: [namespaceNamed(args.namespaces.workspaces)], ports: [anyUdp] }, ...metrics],
        });
        policy("provisioners", ns.provisionerNs, { podSelector: {}, policyTypes: ["Ingress"], ingress: metrics });
        policy("workspaces", ns.workspaceNs, {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            // Agents dial out to coderd; only coderd's tailnet UDP comes in (the other half of
            // a direct connection). Pod selectors, not address blocks: on Dataplane V2 an
            // ipBlock does not match pods (cilium/cilium#9209), and on EKS the pods' subnets are
            // among the protected ranges.
            ingress: [{ from: [coderdPods], ports: [anyUdp] }],
            egress: [
                { to: [coderdPods], ports: web },
                { to: [coderdPods], ports: [anyUdp] },
                // Cluster DNS wherever the cluster answers it: kube-dns pods, or NodeLocal
                // DNSCache's pods (label k8s-app: node-local-dns in kube-system).
                {
                    to: [
                        { ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
                        { ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } },
                    ],
                    ports: dns,
                },
                // ... and its node-local addresses, port 53 only: NodeLocal DNSCache listens on
                // 169.254.20.10; Cloud DNS for GKE answers on the metadata address, which the
                // rule below excepts (gke-labs/kube-agents#1169: a policy without it took name
                // resolution away). Rules add up: the metadata server's other ports stay closed.
                { to: [{ ipBlock: { cidr: NODE_LOCAL_DNS } }, { ipBlock: { cidr: METADATA_RANGE } }], ports: dns },
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: args.cluster.protectedRanges } }] },
            ],
        });
    }
}

/** NodeLocal DNSCache's link-local listen address (the address GKE's and EKS's guides use). */
const NODE_LOCAL_DNS = "169.254.20.10/32";

const WRITE_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];
