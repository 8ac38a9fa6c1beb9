/** A kubeconfig for one cluster whose user authenticates with an exec credential plugin. */
export function execKubeconfig(a: {
    clusterName: string;
    server: string;
    /** the cluster CA's certificate (base64); absent where the server's certificate is from a public CA */
    caData?: string;
    /** the `exec` block of the user: command, args, and the plugin's options */
    exec: {
        command: string; args?: string[]; installHint?: string; provideClusterInfo?: boolean; interactiveMode?: "Never";
        /** variables the plugin gets besides the caller's environment */
        env?: { name: string; value: string }[];
    };
}): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: a.clusterName, cluster: { server: a.server, ...(a.caData ? { "certificate-authority-data": a.caData } : {}) } }],
        contexts: [{ name: a.clusterName, context: { cluster: a.clusterName, user: a.clusterName } }],
        "current-context": a.clusterName,
        users: [{ name: a.clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", ...a.exec } } }],
    });
}
