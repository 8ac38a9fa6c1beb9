import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Placement } from "../../sizing";
import { ClusterHandle, DatabaseEndpoint, PlacedWorkload } from "./types";
import { conflictMessage } from "./settings";
import {
    CODER_CHART, CODER_ENV_SECRET, CODER_RELEASE, DB_URL_SECRET, PROVISIONER_CHART, PROVISIONER_RELEASE, PROVISIONER_SERVICE_ACCOUNT,
    CODER_PORTS, PSK_SECRET, TLS_SECRET, Values, coderSelector, mergeUnder, provisionerSelector, releaseValues, tlsSecretNamesOf,
} from "./values";

export interface ChartSource {
    repository: string;
    /** one version for both charts: the Coder release */
    version: string;
}

export interface Namespaces {
    coder: string;
    provisioners: string;
    workspaces: string;
}

export interface CoderKubernetesArgs {
    cluster: ClusterHandle;
    database: DatabaseEndpoint;
    namespaces: Namespaces;
    accessUrl: string;
    wildcardAccessUrl: string;
    /** TLS Secrets (by name) coderd serves HTTPS with */
    tlsSecretNames: string[];
    /** a certificate and key to store as the TLS Secret coder-tls; always secrets */
    tlsCertificate?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
    chart: ChartSource;
    /** namespaces whose pods may scrape coderd's and the provisioners' metrics */
    metricsNamespaces: string[];
    coderd: PlacedWorkload & { maxOpenConnections: number };
    provisioners: PlacedWorkload;
    workspaces: { placement: Placement };
    /** further env of coderd (name → value), e.g. OIDC settings */
    coderEnv?: Record<string, string>;
    /** secret env of coderd (name → value): stored as the Secret coder-env, read through secretKeyRef */
    coderSecretEnv?: Record<string, pulumi.Input<string>>;
    /** the stack's own values of the two charts, merged under the program's */
    helmValues?: { coder?: Values; provisioner?: Values };
}

const LABELS = { "app.kubernetes.io/part-of": "coder", "app.kubernetes.io/managed-by": "pulumi" };

/**
 * Coder on any Kubernetes cluster: coderd, external provisioners and the namespace
 * workspaces run in. Sees only a Kubernetes provider, placements and a database URL.
 */
export class CoderKubernetes extends pulumi.ComponentResource {
    public readonly coderNamespace: pulumi.Output<string>;
    public readonly provisionerNamespace: pulumi.Output<string>;
    public readonly workspaceNamespace: pulumi.Output<string>;
    public readonly coderRelease: k8s.helm.v3.Release;
    public readonly provisionerRelease: k8s.helm.v3.Release;

