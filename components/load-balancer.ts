/**
 * Annotations of coderd's LoadBalancer Service that every cloud shares. Each cloud layer
 * names its own knobs (which load balancer, internal or not) and merges them here, so the
 * Kubernetes layer receives one map through ClusterHandle.loadBalancerAnnotations.
 */

/**
 * Client ranges a load balancer admits, comma-separated. Kubernetes' service helper
 * (k8s.io/cloud-provider service/helpers GetLoadBalancerSourceRanges) reads it when
 * spec.loadBalancerSourceRanges is empty; GKE turns it into the load balancer's firewall
 * rule, EKS's in-tree provider into the nodes' security-group rules for client traffic.
 * Coder's chart has no value for the spec field, so the annotation carries the ranges.
 */
export const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

/** The stack settings the load balancer follows. */
export interface LoadBalancerSettings {
    /** a private address of the network instead of a public one */
    internalLoadBalancer: boolean;
    /** client CIDRs the load balancer admits; empty = any */
    loadBalancerSourceRanges: readonly string[];
}

/** One cloud's annotations: always, and in addition for an internal or an external load balancer. */
export interface CloudLoadBalancerAnnotations {
    always: Readonly<Record<string, string>>;
    internal: Readonly<Record<string, string>>;
    /** only on a load balancer with a public address (e.g. GKE's backend-service-based external NLB) */
    external?: Readonly<Record<string, string>>;
    /** only with source ranges: what makes the cloud refuse every other client */
    withSourceRanges?: Readonly<Record<string, string>>;
}

/** The coderd Service's annotations for these settings on one cloud. */
export function loadBalancerAnnotations(s: LoadBalancerSettings, cloud: CloudLoadBalancerAnnotations): Record<string, string> {
    return {
        ...cloud.always,
        ...(s.internalLoadBalancer ? cloud.internal : cloud.external ?? {}),
        ...(s.loadBalancerSourceRanges.length > 0 ? { [SOURCE_RANGES_ANNOTATION]: s.loadBalancerSourceRanges.join(","), ...cloud.withSourceRanges } : {}),
    };
}
