/**
 * Helm values of Coder's charts, as pure functions: the only place that knows the
 * charts' value keys (tests check every key against the charts' values files), and how
 * a stack's own values (coder-refarch:helmValues) merge under them.
 */
import * as pulumi from "@pulumi/pulumi";
import { k8sResources } from "../../sizing";
import { PlacedWorkload } from "./types";

/** Chart and release names; selectors below follow the charts' own labels. */
export const CODER_CHART = "coder";
export const PROVISIONER_CHART = "coder-provisioner";
export const CODER_RELEASE = "coder";
export const PROVISIONER_RELEASE = "coder-provisioner";
export const PSK_SECRET = "coder-provisioner-psk";
/** The Opaque Secret of a provisioner key (`coder provisioner keys create`), in the provisioners' namespace. */
export const PROVISIONER_KEY_SECRET = "coder-provisioner-key";
/** Its data key: the chart's default `provisionerDaemon.keySecretKey`. */
export const PROVISIONER_KEY_SECRET_KEY = "key";
export const DB_URL_SECRET = "coder-db-url";
export const PROVISIONER_SERVICE_ACCOUNT = "coder-provisioner";
export const TLS_SECRET = "coder-tls";
/** Container ports of Coder's charts: http always, https with TLS, prometheus-http with CODER_PROMETHEUS_ENABLE. */
export const CODER_PORTS = { http: 8080, https: 8443, metrics: 2112 } as const;
/**
 * The name both charts give the metrics port (helm/coder/templates/_coder.tpl and
 * helm/provisioner/templates/_coder.tpl: `- name: "prometheus-http" containerPort: 2112`).
 */
export const METRICS_PORT_NAME = "prometheus-http";

/** How the provisioners authenticate to coderd: the pre-shared key, or a provisioner key in PROVISIONER_KEY_SECRET. */
export type ProvisionerAuthKind = "psk" | "key";

/**
 * Pod annotations that hold a digest of what the pods read from Secrets at start: a
 * changed Secret changes the pod template, and the Deployment rolls. Values come from
 * the caller: components/k8s/coder.ts computes keyed digests at deploy time.
 */
export const DIGEST_ANNOTATIONS = {
    tls: "coder-refarch/tls-digest",
    databaseUrl: "coder-refarch/database-url-digest",
    provisionerPsk: "coder-refarch/provisioner-psk-digest",
    provisionerKey: "coder-refarch/provisioner-key-digest",
    secretEnv: "coder-refarch/secret-env-digest",
    license: "coder-refarch/license-digest",
} as const;
export type DigestName = keyof typeof DIGEST_ANNOTATIONS;

/** The annotations of the digests given, in a fixed order; absent ones are left out. */
export function digestAnnotations<T>(digests: Partial<Record<DigestName, T>>): Record<string, T> {
    return Object.fromEntries((Object.keys(DIGEST_ANNOTATIONS) as DigestName[])
        .flatMap((d) => (digests[d] === undefined ? [] : [[DIGEST_ANNOTATIONS[d], digests[d]!] as const])));
}

/** The labels the charts put on their pods (libcoder `coder.selectorLabels`). */
export const coderSelector = { "app.kubernetes.io/name": CODER_CHART, "app.kubernetes.io/instance": CODER_RELEASE };
export const provisionerSelector = { "app.kubernetes.io/name": PROVISIONER_CHART, "app.kubernetes.io/instance": PROVISIONER_RELEASE };

/** An env entry of a pod spec: a value, or a key of a Secret. */
export type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** Helm values of one chart. */
export type Values = Record<string, unknown>;

/** The Opaque Secret that holds coderd's secret env (coder-refarch:coderSecretEnv), one key a variable. */
export const CODER_ENV_SECRET = "coder-env";

export interface CoderValuesArgs {
    coderd: PlacedWorkload;
    accessUrl: string;
    wildcardAccessUrl: string;
    /** CODER_PG_CONN_MAX_OPEN: the database's max_connections is sized from it */
    maxOpenConnections: number;
    loadBalancerAnnotations: Record<string, string>;
    /** a reserved address for the load balancer (coder.service.loadBalancerIP), where the cloud reserves one */
    loadBalancerIP?: pulumi.Input<string>;
    /** TLS Secrets coderd serves HTTPS with (port 443 on the Service) */
    tlsSecretNames: string[];
    /** further env values of coderd (name → value) */
    env?: Record<string, string>;
    /** names of coderd env taken from the Secret CODER_ENV_SECRET, each under its own key */
    secretEnvNames?: string[];
    /** agent stats aggregated by agent name alone (CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY), from 2k users up */
    aggregateAgentStats: boolean;
    /** coderd's pod annotations (digests of the Secrets it reads; see DIGEST_ANNOTATIONS) */
    podAnnotations?: Record<string, unknown>;
}

