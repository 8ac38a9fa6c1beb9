import * as pulumi from "@pulumi/pulumi";
import { Service as ProjectService } from "@pulumi/gcp/projects/service";

/** The Google APIs a deployment needs. */
export const REQUIRED_APIS = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "sqladmin.googleapis.com",
    "servicenetworking.googleapis.com",
    "iam.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    // cert-manager's workload identity exchanges tokens through IAM Credentials; its
    // DNS-01 challenges and the records of both hosts go through Cloud DNS
    "iamcredentials.googleapis.com",
    "dns.googleapis.com",
] as const;

/**
 * Enables the APIs; never disables them on destroy, because other workloads of the
 * project may use them.
 */
export function enableApis(name: string, parent: pulumi.Resource): ProjectService[] {
    return REQUIRED_APIS.map((api) => new ProjectService(`${name}-${api.split(".")[0]}`, {
        service: api,
        disableOnDestroy: false,
        disableDependentServices: false,
    }, { parent }));
}
