import * as pulumi from "@pulumi/pulumi";
import { StorageClass } from "@pulumi/kubernetes/storage/v1/storageClass";

/** The StorageClass of workspace volumes, the same name on every cloud. */
export const WORKSPACE_STORAGE_CLASS = "coder-workspaces";

/**
 * Workspace volumes: the cloud's CSI driver and disk type, everything else alike. The
 * cluster's default class, so templates' volume claims need no class name (the managed
 * services' own defaults are older, and Kubernetes takes the newest default); created in
 * the zone the pod is scheduled to (WaitForFirstConsumer), growable, deleted with the claim.
 */
export function workspaceStorageClass(
    id: string, disk: { provisioner: string; parameters: Record<string, string> }, opts: pulumi.CustomResourceOptions,
): StorageClass {
    return new StorageClass(id, {
        metadata: { name: WORKSPACE_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: disk.provisioner,
        parameters: disk.parameters,
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
    }, opts);
}