/**
 * What makes the program set an env var of coderd. Config errors name the setting behind
 * each (components/k8s/settings.ts), so a user who tries to set one learns where it comes from.
 */
export type EnvSource =
    | "accessUrl" | "wildcardAccessUrl" | "database" | "maxOpenConnections" | "provisioners" | "metrics"
    | "provisionerPsk" | "tls" | "chartNetworking" | "agentStats";

interface ProgramEnv {
    name: string;
    source: EnvSource;
    /** the entry's value for these args; undefined when the program leaves it unset */
    set(a: CoderValuesArgs): Omit<EnvVar, "name"> | undefined;
}

/** coderd's env as the program sets it: the one list coderValues builds `coder.env` from. */
const CODERD_ENV: readonly ProgramEnv[] = [
    { name: "CODER_ACCESS_URL", source: "accessUrl", set: (a) => ({ value: a.accessUrl }) },
    { name: "CODER_WILDCARD_ACCESS_URL", source: "wildcardAccessUrl", set: (a) => (a.wildcardAccessUrl ? { value: a.wildcardAccessUrl } : undefined) },
    { name: "CODER_PG_CONNECTION_URL", source: "database", set: () => ({ valueFrom: { secretKeyRef: { name: DB_URL_SECRET, key: "url" } } }) },
    { name: "CODER_PG_CONN_MAX_OPEN", source: "maxOpenConnections", set: (a) => ({ value: String(a.maxOpenConnections) }) },
    // External provisioners do every build; none run inside coderd.
    { name: "CODER_PROVISIONER_DAEMONS", source: "provisioners", set: () => ({ value: "0" }) },
    // The chart opens the prometheus-http port only for the literal value "true".
    { name: "CODER_PROMETHEUS_ENABLE", source: "metrics", set: () => ({ value: "true" }) },
    { name: "CODER_PROMETHEUS_COLLECT_AGENT_STATS", source: "metrics", set: () => ({ value: "true" }) },
    { name: "CODER_PROMETHEUS_COLLECT_DB_METRICS", source: "metrics", set: () => ({ value: "true" }) },
    // One series per agent name instead of per workspace, user and template: "For a high
    // scale deployment, configure agent stats to avoid large cardinality"
    // (coder/coder docs/tutorials/best-practices/scale-coder.md). Unset: Coder's default labels.
    {
        name: "CODER_PROMETHEUS_AGGREGATE_AGENT_STATS_BY", source: "agentStats",
        set: (a) => (a.aggregateAgentStats ? { value: "agent_name" } : undefined),
    },
];

/**
 * Env the coder chart adds before `coder.env` (helm/coder/templates/_coder.tpl) from the
 * values above: a second entry of the same name would silently replace it.
 */
const CHART_ENV: readonly { name: string; source: EnvSource }[] = [
    // the ports the Service and the network policies expect
    { name: "CODER_HTTP_ADDRESS", source: "chartNetworking" },
    { name: "CODER_PROMETHEUS_ADDRESS", source: "chartNetworking" },
    // the replicas' mesh over pod IPs
    { name: "KUBE_POD_IP", source: "chartNetworking" },
    { name: "CODER_DERP_SERVER_RELAY_URL", source: "chartNetworking" },
    { name: "CODER_CLUSTER_HOST", source: "chartNetworking" },
    // from provisionerDaemon.pskSecretName
    { name: "CODER_PROVISIONER_DAEMON_PSK", source: "provisionerPsk" },
    // from coder.tls.secretNames
    { name: "CODER_TLS_ENABLE", source: "tls" },
    { name: "CODER_TLS_ADDRESS", source: "tls" },
    { name: "CODER_TLS_CERT_FILE", source: "tls" },
    { name: "CODER_TLS_KEY_FILE", source: "tls" },
];

/** Every coderd env var the program or the chart sets, whatever the args: none may come from the user. */
export function coderdEnvOwners(): { name: string; setBy: "program" | "chart"; source: EnvSource }[] {
    return [
        ...CODERD_ENV.map((e) => ({ name: e.name, setBy: "program" as const, source: e.source })),
        ...CHART_ENV.map((e) => ({ ...e, setBy: "chart" as const })),
    ];
}

