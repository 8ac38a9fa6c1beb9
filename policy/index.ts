/**
 * The coder-refarch policy pack: `pulumi preview --policy-pack policy` (or `pulumi up`) flags
 * a stack that breaks Coder's reference architecture. The policies and their enforcement
 * levels are in policies.ts, the rules in rules.ts (README, "Policy pack").
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("coder-refarch", {
    description: "Coder's reference architectures (1k/2k/3k/10k on GCP, AWS, Azure): database HA and protection, pools, machines, placement, secrets.",
    policies: POLICIES,
});
