// coder-refarch: Coder's reference architecture for this stack's tier and cloud.
// Read and validate config (an existing network is read from the cloud, so loading is
// asynchronous), build one deployment, return its outputs (see program.ts). The Pulumi
// Node.js runtime awaits an exported function and takes its result as the stack outputs.
import { run } from "./program";

export = async () => {
    const out = await run();
    return {
        tier: out.tier,
        cloud: out.cloud,
        accessUrl: out.accessUrl,
        clusterName: out.clusterName,
        databaseInstance: out.databaseInstance,
        kubeconfig: out.kubeconfig,
        coderNamespace: out.coderNamespace,
        provisionerNamespace: out.provisionerNamespace,
        workspaceNamespace: out.workspaceNamespace,
        workspacePlacement: out.workspacePlacement,
        workspaceStorageClass: out.workspaceStorageClass,
        pools: out.pools,
        loadBalancerAddress: out.loadBalancerAddress,
        networkName: out.networkName,
        adminPassword: out.adminPassword,
        proxyRegions: out.proxyRegions,
    };
};