/** coderd's env: the program's own, then the user's values, then the user's secrets by reference. */
function coderdEnv(a: CoderValuesArgs): EnvVar[] {
    const own = CODERD_ENV.flatMap((e) => {
        const v = e.set(a);
        return v ? [{ name: e.name, ...v } as EnvVar] : [];
    });
    const env = a.env ?? {};
    // Sorted, so that the order of keys in the stack file changes nothing.
    return [
        ...own,
        ...Object.keys(env).sort().map((name) => ({ name, value: env[name]! })),
        ...[...(a.secretEnvNames ?? [])].sort().map((name) => ({ name, valueFrom: { secretKeyRef: { name: CODER_ENV_SECRET, key: name } } })),
    ];
}

/** The TLS Secrets coderd serves: the one stored from a certificate in config, then those named. */
export function tlsSecretNamesOf(hasCertificate: boolean, named: string[]): string[] {
    return [...(hasCertificate ? [TLS_SECRET] : []), ...named];
}

/** coderd's in-cluster URL, which the provisioners dial. */
export const coderServiceUrl = (coderNamespace: string): string => `http://${CODER_RELEASE}.${coderNamespace}.svc.cluster.local`;

/**
 * Pods cluster-autoscaler never evicts to remove a node ("What types of pods can prevent CA
 * from removing a node?": a pod annotated safe-to-evict "false"; kubernetes/autoscaler
 * cluster-autoscaler/FAQ.md). coderd: Coder's control plane pool "must be static, to prevent
 * scale down events from dropping pods" (validated-architectures); an autoscaled coderd pool
 * may then only lose an empty node (the rollout's surge node). Provisioners: an evicted one
 * fails the build it runs. Workspaces: templates add it (the workspacePlacement output).
 */
export const NOT_EVICTABLE = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" } as const;

/** `coder.podAnnotations`: never evicted by scale-down, plus the pods' own. */
const podAnnotationsOf = (annotations: Record<string, unknown> | undefined) => ({ podAnnotations: { ...NOT_EVICTABLE, ...annotations } });

export function coderValues(a: CoderValuesArgs) {
    return {
        coder: {
            replicaCount: a.coderd.replicas,
            ...podAnnotationsOf(a.podAnnotations),
            env: coderdEnv(a),
            resources: k8sResources(a.coderd),
            nodeSelector: a.coderd.placement.nodeSelector,
            tolerations: a.coderd.placement.tolerations,
            affinity: {
                // One coderd a node: losing a node costs one replica.
                podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { labelSelector: { matchLabels: coderSelector }, topologyKey: "kubernetes.io/hostname" },
                    ],
                },
            },
            topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: coderSelector } },
            ],
            service: {
                type: "LoadBalancer",
                // Keep client source addresses (audit logs, rate limits).
                externalTrafficPolicy: "Local",
                sessionAffinity: "None",
                annotations: a.loadBalancerAnnotations,
                // the chart's own advice: "manually create a static IP address ... and specify it here in production"
                ...(a.loadBalancerIP !== undefined ? { loadBalancerIP: a.loadBalancerIP } : {}),
            },
            tls: { secretNames: a.tlsSecretNames },
            // coderd builds nothing itself, so it needs no rights over workspaces.
            serviceAccount: { workspacePerms: false, enableDeployments: false },
        },
        // coderd accepts PSK provisioners only while it has a PSK (helm/coder/templates/_coder.tpl
        // sets CODER_PROVISIONER_DAEMON_PSK from this Secret); provisioner keys need none.
        provisionerDaemon: { pskSecretName: PSK_SECRET },
    };
}

export interface ProvisionerValuesArgs {
    /** replicas may be 0: no provisioner runs (e.g. until coderd is licensed) */
    provisioners: PlacedWorkload;
    /** in-cluster URL of coderd */
    coderUrl: string;
    auth: ProvisionerAuthKind;
    /** the provisioners' pod annotations (digests and restart tokens; see DIGEST_ANNOTATIONS) */
    podAnnotations?: Record<string, unknown>;
}

/**
 * The chart's credential values (helm/provisioner/templates/_coder.tpl): with a key Secret
 * and key, CODER_PROVISIONER_DAEMON_KEY comes from it, and a pskSecretName other than the
 * chart's default "coder-provisioner-psk" beside it fails the render; otherwise
 * CODER_PROVISIONER_DAEMON_PSK comes from pskSecretName. Both are always set, so a stack's
 * helmValues cannot add the other credential unnoticed (a conflict, refused by the config checks).
 */
