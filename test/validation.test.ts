/**
 * What the cloud or Coder would refuse, and questionable figures, caught before any
 * resource is registered: one table a class of bad input, each message checked for the
 * key it names and the fix it says.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config";
import { renderConfig } from "../preview/render";
import { rawConfig } from "./helpers";
import { loadPlan } from "../program";
import { cloudReader } from "../components/network-check";

const pem = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures/tls", name), "utf8");
const TLS_KEY = "coder-refarch:tlsPrivateKey";

/** Renders a config expected to fail: its problems, and what got registered (nothing, or the test fails). */
async function failing(stack: string, changes: Record<string, unknown>, secretKeys: string[] = []) {
    const registered: string[] = [];
    try {
        await renderConfig(stack, rawConfig(stack, changes), secretKeys, registered);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        expect(registered).toEqual([]);
        return e;
    }
    throw new Error(`the config was accepted: ${JSON.stringify(changes)}`);
}

type Case = [string, string, Record<string, unknown>, RegExp, string[]?];

/** Each case: stack, changes, the message (key, what is wrong, the fix), and the keys given as secrets. */
function table(cases: Case[]) {
    it.each(cases)("%s", async (_, stack, changes, expected, secretKeys) => {
        const e = await failing(stack, changes, secretKeys ?? []);
        expect(e.message).toMatch(expected);
    });
}

describe("address space", () => {
    table([
        ["host bits set", "gcp-3k", { nodeCidr: "10.10.1.0/20" },
            /coder-refarch:nodeCidr: 10\.10\.1\.0\/20 has host bits set: the range is 10\.10\.0\.0\/20; write that/],
        ["host bits in an authorized network", "gcp-3k", { apiAuthorizedNetworks: ["203.0.113.7/24"] },
            /coder-refarch:apiAuthorizedNetworks\.0: 203\.0\.113\.7\/24 has host bits set: the range is 203\.0\.113\.0\/24/],
        ["a loopback pod range", "gcp-3k", { podCidr: "127.0.0.0/14" },
            /coder-refarch:podCidr: 127\.0\.0\.0\/14 overlaps the reserved range 127\.0\.0\.0\/8; use a range in 10\.0\.0\.0\/8/],
        ["a node range too small for the pools at their maximum", "gcp-3k", { nodeCidr: "10.10.0.0/24" },
            // 3 system + 4 coderd + 8 provisioner + 256 workspace nodes at most (seed 001's counts), + each pool's upgrade
            // surge: a node in each of 3 zones for system, coderd and provisioners, 18 for workspaces (a fifth of 86 a zone)
            /coder-refarch:nodeCidr: 10\.10\.0\.0\/24 has 252 usable addresses; the pools at their maximum \(with upgrade surge\) need 298: use a \/23 or larger/],
        ["a pod range too small", "gcp-3k", { podCidr: "10.16.0.0/18" },
            /coder-refarch:podCidr: 10\.16\.0\.0\/18 has 16384 addresses; the pools at their maximum need \d+ .*: use a \/1\d or larger/],
        ["overlapping ranges", "gcp-3k", { serviceCidr: "10.10.0.0/24" },
            /coder-refarch:nodeCidr: 10\.10\.0\.0\/20 overlaps coder-refarch:serviceCidr 10\.10\.0\.0\/24; the ranges must be disjoint/],
        ["a service range EKS refuses (public)", "aws-3k", { serviceCidr: "100.64.0.0/16" },
            /coder-refarch:serviceCidr: EKS takes a Service range of \/12 to \/24 inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16 \(given 100\.64\.0\.0\/16\)/],
        ["a service range EKS refuses (too small)", "aws-3k", { serviceCidr: "172.20.0.0/26" },
            /coder-refarch:serviceCidr: EKS takes a Service range of \/12 to \/24/],
        ["an STS session as a cluster admin", "aws-3k", { clusterAdminArns: ["arn:aws:sts::123456789012:assumed-role/PlatformAdmins/alice"] },
            /coder-refarch:clusterAdminArns\.0: arn:aws:sts::123456789012:assumed-role\/PlatformAdmins\/alice is an STS session, which EKS access entries refuse; give the role: arn:aws:iam::123456789012:role\/PlatformAdmins/],
        ["a service range inside the VPC", "aws-3k", { serviceCidr: "10.0.0.0/20" },
            /coder-refarch:vpcCidr: 10\.0\.0\.0\/16 overlaps coder-refarch:serviceCidr 10\.0\.0\.0\/20/],
    ]);

    it("warns (does not refuse) a public range used privately", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { podCidr: "11.16.0.0/14" }));
        const { warnings } = await loadPlan(rawConfig("gcp-3k", { podCidr: "11.16.0.0/14" }), "gcp-3k", []);
        expect(r.resources.length).toBeGreaterThan(0);
        expect(warnings.join("\n")).toMatch(/coder-refarch:podCidr: 11\.16\.0\.0\/14 is a public range/);
    });
});

