/**
 * Helm values of Coder's charts, as pure functions: the only place that knows the
 * charts' value keys (tests check every key against the charts' values files).
 */
import { k8sResources } from "../../sizing";
import { PlacedWorkload } from "./types";

/** Chart and release names; selectors below follow the charts' own labels. */
export const CODER_CHART = "coder";
export const PROVISIONER_CHART = "coder-provisioner";
export const CODER_RELEASE = "coder";
export const PROVISIONER_RELEASE = "coder-provisioner";
export const PSK_SECRET = "coder-provisioner-psk";
export const DB_URL_SECRET = "coder-db-url";
export const PROVISIONER_SERVICE_ACCOUNT = "coder-provisioner";
export const TLS_SECRET = "coder-tls";
/** Container ports of Coder's charts: http always, https with TLS, prometheus-http with CODER_PROMETHEUS_ENABLE. */
export const CODER_PORTS = { http: 8080, https: 8443, metrics: 2112 } as const;

/** The labels the charts put on their pods (libcoder `coder.selectorLabels`). */
export const coderSelector = { "app.kubernetes.io/name": CODER_CHART, "app.kubernetes.io/instance": CODER_RELEASE };
export const provisionerSelector = { "app.kubernetes.io/name": PROVISIONER_CHART, "app.kubernetes.io/instance": PROVISIONER_RELEASE };

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

export interface CoderValuesArgs {
    coderd: PlacedWorkload;
    accessUrl: string;
    wildcardAccessUrl: string;
    /** CODER_PG_CONN_MAX_OPEN: the database's max_connections is sized from it */
    maxOpenConnections: number;
    loadBalancerAnnotations: Record<string, string>;
    /** TLS Secrets coderd serves HTTPS with (port 443 on the Service) */
    tlsSecretNames: string[];
}

export function coderValues(a: CoderValuesArgs) {
    const env: EnvVar[] = [
        { name: "CODER_ACCESS_URL", value: a.accessUrl },
        ...(a.wildcardAccessUrl ? [{ name: "CODER_WILDCARD_ACCESS_URL", value: a.wildcardAccessUrl }] : []),
        { name: "CODER_PG_CONNECTION_URL", valueFrom: { secretKeyRef: { name: DB_URL_SECRET, key: "url" } } },
        { name: "CODER_PG_CONN_MAX_OPEN", value: String(a.maxOpenConnections) },
        // External provisioners do every build; none run inside coderd.
        { name: "CODER_PROVISIONER_DAEMONS", value: "0" },
        // The chart opens the prometheus-http port only for the literal value "true".
        { name: "CODER_PROMETHEUS_ENABLE", value: "true" },
        { name: "CODER_PROMETHEUS_COLLECT_AGENT_STATS", value: "true" },
        { name: "CODER_PROMETHEUS_COLLECT_DB_METRICS", value: "true" },
    ];
    return {
        coder: {
            replicaCount: a.coderd.replicas,
            env,
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
            },
            tls: { secretNames: a.tlsSecretNames },
            // coderd builds nothing itself, so it needs no rights over workspaces.
            serviceAccount: { workspacePerms: false, enableDeployments: false },
        },
        provisionerDaemon: { pskSecretName: PSK_SECRET },
    };
}

export interface ProvisionerValuesArgs {
    provisioners: PlacedWorkload;
    /** in-cluster URL of coderd */
    coderUrl: string;
}

export function provisionerValues(a: ProvisionerValuesArgs) {
    return {
        coder: {
            replicaCount: a.provisioners.replicas,
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
            pskSecretName: PSK_SECRET,
            // A build in flight may finish before the pod goes.
            terminationGracePeriodSeconds: 600,
        },
    };
}