function provisionerCredentials(auth: ProvisionerAuthKind) {
    return auth === "key"
        // "" rather than the default name: no PSK reaches the provisioners at all.
        ? { pskSecretName: "", keySecretName: PROVISIONER_KEY_SECRET, keySecretKey: PROVISIONER_KEY_SECRET_KEY }
        : { pskSecretName: PSK_SECRET, keySecretName: "" };
}

export function provisionerValues(a: ProvisionerValuesArgs) {
    return {
        coder: {
            replicaCount: a.provisioners.replicas,
            ...podAnnotationsOf(a.podAnnotations),
            env: [
                { name: "CODER_URL", value: a.coderUrl },
                { name: "CODER_PROMETHEUS_ENABLE", value: "true" },
            ],
            resources: k8sResources(a.provisioners),
            nodeSelector: a.provisioners.placement.nodeSelector,
            // The chart's default is a map; a list is what the pod spec takes.
            tolerations: a.provisioners.placement.tolerations,
            affinity: {
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [{
                        weight: 100,
                        podAffinityTerm: { labelSelector: { matchLabels: provisionerSelector }, topologyKey: "topology.kubernetes.io/zone" },
                    }],
                },
            },
            // Rights over workspaces are granted in the workspaces namespace only (see WorkspaceNamespace).
            serviceAccount: { workspacePerms: false, enableDeployments: false, name: PROVISIONER_SERVICE_ACCOUNT },
        },
        provisionerDaemon: {
            ...provisionerCredentials(a.auth),
            // A build in flight may finish before the pod goes.
            terminationGracePeriodSeconds: 600,
        },
    };
}

/** Everything the values of both releases depend on. */
export interface ReleaseValuesArgs extends CoderValuesArgs {
    provisioners: PlacedWorkload;
    /** the namespace of coderd's Service, which the provisioners dial */
    coderNamespace: string;
    provisionerAuth: ProvisionerAuthKind;
    provisionerPodAnnotations?: Record<string, unknown>;
}

/** The program's values of both releases; config checks and the releases use this one function. */
export function releaseValues(a: ReleaseValuesArgs): { coder: Values; provisioner: Values } {
    return {
        coder: coderValues(a),
        provisioner: provisionerValues({
            provisioners: a.provisioners,
            coderUrl: coderServiceUrl(a.coderNamespace),
            auth: a.provisionerAuth,
            podAnnotations: a.provisionerPodAnnotations,
        }),
    };
}

/** A place where a stack's Helm values and the program's differ: its path in the chart's values, and the program's value. */
export interface ValueConflict {
    path: string[];
    ours: unknown;
}

/**
 * Maps the program sets as a whole, where other maps merge key by key: a node selector is
 * one condition, and a label added to it would take the pods off their pool.
 */
const SET_WHOLE = new Set(["coder.nodeSelector"]);

export const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** Structural equality of plain (JSON) values. */
export function sameValue(a: unknown, b: unknown): boolean {
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    }
    if (isMap(a) && isMap(b)) {
        const keys = Object.keys(a);
        return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
    }
    return a === b;
}

/**
 * A stack's values merged under the program's: maps merge key by key; lists, scalars and
 * null are leaves, and where both set a leaf the program's stands. Every leaf where the two
 * differ, or where a map meets something else, is a conflict; equal values are none.
 */
export function mergeUnder(ours: Values, theirs: Values = {}, at: string[] = []): { values: Values; conflicts: ValueConflict[] } {
    const merged = new Map(Object.entries(ours));
    const conflicts: ValueConflict[] = [];
    for (const [key, their] of Object.entries(theirs)) {
        const path = [...at, key];
        const our = merged.get(key);
        if (our === undefined) {
            merged.set(key, their);
        } else if (isMap(our) && isMap(their) && !SET_WHOLE.has(path.join("."))) {
            const sub = mergeUnder(our, their, path);
            merged.set(key, sub.values);
            conflicts.push(...sub.conflicts);
        } else if (!sameValue(our, their)) {
            conflicts.push({ path, ours: our });
        }
    }
    // fromEntries defines own properties: a key such as "__proto__" stays a plain key.
    return { values: Object.fromEntries(merged), conflicts };
}
