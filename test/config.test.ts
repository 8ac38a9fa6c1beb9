/** Stack config: one schema, every bad key named at once, nothing registered on error. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, SECRET_KEYS, configSchema, physicalPrefix } from "../config";
import { renderConfig } from "../preview/render";
import { readProject } from "../preview/stack-config";
import { rawConfig } from "./helpers";
import { run } from "../program";

/** Renders a config expected to fail; returns its problems and what got registered. */
async function failing(changes: Record<string, unknown>, stack = "gcp-3k") {
    const registered: string[] = [];
    try {
        await renderConfig(stack, rawConfig(stack, changes), [], registered);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { problems: e.problems, message: e.message, registered };
    }
    throw new Error("the config was accepted");
}

describe("bad configs fail with one message and register nothing", () => {
    it.each([
        ["unknown tier", { tier: "5k" }, /coder-refarch:tier: Invalid option: expected one of "1k"\|"2k"\|"3k"/],
        ["unknown cloud", { cloud: "oci" }, /coder-refarch:cloud: Invalid option/],
        ["azure with another cloud's region", { cloud: "azure", zones: ["1", "2", "3"] }, /coder-refarch:region: '[a-z0-9-]+' is not an azure region name \(e\.g\. eastus2\)/],
        ["missing access URL", { accessUrl: undefined }, /coder-refarch:accessUrl: missing/],
        ["http access URL", { accessUrl: "http://coder.example.com" }, /coder-refarch:accessUrl: must use https:\/\//],
        ["bad wildcard", { wildcardAccessUrl: "coder.example.com" }, /coder-refarch:wildcardAccessUrl: empty, or a wildcard host/],
        ["one zone", { zones: ["europe-west1-b"] }, /coder-refarch:zones: at least 2 zones/],
        ["zone outside the region", { zones: ["europe-west1-b", "us-east1-c", "europe-west1-d"] }, /coder-refarch:zones: us-east1-c not a zone of region europe-west1; zones of europe-west1 look like europe-west1-b/],
        ["repeated zone", { zones: ["europe-west1-b", "europe-west1-b"] }, /coder-refarch:zones: zones must not repeat/],
        ["unknown key (typo)", { replicas: 3 }, /coder-refarch:replicas: unknown key/],
        ["unknown sizing key", { sizing: { coderd: { replica: 3 } } }, /coder-refarch:sizing\.coderd\.replica: unknown key/],
        ["bad CPU quantity", { sizing: { coderd: { requests: { cpu: "two" } } } }, /coder-refarch:sizing\.coderd\.requests\.cpu: a CPU quantity/],
        ["bad memory quantity", { sizing: { provisioners: { limits: { memory: "1GB" } } } }, /coder-refarch:sizing\.provisioners\.limits\.memory: a memory quantity/],
        ["negative replicas", { sizing: { provisioners: { replicas: -1 } } }, /coder-refarch:sizing\.provisioners\.replicas: at least 0/],
        ["not JSON", { sizing: "{coderd:" }, /coder-refarch:sizing: not valid JSON/],
        ["bad boolean", { deletionProtection: "yes" }, /coder-refarch:deletionProtection: not valid true\/false/],
        ["old PostgreSQL", { databaseVersion: 12 }, /coder-refarch:databaseVersion: PostgreSQL 14 to 17 .*: e\.g\. 16/],
        ["bad chart version", { coderVersion: "latest" }, /coder-refarch:coderVersion: a Coder release/],
        ["bad CIDR", { podCidr: "10.0.0.0/33" }, /coder-refarch:podCidr: an IPv4 CIDR/],
        ["overlapping ranges", { serviceCidr: "10.16.0.0/20" }, /coder-refarch:podCidr: 10\.16\.0\.0\/14 overlaps coder-refarch:serviceCidr 10\.16\.0\.0\/20/],
        ["control plane range not a /28", { controlPlaneCidr: "172.16.0.0/24" }, /coder-refarch:controlPlaneCidr: must be a \/28/],
        ["Cloud SQL's range inside the pods'", { privateServicesCidr: "10.18.0.0/16" },
            /coder-refarch:podCidr: 10\.16\.0\.0\/14 overlaps coder-refarch:privateServicesCidr 10\.18\.0\.0\/16; the ranges must be disjoint/],
        ["Cloud SQL's range too small", { privateServicesCidr: "10.20.0.0/28" },
            /coder-refarch:privateServicesCidr: 10\.20\.0\.0\/28 is a \/28; private services access takes a \/16 to \/24/],
        ["a proxy region named primary", { proxyRegions: [proxy({ name: "primary" })] },
            /coder-refarch:proxyRegions\.0\.name: 'primary' is Coder's name for the primary region/],
        ["two proxy regions of one name", { proxyRegions: [proxy(), proxy({ accessUrl: "https://coder-eu2.example.com", wildcardAccessUrl: "*.coder-eu2.example.com" })] },
            /coder-refarch:proxyRegions\.1\.name: 'europe' is also proxyRegions\.0\.name/],
        ["a proxy region's zone elsewhere", { proxyRegions: [proxy({ zones: ["europe-west1-b", "us-east1-c"] })] },
            /coder-refarch:proxyRegions\.0\.zones: us-east1-c not a zone of region europe-west1/],
        ["a proxy on the primary's host", { proxyRegions: [proxy({ accessUrl: "https://coder.example.com" })] },
            /coder-refarch:proxyRegions\.0\.accessUrl: coder\.example\.com is also coder-refarch:accessUrl/],
        ["a proxy's wildcard the primary's", { proxyRegions: [proxy({ wildcardAccessUrl: "*.coder.example.com" })] },
            /coder-refarch:proxyRegions\.0\.wildcardAccessUrl: \*\.coder\.example\.com is also coder-refarch:wildcardAccessUrl/],
        ["a certificate of one region's hosts for every region", { proxyRegions: [proxy()], tlsCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" },
            /coder-refarch:tlsCertificate: with coder-refarch:proxyRegions \(europe\) every region serves its own hosts/],
        ["an internal load balancer with proxy regions", { proxyRegions: [proxy()], internalLoadBalancer: true },
            /coder-refarch:internalLoadBalancer: with coder-refarch:proxyRegions \(europe\) the proxies and their regions' provisioners dial coderd/],
        ["source ranges with proxy regions", { proxyRegions: [proxy()], loadBalancerSourceRanges: ["203.0.113.0/24"] },
            /coder-refarch:loadBalancerSourceRanges: with coder-refarch:proxyRegions \(europe\) coderd and the proxies must admit/],
        ["a staging ACME CA with proxy regions", { proxyRegions: [proxy()], acmeServer: "https://acme-staging-v02.api.letsencrypt.org/directory" },
            /coder-refarch:acmeServer: with coder-refarch:proxyRegions \(europe\) .*do not trust https:\/\/acme-staging/],
        ["a proxy region name with a dash", { proxyRegions: [proxy({ name: "eu-west" })] },
            /coder-refarch:proxyRegions\.0\.name: a short lowercase name/],
        ["same namespace twice", { namespaces: { coder: "coder", provisioners: "coder", workspaces: "ws" } }, /coder-refarch:namespaces: the three namespaces must differ/],
        ["no GCP project", { "gcp:project": undefined }, /gcp:project: missing/],
        ["a pool that cannot fit its pods", { sizing: { pools: { provisioners: { machineType: "n2-standard-4" } } } },
            /sizing\.pools\.provisioners: 30 provisioners pods a node/],
    ])("%s", async (_, changes, expected) => {
        const { message, registered } = await failing(changes);
        expect(message).toMatch(expected);
        expect(message).toMatch(/^invalid stack configuration/);
        expect(registered).toEqual([]);
    });

    it("names every bad key in one message", async () => {
        const { problems, registered } = await failing({ tier: "5k", accessUrl: "ftp://x", zones: ["a"], sizing: { nope: 1 } });
        expect(problems.map((p) => p.split(":")[1])).toEqual(expect.arrayContaining(["tier", "accessUrl", "zones", "sizing.nope"]));
        expect(registered).toEqual([]);
    });
});

/** A proxy region of the gcp-3k stack's cloud (its accessUrl is https://coder.example.com). */
function proxy(change: Record<string, unknown> = {}) {
    return {
        name: "europe", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"],
        accessUrl: "https://coder-europe.example.com", wildcardAccessUrl: "*.coder-europe.example.com", ...change,
    };
}

describe("the program's entry point (index.ts under the Pulumi CLI)", () => {
    /** Runs the program as index.ts does; records what it registers and what it reads from the cloud. */
    async function runWith(changes: Record<string, unknown>) {
        const registered: string[] = [];
        const reads: string[] = [];
        pulumi.runtime.setMocks({
            newResource: (a) => {
                registered.push(a.name);
                return { id: a.name, state: a.inputs };
            },
            call: (a) => {
                reads.push(a.token);
                return {};
            },
        }, "coder-refarch", "gcp-3k", false);
        pulumi.runtime.setAllConfig(rawConfig("gcp-3k", changes));
        return { result: run(), registered, reads };
    }

    it("turns a bad config into a RunError (no stack trace) before registering anything", async () => {
        const { result, registered, reads } = await runWith({ tier: "9k" });
        await expect(result).rejects.toThrow(pulumi.RunError);
        await expect(result).rejects.toThrow(/coder-refarch:tier/);
        expect(registered).toEqual([]);
        expect(reads).toEqual([]);
    });

    it("rejects a bad network config before reading the cloud or registering anything", async () => {
        const { result, registered, reads } = await runWith({ network: { network: "shared", vpcId: "vpc-0123456789abcdef0" } });
        await expect(result).rejects.toThrow(pulumi.RunError);
        await expect(result).rejects.toThrow(/coder-refarch:network\.vpcId: a key of an existing aws network/);
        expect(registered).toEqual([]);
        expect(reads).toEqual([]);
    });
});

describe("Pulumi.yaml declares exactly the schema's keys", () => {
    const project = readProject();
    const declared = project.config;
    const shape = configSchema.shape as Record<string, z.ZodType>;
    const pulumiType = (t: z.ZodType): string =>
        t instanceof z.ZodString || t instanceof z.ZodEnum ? "string"
            : t instanceof z.ZodNumber ? "integer"
                : t instanceof z.ZodBoolean ? "boolean"
                    : t instanceof z.ZodArray ? "array" : "object";

    const declarable = Object.keys(shape).filter((k) => !(SECRET_KEYS as readonly string[]).includes(k));

    it("same keys, less the secret ones (the CLI cannot take an optional secret key)", () => {
        expect(Object.keys(declared).sort()).toEqual(declarable.sort());
        for (const k of SECRET_KEYS) expect(declared[k], k).toBeUndefined();
    });

    it.each(declarable)("%s: same type, a description, and a default the schema accepts", (key) => {
        const decl = declared[key]!;
        expect(decl.type).toBe(pulumiType(shape[key]!));
        expect(decl.description?.length).toBeGreaterThan(10);
        if ("default" in decl) expect(shape[key]!.safeParse(decl.default).success, `${key} default`).toBe(true);
    });

    it("only the deployment-specific keys have no default", () => {
        const required = Object.entries(declared).filter(([, d]) => !("default" in d)).map(([k]) => k).sort();
        expect(required).toEqual(["accessUrl", "region", "zones"]);
    });
});

describe("names", () => {
    it("derive physical names from the stack, not the tier", () => {
        expect(physicalPrefix("gcp-3k")).toBe("coder-gcp-3k");
        expect(physicalPrefix("Staging_GCP.3k")).toBe("coder-staging-gcp-3k");
        expect(physicalPrefix("a-very-long-stack-name-for-a-staging-copy").length).toBeLessThanOrEqual(30);
    });
});