describe("numbers beyond what the service allows or below what the tier needs", () => {
    table([
        ["zero provisioners", "gcp-3k", { sizing: { provisioners: { replicas: 0 } } },
            /coder-refarch:sizing\.provisioners\.replicas: 0 provisioners build nothing \(coderd runs none itself\); the tier runs 240 \(seed 001\)/],
        ["zero coderd", "aws-1k", { sizing: { coderd: { replicas: 0 } } },
            /coder-refarch:sizing\.coderd\.replicas: at least 1 \(the tier runs 3, seed 003\)/],
        ["more nodes in a zone than a GKE pool allows", "gcp-3k", { sizing: { pools: { workspaces: { nodes: 3300 } } } },
            /coder-refarch:sizing\.pools\.workspaces\.nodes: 1100 nodes in one zone of a pool exceed GKE quotas: nodes per node pool zone 1,000/],
        ["storage above the service's maximum", "gcp-3k", { sizing: { database: { storageGb: 70000 } } },
            /coder-refarch:sizing\.database\.storageGb: 70000 is outside 10-65536 GB \(Cloud SQL/],
        ["storage below RDS's minimum", "aws-3k", { sizing: { database: { storageGb: 15 } } },
            /coder-refarch:sizing\.database\.storageGb: 15 is outside 20-59578 GB \(RDS/],
        ["max_connections above PostgreSQL's limit", "gcp-3k", { sizing: { database: { maxConnections: 300000 } } },
            /coder-refarch:sizing\.database\.maxConnections: 300000 is above PostgreSQL's limit of 262143/],
        // t2d-standard-8 leaves 7510m for pods (GKE's reservation and the DaemonSet allowance): 15 at 500m
        ["pods that do not fit, with the fix", "gcp-3k", { sizing: { provisioners: { requests: { cpu: "500m", memory: "1Gi" } } } },
            /coder-refarch:sizing\.pools\.provisioners: 30 provisioners pods a node \(seed 001\) do not fit on t2d-standard-8 at 500m \/ 1Gi .*: at most 15; set coder-refarch:sizing\.pools\.provisioners\.podsPerNode to 15 or a coder-refarch:sizing\.pools\.provisioners\.machineType with at least 16 vCPU/],
        ["a typo in a machine type", "aws-3k", { sizing: { pools: { coderd: { machineType: "m5.2xlarg" } } } },
            /coder-refarch:sizing\.pools\.coderd\.machineType: 'm5\.2xlarg' is not in the aws machine catalogue \(tiers\/machines\.ts\); did you mean m5\.2xlarge\?/],
        ["capacity without a machine type", "gcp-3k", { sizing: { pools: { coderd: { vcpu: 8 } } } },
            /coder-refarch:sizing\.pools\.coderd: vcpu and memoryGiB describe a machineType outside the catalogue; set coder-refarch:sizing\.pools\.coderd\.machineType too/],
    ]);

    it.each([
        ["a workspaces pool smaller than the tier's running workspaces", "gcp-3k", { sizing: { pools: { workspaces: { nodes: 30 } } } },
            /coder-refarch:sizing\.pools\.workspaces\.nodes: 30 nodes x 12 hold 360 running workspaces; the tier plans 3072 \(seed 001\)/],
        ["fewer provisioners than the tier", "aws-3k", { sizing: { provisioners: { replicas: 40 } } },
            /coder-refarch:sizing\.provisioners\.replicas: 40 provisioners run 40 builds at once; the tier plans 240 \(seed 001\)/],
        ["storage below the tier", "gcp-1k", { sizing: { database: { storageGb: 100 } } },
            /coder-refarch:sizing\.database\.storageGb: 100 GB is below the tier's 512 GB \(validated-architectures\.md\)/],
        ["more nodes in a group than EKS's default quota", "aws-3k", { sizing: { pools: { provisioners: { nodes: 500 } } } },
            /coder-refarch:sizing\.pools\.provisioners\.nodes: 500 nodes in one node group exceed EKS service quotas: nodes per managed node group 450; .*\(a default quota: ask for an increase first\)/],
        ["less than 2 GB a workspace", "gcp-2k", {},
            /coder-refarch:sizing\.pools\.workspaces: a full t2d-standard-8 node leaves each of its 16 workspaces \d+m \/ \d+Mi, below the 2 GB a workspace user needs \(seed 001\); set sizing\.pools\.workspaces\.podsPerNode to 14 or a larger machineType/],
    ])("warns: %s", async (_, stack, changes, expected) => {
        const { warnings } = await loadPlan(rawConfig(stack as string, changes as Record<string, unknown>), stack as string, []);
        expect(warnings.join("\n")).toMatch(expected as RegExp);
    });

    it.each([
        ["gcp-3k", [], false],
        ["gcp-3k", ["0.0.0.0/0"], true],
        ["gcp-3k", ["203.0.113.0/24"], false],
        ["aws-3k", [], true],
        ["aws-3k", ["203.0.113.0/24"], false],
    ])("%s with apiAuthorizedNetworks %j: an API endpoint open to any source is said (%s)", async (stack, nets, open) => {
        const { warnings } = await loadPlan(rawConfig(stack, { apiAuthorizedNetworks: nets }), stack, [], cloudReader(() => false));
        expect(warnings.some((w) => /the Kubernetes API endpoint accepts any source address/.test(w))).toBe(open);
    });

    it("accepts a machine type outside the catalogue with its capacity", async () => {
        const r = await renderConfig("aws-3k", rawConfig("aws-3k", {
            sizing: { pools: { workspaces: { machineType: "m9x.2xlarge", vcpu: 8, memoryGiB: 32 } } },
        }));
        expect(r.plan.pools.workspaces.machine).toMatchObject({ name: "m9x.2xlarge", vcpu: 8, memoryGiB: 32 });
        expect(r.plan.pools.workspaces.sources.machine).toBe("override");
    });

    it("gives a type outside the catalogue the architecture and boot disk its name says", async () => {
        const arm = await renderConfig("aws-3k", rawConfig("aws-3k", {
            sizing: { pools: { provisioners: { machineType: "c7gn.4xlarge", vcpu: 16, memoryGiB: 32 } } },
        }));
        const group = arm.resources.find((x) => x.type === "aws:eks/nodeGroup:NodeGroup" && x.name.endsWith("-provisioners"))!;
        expect(group.inputs.amiType).toBe("AL2023_ARM_64_STANDARD");
        const c4 = await renderConfig("gcp-3k", rawConfig("gcp-3k", {
            sizing: { pools: { workspaces: { machineType: "c4-highmem-8", vcpu: 8, memoryGiB: 62 } } },
        }));
        const pool = c4.resources.find((x) => x.type === "gcp:container/nodePool:NodePool" && x.name.endsWith("-workspaces"))!;
        expect((pool.inputs.nodeConfig as Record<string, unknown>).diskType).toBe("hyperdisk-balanced");
    });

    it("hints only at a type of the same size", async () => {
        const e = await failing("aws-3k", { sizing: { pools: { provisioners: { machineType: "c5.10xlarge" } } } });
        expect(e.message).toMatch(/'c5\.10xlarge' is not in the aws machine catalogue \(tiers\/machines\.ts\); check the name, or give its capacity/);
        const c5 = await renderConfig("aws-3k", rawConfig("aws-3k", { sizing: { pools: { provisioners: { machineType: "c5.9xlarge" } } } }));
        expect(c5.plan.pools.provisioners.machine).toMatchObject({ vcpu: 36, memoryGiB: 72 });
    });

    it("knows current families of each cloud (a reserved-instance family is not refused)", async () => {
        for (const [stack, machineType] of [["gcp-3k", "c4d-standard-16"], ["gcp-3k", "n2d-standard-8"], ["aws-3k", "m7i.2xlarge"], ["aws-3k", "m6a.4xlarge"]] as const) {
            const r = await renderConfig(stack, rawConfig(stack, { sizing: { pools: { workspaces: { machineType } } } }));
            expect(r.plan.pools.workspaces.machine.name).toBe(machineType);
        }
    });
});

describe("names", () => {
    table([
        ["a GCP zone of another region", "gcp-3k", { zones: ["europe-west1-b", "europe-west4-a"] },
            /coder-refarch:zones: europe-west4-a not a zone of region europe-west1; zones of europe-west1 look like europe-west1-b/],
        ["AWS zone IDs instead of names", "aws-3k", { zones: ["use1-az1", "use1-az2"] },
            /coder-refarch:zones: use1-az1, use1-az2 not zones of region us-east-1 \(use1-az1, use1-az2: zone IDs; EKS takes zone names\)/],
        ["an AWS region on a GCP stack", "gcp-3k", { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b"] },
            /coder-refarch:region: 'eu-west-1' is not a gcp region name \(e\.g\. us-east1\)/],
        ["a GCP region on an AWS stack", "aws-3k", { region: "us-east1", "aws:region": "us-east1", zones: ["us-east1-b", "us-east1-c"] },
            /coder-refarch:region: 'us-east1' is not an aws region name \(e\.g\. us-east-1\); did you mean us-east-1\?/],
        ["a reserved namespace", "gcp-3k", { namespaces: { coder: "kube-system", provisioners: "coder-provisioners", workspaces: "coder-workspaces" } },
            /coder-refarch:namespaces\.coder: 'kube-system' is reserved for Kubernetes or the cloud's add-ons; choose another, e\.g\. coder-coder/],
        ["a managed add-on's namespace", "aws-3k", { namespaces: { coder: "coder", provisioners: "amazon-cloudwatch", workspaces: "coder-workspaces" } },
            /coder-refarch:namespaces\.provisioners: 'amazon-cloudwatch' is reserved/],
        ["an access URL with a path", "gcp-3k", { accessUrl: "https://coder.example.com/coder" },
            /coder-refarch:accessUrl: https:\/\/coder\.example\.com\/coder has a path, query or credentials; Coder serves at the root of a host: use https:\/\/coder\.example\.com/],
        ["a wildcard access URL", "gcp-3k", { accessUrl: "https://*.coder.example.com" },
            /coder-refarch:accessUrl: .* is a wildcard; set the wildcard in coder-refarch:wildcardAccessUrl/],
        ["a config namespace one typo from ours", "gcp-3k", { "coder-refach:tier": "3k" },
            /coder-refach:tier: 'coder-refach' is not this project's namespace; write coder-refarch:tier/],
        ["an unknown key close to a known one", "gcp-3k", { acessUrl: "https://x.example.com" },
            /coder-refarch:acessUrl: unknown key; did you mean coder-refarch:accessUrl\?/],
    ]);

    it("warns about the keys of another cloud", async () => {
        const { warnings } = await loadPlan(rawConfig("gcp-3k", { vpcCidr: "10.1.0.0/16", "aws:region": "us-east-1" }), "gcp-3k", []);
        expect(warnings.join("\n")).toMatch(/coder-refarch:vpcCidr, aws:region: aws settings on a gcp stack are ignored; remove them/);
        const aws = await loadPlan(rawConfig("aws-3k", { gkeReleaseChannel: "STABLE" }), "aws-3k", []);
        expect(aws.warnings.join("\n")).toMatch(/coder-refarch:gkeReleaseChannel: gcp settings on an aws stack are ignored/);
    });

    it("takes every AWS partition's region form (eusc-de-east-1, us-gov-west-1)", async () => {
        for (const region of ["eusc-de-east-1", "us-gov-west-1"]) {
            const { warnings } = await loadPlan(rawConfig("aws-3k", { region, "aws:region": region, zones: [`${region}a`, `${region}b`] }), "aws-3k", []);
            expect(warnings.join("\n")).not.toMatch(/is not an aws region name/);
        }
    });

    it("warns about a region of the right form that the catalogue does not list", async () => {
        const { warnings } = await loadPlan(rawConfig("gcp-3k", { region: "europe-west99", "gcp:region": "europe-west99",
            zones: ["europe-west99-a", "europe-west99-b"] }), "gcp-3k", []);
        expect(warnings.join("\n")).toMatch(/coder-refarch:region: 'europe-west99' is not in the gcp region list/);
    });
});

describe("TLS", () => {
    // The shipped stacks get their certificate from cert-manager: a certificate of one's own replaces that.
    const NO_ACME = { dnsZone: "", acmeEmail: "" };
    const withTls = (cert: string, key: string, more: Record<string, unknown> = {}) =>
        ({ tlsCertificate: pem(cert), tlsPrivateKey: pem(key), ...NO_ACME, ...more });

    it("accepts a certificate for the access and wildcard hosts, with its key, as a secret", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", withTls("coder.crt", "coder.key")), [TLS_KEY]);
        expect(r.resources.some((x) => x.type === "kubernetes:core/v1:Secret" && x.name.endsWith("-tls"))).toBe(true);
    });

    it.each([
        ["a private key in plaintext", withTls("coder.crt", "coder.key"), [],
            /coder-refarch:tlsPrivateKey: given in plaintext; remove it from the stack file and set it with `pulumi config set --secret coder-refarch:tlsPrivateKey < privkey\.pem`/],
        ["PEM that does not parse", { tlsCertificate: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", tlsPrivateKey: pem("coder.key"), ...NO_ACME }, [TLS_KEY],
            /coder-refarch:tlsCertificate: not a PEM certificate chain \(.*\); set the full chain, leaf first/],
        ["not PEM at all", { tlsCertificate: "hello", tlsPrivateKey: pem("coder.key"), ...NO_ACME }, [TLS_KEY],
            /coder-refarch:tlsCertificate: not a PEM certificate chain \(no BEGIN CERTIFICATE block\)/],
        ["a key that does not parse", { tlsCertificate: pem("coder.crt"), tlsPrivateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", ...NO_ACME }, [TLS_KEY],
            /coder-refarch:tlsPrivateKey: not a PEM private key/],
        ["a key of another certificate", withTls("coder.crt", "other.key"), [TLS_KEY],
            /coder-refarch:tlsPrivateKey: is not the key of tlsCertificate's first \(leaf\) certificate/],
        ["a certificate for another host", withTls("other.crt", "other.key"), [TLS_KEY],
            /coder-refarch:tlsCertificate: does not cover coder\.example\.com and \*\.coder\.example\.com \(it names DNS:other\.example\.com\); issue one for coder\.example\.com and \*\.coder\.example\.com/],
        ["a certificate without the wildcard host", withTls("nowildcard.crt", "nowildcard.key"), [TLS_KEY],
            /coder-refarch:tlsCertificate: does not cover \*\.coder\.example\.com/],
        ["an expired certificate", withTls("expired.crt", "expired.key"), [TLS_KEY],
            /coder-refarch:tlsCertificate: expired on 2021-01-01; renew it/],
        ["a certificate without its key", { tlsCertificate: pem("coder.crt"), ...NO_ACME }, [],
            /coder-refarch:tlsPrivateKey: missing; set both tlsCertificate and tlsPrivateKey, or neither/],
    ] as [string, Record<string, unknown>, string[], RegExp][])("%s", async (_, changes, secretKeys, expected) => {
        const e = await failing("gcp-3k", changes, secretKeys);
        expect(e.message).toMatch(expected);
    });
});

describe("HTTPS is served, one way; the bootstrap has an admin", () => {
    const none = { dnsZone: "", acmeEmail: "" };
    table([
        ["an https access URL nothing serves", "gcp-3k", none,
            /coder-refarch:accessUrl: https, but nothing serves HTTPS: set coder-refarch:dnsZone and coder-refarch:acmeEmail .*or coder-refarch:tlsTerminatedUpstream: true/],
        ["a TLS proxy upstream and TLS at coderd", "aws-3k", { tlsTerminatedUpstream: true },
            /coder-refarch:tlsTerminatedUpstream: true, but coderd also serves TLS \(coder-refarch:acmeEmail\); keep one/],
        ["an ACME email without a zone", "gcp-3k", { dnsZone: "" },
            /coder-refarch:acmeEmail: needs coder-refarch:dnsZone/],
        ["a Route 53 zone ID on a GCP stack", "gcp-3k", { dnsZone: "Z0123456789ABCDEF" },
            /coder-refarch:dnsZone: 'Z0123456789ABCDEF' is not a Cloud DNS managed zone name/],
        ["a zone name on an AWS stack", "aws-3k", { dnsZone: "example.com" },
            /coder-refarch:dnsZone: 'example\.com' is not a Route 53 hosted zone ID/],
        ["a license without an admin", "aws-3k", { adminEmail: "", license: "aaa.bbb.ccc" },
            /coder-refarch:license: uploading it needs an admin: set coder-refarch:adminEmail .* or coder-refarch:adminToken/, ["coder-refarch:license"]],
        ["an admin email and an admin token", "gcp-3k", { adminToken: "tok" },
            /coder-refarch:adminToken: set beside coder-refarch:adminEmail; keep one/, ["coder-refarch:adminToken"]],
        ["a license that is not a JWT", "gcp-3k", { license: "not-a-license" },
            /coder-refarch:license: a Coder license \(a JWT: three base64url parts joined by dots\)/, ["coder-refarch:license"]],
        ["a Kubernetes version without ValidatingAdmissionPolicy", "gcp-3k", { kubernetesVersion: "1.29" },
            /coder-refarch:kubernetesVersion: 1\.29 is older than 1\.30, the first to serve ValidatingAdmissionPolicy/],
        ["a license uploaded by the program and by hand", "gcp-3k", { license: "aaa.bbb.ccc", licenseInstalled: true },
            /coder-refarch:licenseInstalled: true beside coder-refarch:license; keep one/, ["coder-refarch:license"]],
    ] as Case[]);

    it("the license and the admin token are secrets", async () => {
        const e = await failing("gcp-3k", { adminEmail: "", adminToken: "tok", license: "aaa.bbb.ccc" });
        expect(e.message).toMatch(/coder-refarch:adminToken: given in plaintext/);
        expect(e.message).toMatch(/coder-refarch:license: given in plaintext/);
    });

    it("a TLS proxy upstream serves an https access URL", async () => {
        const r = await renderConfig("gcp-3k", rawConfig("gcp-3k", { ...none, tlsTerminatedUpstream: true }));
        expect(r.resources.length).toBeGreaterThan(30);
    });
});

describe("secrets never appear in a message", () => {
    it("hides a secret value that is not valid JSON", async () => {
        const e = await failing("gcp-3k", { coderSecretEnv: "CODER_OIDC_CLIENT_SECRET=GOCSPX-topsecret" }, ["coder-refarch:coderSecretEnv"]);
        expect(e.message).toMatch(/coder-refarch:coderSecretEnv: not valid JSON: \(value hidden\)/);
        expect(e.message).not.toContain("topsecret");
    });
});

describe("every problem of a stack in one run", () => {
    it("reports config, address, name, TLS and sizing problems together", async () => {
        const e = await failing("gcp-3k", {
            accessUrl: "https://coder.example.com/path",
            serviceCidr: "10.10.0.0/24",
            namespaces: { coder: "default", provisioners: "p", workspaces: "w" },
            tlsCertificate: pem("other.crt"),
            tlsPrivateKey: pem("other.key"),
            sizing: { provisioners: { replicas: 0 }, pools: { coderd: { machineType: "n2-standard-99" } } },
            "coder-refach:tier": "3k",
        });
        const keys = e.problems.map((p) => p.split(": ")[0]);
        expect(keys).toEqual(expect.arrayContaining([
            "coder-refarch:accessUrl", "coder-refarch:nodeCidr", "coder-refarch:namespaces.coder", "coder-refarch:tlsPrivateKey",
            "coder-refarch:sizing.provisioners.replicas", "coder-refarch:sizing.pools.coderd.machineType", "coder-refach:tier",
        ]));
    });

    it("still sizes the stack when a key the sizing does not read is bad", async () => {
        const e = await failing("gcp-3k", { accessUrl: "ftp://x", sizing: { provisioners: { replicas: 0 } } });
        expect(e.message).toMatch(/coder-refarch:accessUrl: must use https/);
        expect(e.message).toMatch(/coder-refarch:sizing\.provisioners\.replicas: 0 provisioners/);
    });
});
