// coder-refarch: Coder's reference architecture for this stack's tier and cloud.
// Read and validate config, build one deployment, export its outputs (see program.ts).
import { run } from "./program";

const out = run();

export const tier = out.tier;
export const cloud = out.cloud;
export const accessUrl = out.accessUrl;
export const clusterName = out.clusterName;
export const databaseInstance = out.databaseInstance;
export const kubeconfig = out.kubeconfig;
export const coderNamespace = out.coderNamespace;
export const provisionerNamespace = out.provisionerNamespace;
export const workspaceNamespace = out.workspaceNamespace;
export const workspacePlacement = out.workspacePlacement;
export const workspaceStorageClass = out.workspaceStorageClass;
export const pools = out.pools;
