/**
 * Coder's observability bundle: the `coder-observability` chart (Prometheus, Grafana with
 * Coder's dashboards, Loki, Alertmanager with Coder's alerts, a Grafana Agent DaemonSet that
 * collects metrics and logs) in a region's cluster. Every region runs its own bundle: the
 * collector scrapes pods by their IPs, and the regions never route to each other privately.
 * The primary's also scrapes the database (postgres-exporter and sql-exporter with coderd's
 * credential).
 *
 * Cloud-free: a Kubernetes provider, the system pool's placement and the tier's figures
 * (tiers/observability.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { Provider } from "@pulumi/kubernetes/provider";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { Placement } from "../../sizing";
import { ComponentSize, ObservabilitySpec } from "../../tiers/observability";
import { CODER_PORTS } from "./values";

/**
 * The chart from https://helm.coder.com/observability (coder/observability). 0.7.5 is the
 * newest version found (the repository's README installs `--version 0.7.5`);
 * components/k8s/charts/README.txt says which values file the tests check the values against.
 */
export const OBSERVABILITY_CHART = { name: "coder-observability", repository: "https://helm.coder.com/observability", version: "0.7.5" } as const;
/** The namespace the chart's README installs into (its datasource URLs take the release's namespace). */
export const OBSERVABILITY_NAMESPACE = "coder-observability";
/** The Secret Grafana's admin is created from (the grafana chart's default keys: admin-user, admin-password). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";
/** The Secret postgres-exporter and sql-exporter read PGPASSWORD from (the chart's `global.postgres.mountSecret`). */
export const POSTGRES_SECRET = "coder-observability-postgres";

/**
 * The pod annotations the chart's collector scrapes by (its `discovery.relabel "pod_metrics"`
 * keeps pods annotated prometheus.io/scrape=true and dials prometheus.io/port at the pod's
 * IP): on coderd, the workspace proxies and the provisioners, whose metrics port is 2112.
 */
export const SCRAPE_ANNOTATIONS = { "prometheus.io/scrape": "true", "prometheus.io/port": String(CODER_PORTS.metrics) } as const;

type Values = Record<string, unknown>;

/**
 * The stack's Helm values of Coder's two charts with the scrape annotations added to the
 * pods of both (coderd or the proxy, and the provisioners). They go under the program's own
 * values like any stack value (components/k8s/values.ts mergeUnder): a stack that sets one of
 * them itself keeps its own.
 */
export function withScrapeAnnotations<T extends { coder?: Values; provisioner?: Values }>(helmValues: T): T {
    const annotate = (v: Values | undefined): Values => {
        const coder = (v?.coder ?? {}) as Values;
        const podAnnotations = (coder.podAnnotations ?? {}) as Values;
        return { ...v, coder: { ...coder, podAnnotations: { ...SCRAPE_ANNOTATIONS, ...podAnnotations } } };
    };
    return { ...helmValues, coder: annotate(helmValues.coder), provisioner: annotate(helmValues.provisioner) };
}

/** The database the primary's bundle scrapes (postgres-exporter, sql-exporter). */
export interface ObservedDatabase {
    hostname: pulumi.Input<string>;
    port: pulumi.Input<number>;
    username: pulumi.Input<string>;
    database: pulumi.Input<string>;
}

export interface ObservabilityValuesArgs {
    spec: ObservabilitySpec;
    /** the system pool */
    placement: Placement;
    /** Coder's namespaces in this cluster */
    namespaces: { coder: string; provisioners: string; workspaces: string };
    /** the primary region's database; absent in a proxy region (no database there) */
    database?: ObservedDatabase;
}

const k8sSize = (s: ComponentSize) => ({
    requests: { cpu: `${s.requests.cpuMillis}m`, memory: `${s.requests.memoryMiB}Mi` },
    limits: { cpu: `${s.limits.cpuMillis}m`, memory: `${s.limits.memoryMiB}Mi` },
});