    constructor(name: string, args: CoderKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:k8s:Coder", name, {}, { ...opts, providers: [args.cluster.provider] });
        const k = { parent: this, provider: args.cluster.provider };

        const namespace = (key: keyof Namespaces, role: string) => new k8s.core.v1.Namespace(`${name}-ns-${key}`, {
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

        // The pre-shared key coderd and the provisioners authenticate with.
        const psk = new random.RandomPassword(`${name}-provisioner-psk`, { length: 48, special: false }, { parent: this });
        const pskSecret = (ns: k8s.core.v1.Namespace, key: string) => new k8s.core.v1.Secret(`${name}-psk-${key}`, {
            metadata: { name: PSK_SECRET, namespace: ns.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { psk: pulumi.secret(psk.result) },
        }, k);
        const coderPsk = pskSecret(coderNs, "coder");
        const provisionerPsk = pskSecret(provisionerNs, "provisioners");

        const dbSecret = new k8s.core.v1.Secret(`${name}-db-url`, {
            metadata: { name: DB_URL_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { url: pulumi.secret(args.database.url) },
        }, k);

        // HTTPS at coderd: a certificate from config becomes the Secret coder-tls.
        const tlsSecret = args.tlsCertificate && new k8s.core.v1.Secret(`${name}-tls`, {
            metadata: { name: TLS_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "kubernetes.io/tls",
            stringData: pulumi.secret({ "tls.crt": args.tlsCertificate.certificate, "tls.key": args.tlsCertificate.privateKey }),
        }, k);
        const tlsSecretNames = tlsSecretNamesOf(!!tlsSecret, args.tlsSecretNames);

        // coderd's secret env: one key a variable, never in clear in the release's values.
        const secretEnvNames = Object.keys(args.coderSecretEnv ?? {});
        const envSecret = secretEnvNames.length > 0 ? new k8s.core.v1.Secret(`${name}-env`, {
            metadata: { name: CODER_ENV_SECRET, namespace: coderNs.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: pulumi.secret(args.coderSecretEnv ?? {}),
        }, k) : undefined;

        const ours = releaseValues({
            coderd: args.coderd,
            maxOpenConnections: args.coderd.maxOpenConnections,
            provisioners: args.provisioners,
            accessUrl: args.accessUrl,
            wildcardAccessUrl: args.wildcardAccessUrl,
            loadBalancerAnnotations: args.cluster.loadBalancerAnnotations,
            tlsSecretNames,
            coderNamespace: args.namespaces.coder,
            env: args.coderEnv,
            secretEnvNames,
        });
        const values = {
            coder: this.withStackValues("coder", ours.coder, args.helmValues?.coder),
            provisioner: this.withStackValues("provisioner", ours.provisioner, args.helmValues?.provisioner),
        };

        this.coderRelease = new k8s.helm.v3.Release(`${name}-coder`, {
            name: CODER_RELEASE,
            chart: CODER_CHART,
            version: args.chart.version,
            repositoryOpts: { repo: args.chart.repository },
            namespace: coderNs.metadata.name,
            values: values.coder,
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            maxHistory: 10,
        }, { ...k, dependsOn: [dbSecret, coderPsk, ...(tlsSecret ? [tlsSecret] : []), ...(envSecret ? [envSecret] : [])] });

        this.provisionerRelease = new k8s.helm.v3.Release(`${name}-provisioner`, {
            name: PROVISIONER_RELEASE,
            chart: PROVISIONER_CHART,
            version: args.chart.version,
            repositoryOpts: { repo: args.chart.repository },
            namespace: provisionerNs.metadata.name,
            values: values.provisioner,
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            maxHistory: 10,
        }, { ...k, dependsOn: [provisionerPsk, this.coderRelease] });

        // The charts have no PodDisruptionBudget value: node drains take one coderd at a time.
        new k8s.policy.v1.PodDisruptionBudget(`${name}-coderd-pdb`, {
            metadata: { name: "coderd", namespace: coderNs.metadata.name, labels: LABELS },
            spec: { maxUnavailable: 1, selector: { matchLabels: coderSelector } },
        }, k);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-provisioner-pdb`, {
            metadata: { name: "coder-provisioner", namespace: provisionerNs.metadata.name, labels: LABELS },
            spec: { maxUnavailable: "10%", selector: { matchLabels: provisionerSelector } },
        }, k);

        // Provisioners create workspaces (pods, volumes, deployments) in the workspaces namespace only.
        const role = new k8s.rbac.v1.Role(`${name}-workspace-builder`, {
            metadata: { name: "coder-workspace-builder", namespace: workspaceNs.metadata.name, labels: LABELS },
            rules: [
                { apiGroups: [""], resources: ["pods", "persistentvolumeclaims", "secrets", "serviceaccounts", "services", "configmaps"], verbs: ALL_VERBS },
                { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ALL_VERBS },
                { apiGroups: [""], resources: ["events", "pods/log"], verbs: ["get", "list", "watch"] },
            ],
        }, k);
        new k8s.rbac.v1.RoleBinding(`${name}-workspace-builder`, {
            metadata: { name: "coder-provisioner-workspace-builder", namespace: workspaceNs.metadata.name, labels: LABELS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: PROVISIONER_SERVICE_ACCOUNT, namespace: args.namespaces.provisioners }],
        }, k);

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
     * they can see; the cloud's load-balancer annotations are known only now, and where a
     * stack's annotation differs from one of them the cloud's stands, with a warning.
     */
    private withStackValues(chart: "coder" | "provisioner", ours: Values, theirs: Values | undefined): Values {
        const { values, conflicts } = mergeUnder(ours, theirs);
        for (const c of conflicts) pulumi.log.warn(`${conflictMessage(chart, c)}; the program's value stands`, this);
        return values;
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
        ns: { coderNs: k8s.core.v1.Namespace; provisionerNs: k8s.core.v1.Namespace; workspaceNs: k8s.core.v1.Namespace },
        tls: boolean,
    ) {
        type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
        const policy = (key: string, namespace: k8s.core.v1.Namespace, spec: Spec) =>
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${key}`, {
                metadata: { name: `coder-refarch-${key}`, namespace: namespace.metadata.name, labels: LABELS },
                spec,
            }, k);
        const tcp = (port: number) => ({ protocol: "TCP", port });
        const namespaceNamed = (...names: string[]) => ({
            namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }] },
        });
        const web = [tcp(CODER_PORTS.http), ...(tls ? [tcp(CODER_PORTS.https)] : [])];
        const metrics = args.metricsNamespaces.length
            ? [{ from: [namespaceNamed(...args.metricsNamespaces)], ports: [tcp(CODER_PORTS.metrics)] }]
            : [];

        // coderd: HTTP(S) from anywhere (load balancer, workspaces, provisioners, peer
        // replicas' DERP mesh); metrics from monitoring only.
        policy("coderd", ns.coderNs, { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: web }, ...metrics] });
        policy("provisioners", ns.provisionerNs, { podSelector: {}, policyTypes: ["Ingress"], ingress: metrics });
        policy("workspaces", ns.workspaceNs, {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            // Agents dial out to coderd; nothing dials in.
            ingress: [],
            egress: [
                { to: [{ ...namespaceNamed(args.namespaces.coder), podSelector: { matchLabels: coderSelector } }], ports: web },
                {
                    to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
                },
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: args.cluster.protectedRanges } }] },
            ],
        });
    }
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