/** Helm values of the coder-observability chart: pure, so the tests check every key against the chart's values file. */
export function observabilityValues(a: ObservabilityValuesArgs): Values {
    const o = a.spec;
    // The system pool is untainted (its placement has no tolerations); the selector keeps the
    // bundle off every other pool should one ever lose its taint.
    const placed = { nodeSelector: { ...a.placement.nodeSelector }, ...(a.placement.tolerations.length ? { tolerations: a.placement.tolerations } : {}) };
    const db = a.database;
    const postgresAlerts = { groups: { Basic: { enabled: !!db }, Notifications: { enabled: !!db }, Connections: { enabled: !!db } } };
    return {
        global: {
            coder: {
                controlPlaneNamespace: a.namespaces.coder,
                externalProvisionersNamespace: a.namespaces.provisioners,
                workspacesSelector: `namespace=\`${a.namespaces.workspaces}\``,
            },
            postgres: db
                ? {
                    hostname: db.hostname,
                    port: db.port,
                    username: db.username,
                    database: db.database,
                    // every cloud's database takes TLS only (Cloud SQL ENCRYPTED_ONLY, rds.force_ssl, require_secure_transport)
                    sslmode: "require",
                    mountSecret: POSTGRES_SECRET,
                    exporter: { enabled: true },
                    alerts: postgresAlerts,
                }
                // A proxy region has no database: nothing to export, no alert on an absent one.
                : { exporter: { enabled: false }, alerts: postgresAlerts },
        },
        sqlExporter: { enabled: !!db },
        grafana: {
            // Admin from our Secret, no anonymous admin (the chart's defaults give every
            // visitor the Admin role and create no admin).
            admin: { existingSecret: GRAFANA_ADMIN_SECRET },
            env: { GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION: false },
            "grafana.ini": { "auth.anonymous": { enabled: false } },
            resources: k8sSize(o.grafana),
            ...placed,
        },
        prometheus: {
            server: {
                retention: o.prometheus.retention,
                retentionSize: `${o.prometheus.retentionSizeGB}GB`,
                persistentVolume: { size: `${o.prometheus.volumeGiB}Gi` },
                resources: k8sSize(o.prometheus.size),
                ...placed,
            },
            alertmanager: placed,
            "kube-state-metrics": placed,
            // node-exporter stays on every node: its chart tolerates every NoSchedule taint.
        },
        loki: {
            loki: {
                limits_config: { retention_period: o.loki.retention },
                // Loki 3 deletes by retention only through the compactor, which needs a store for delete requests.
                compactor: { retention_enabled: true, delete_request_store: "s3" },
            },
            minio: { persistence: { size: `${o.loki.storageGiB}Gi` }, ...placed },
            write: { resources: k8sSize(o.loki.write), ...placed },
            read: { resources: k8sSize(o.loki.read), ...placed },
            backend: { resources: k8sSize(o.loki.backend), ...placed },
            gateway: placed,
            chunksCache: placed,
            resultsCache: placed,
        },
        // The collector reads each node's pod logs: a DaemonSet on every node, tainted pools included.
        "grafana-agent": { controller: { tolerations: [{ operator: "Exists" }] } },
    };
}

export interface ObservabilityArgs {
    provider: Provider;
    spec: ObservabilitySpec;
    placement: Placement;
    namespaces: { coder: string; provisioners: string; workspaces: string };
    /** the primary's database URL (postgres://user:password@host:port/db?...; a secret); absent in a proxy region */
    databaseUrl?: pulumi.Output<string>;
}

const LABELS = { "app.kubernetes.io/part-of": "coder-observability", "app.kubernetes.io/managed-by": "pulumi" };

/** The bundle in one cluster: its namespace, Grafana's admin Secret, the database's password Secret (primary), the release. */
export class CoderObservability extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly release: Release;
    /** Grafana's admin password (secret) */
    public readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("coder-refarch:k8s:Observability", name, {}, opts);
        const k = { parent: this, provider: args.provider };
        const ns = new Namespace(`${name}-ns`, { metadata: { name: OBSERVABILITY_NAMESPACE, labels: LABELS } }, k);

        const password = new RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
        this.grafanaAdminPassword = pulumi.secret(password.result);
        const admin = new Secret(`${name}-grafana-admin`, {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: ns.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { "admin-user": GRAFANA_ADMIN_USER, "admin-password": this.grafanaAdminPassword },
        }, k);

        const url = args.databaseUrl?.apply((u) => new URL(u));
        const database: ObservedDatabase | undefined = url && {
            // the URL is a secret for its password; where the database is, is not
            hostname: pulumi.unsecret(url.apply((u) => u.hostname)),
            port: pulumi.unsecret(url.apply((u) => Number(u.port || 5432))),
            username: pulumi.unsecret(url.apply((u) => decodeURIComponent(u.username))),
            database: pulumi.unsecret(url.apply((u) => decodeURIComponent(u.pathname.replace(/^\//, "")))),
        };
        const pg = url && new Secret(`${name}-postgres`, {
            metadata: { name: POSTGRES_SECRET, namespace: ns.metadata.name, labels: LABELS },
            type: "Opaque",
            stringData: { PGPASSWORD: pulumi.secret(url.apply((u) => decodeURIComponent(u.password))) },
        }, k);

        this.release = new Release(`${name}-release`, {
            name: "coder-observability",
            chart: OBSERVABILITY_CHART.name,
            version: OBSERVABILITY_CHART.version,
            repositoryOpts: { repo: OBSERVABILITY_CHART.repository },
            namespace: ns.metadata.name,
            values: observabilityValues({ spec: args.spec, placement: args.placement, namespaces: args.namespaces, database }),
            // The bundle watches Coder; it must never stop Coder's own deploy: Pulumi does not wait
            // for its pods (a component that does not start shows in kubectl and in Grafana's
            // absence, not as a failed or rolled-back pulumi up of the whole stack).
            skipAwait: true,
            atomic: false,
            timeout: 1200,
            maxHistory: 10,
        }, { ...k, dependsOn: [admin, ...(pg ? [pg] : [])] });

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
