/**
 * Pre-flight: what only the cloud knows (zone IDs, machine types a zone offers, vCPU
 * quotas) is read before anything is registered; what the cloud would refuse is a config
 * error naming the key and the fix, what could not be read a warning with the command.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config";
import { NETWORK_READS } from "../components/network-check";
import { PREFLIGHT_OFFLINE } from "../components/preflight";
import { CloudReads, Rendered, renderConfig } from "../preview/render";
import { footprint } from "../sizing";
import { rawConfig } from "./helpers";

type Obj = Record<string, any>;

async function outcome(stack: string, reads: CloudReads, changes: Record<string, unknown> = {}) {
    const registered: string[] = [];
    const asked: { token: string; args: Obj }[] = [];
    const counted = Object.fromEntries(Object.entries(reads).map(([token, f]) => [token, (a: Obj) => {
        asked.push({ token, args: a });
        return f(a);
    }]));
    try {
        const r = await renderConfig(stack, rawConfig(stack, changes), [], registered, counted);
        return { rendered: r as Rendered, problems: [] as string[], registered, asked };
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { rendered: undefined, problems: e.problems, registered, asked };
    }
}

// ---- AWS: zones as the account maps them, offerings, the Standard vCPU quota ----

/** us-east-1 as an account might map it: here us-east-1a is use1-az3. */
const US_EAST_1 = {
    names: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"],
    zoneIds: ["use1-az3", "use1-az1", "use1-az2", "use1-az4"],
};
const healthyZones = { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az4"] };

/** Every requested type offered in every requested zone, except those `missing` lists as type@zone. */
const offerings = (missing: string[] = []) => (a: Obj) => {
    const pairs: [string, string][] = [];
    const [types, zones] = [a.filters[0].values as string[], a.filters[1].values as string[]];
    for (const t of types) for (const z of zones) if (!missing.includes(`${t}@${z}`)) pairs.push([t, z]);
    return { instanceTypes: pairs.map((p) => p[0]), locations: pairs.map((p) => p[1]), locationTypes: pairs.map(() => "availability-zone") };
};

const awsReads = (o: { zones?: Obj; quota?: number; missing?: string[] } = {}): CloudReads => ({
    [NETWORK_READS.awsZones]: () => o.zones ?? healthyZones,
    [NETWORK_READS.awsQuota]: () => ({ value: o.quota ?? 100000, quotaCode: "L-1216C47A", serviceCode: "ec2" }),
    [NETWORK_READS.awsOfferings]: offerings(o.missing),
});

describe("AWS pre-flight", () => {
    it("a zone EKS refuses in this account is a config error, and nothing is registered", async () => {
        const { problems, registered } = await outcome("aws-3k", awsReads({ zones: US_EAST_1 }));
        expect(problems).toEqual([expect.stringMatching(
            /^coder-refarch:zones: us-east-1a is use1-az3 in this account, where EKS creates no clusters .*choose others among us-east-1b, us-east-1c, us-east-1d$/)]);
        expect(registered).toEqual([]);
    });

    it("a zone the account does not have is a config error naming the ones it has", async () => {
        const { problems } = await outcome("aws-3k", awsReads(), { zones: ["us-east-1a", "us-east-1b", "us-east-1f"] });
        expect(problems).toEqual([expect.stringMatching(/^coder-refarch:zones: us-east-1f is not an available zone of us-east-1 in this account \(available: us-east-1a, us-east-1b, us-east-1c\)/)]);
    });

    it("a machine type no zone offers is a config error; the reads ask for every pool's types in the stack's zones", async () => {
        const ok = await outcome("aws-3k", awsReads());
        const coderd = ok.rendered!.plan.pools.coderd.machine.name;
        const { problems } = await outcome("aws-3k", awsReads({ missing: [`${coderd}@us-east-1c`] }));
        expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^coder-refarch:zones: ${coderd.replace(".", "\\.")} \\(.*coderd.*\\) is not offered in us-east-1c`)));
        const asked = ok.asked.find((x) => x.token === NETWORK_READS.awsOfferings)!.args;
        const all = Object.values(ok.rendered!.plan.pools).flatMap((p) => p.instanceTypes);
        expect(new Set(asked.filters[0].values)).toEqual(new Set(all));
        expect(asked.filters[1].values).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
        expect(asked.locationType).toBe("availability-zone");
    });

    it("a quota below the first up's vCPUs is an error; below the pools' maximum a warning; above, silence", async () => {
        const ok = await outcome("aws-3k", awsReads());
        const fp = footprint(ok.rendered!.plan);
        expect(ok.rendered!.warnings.join("\n")).not.toMatch(/L-1216C47A/);

        const low = await outcome("aws-3k", awsReads({ quota: fp.vcpusInitial - 1 }));
        expect(low.problems).toEqual([expect.stringMatching(new RegExp(
            `^coder-refarch:sizing: the first pulumi up starts ${fp.vcpusInitial} vCPUs of node pools; EC2 quota L-1216C47A .* is ${fp.vcpusInitial - 1}\\. ` +
            `Request an increase: aws service-quotas request-service-quota-increase .*--desired-value ${fp.vcpusMax}`))]);
        expect(low.registered).toEqual([]);

        const mid = await outcome("aws-3k", awsReads({ quota: fp.vcpusMax - 1 }));
        expect(mid.problems).toEqual([]);
        expect(mid.rendered!.warnings).toContainEqual(expect.stringMatching(
            new RegExp(`L-1216C47A .* is ${fp.vcpusMax - 1} vCPUs: enough for the first up \\(${fp.vcpusInitial}\\), not for the pools' maximum \\(${fp.vcpusMax}\\)`)));
    });

    it("reads the identity may not make are warnings with the command, not errors", async () => {
        const denied = () => { throw new Error("AccessDeniedException: not authorized to perform servicequotas:GetServiceQuota"); };
        const r = await outcome("aws-3k", { ...awsReads(), [NETWORK_READS.awsQuota]: denied });
        expect(r.problems).toEqual([]);
        expect(r.rendered!.warnings).toContainEqual(expect.stringMatching(
            /^could not read EC2 quota L-1216C47A \(AccessDeniedException.*\); the stack needs \d+ vCPUs at the first up, \d+ at the pools' maximum; check: aws service-quotas get-service-quota/));
    });

    it("every proxy region is read in its own region, and its problems name its keys", async () => {
        const zonesByRegion: Record<string, Obj> = {
            "us-east-1": healthyZones,
            "eu-west-1": { names: ["eu-west-1a", "eu-west-1b"], zoneIds: ["euw1-az1", "euw1-az2"] },
            "ap-southeast-1": { names: ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"], zoneIds: ["apse1-az1", "apse1-az2", "apse1-az3"] },
        };
        const reads = { ...awsReads(), [NETWORK_READS.awsZones]: (a: Obj) => zonesByRegion[a.region as string]! };
        const { problems, asked } = await outcome("aws-10k", reads);
        // eu-west-1c is not in this account's eu-west-1: the europe region's zones, by their key
        expect(problems).toEqual([expect.stringMatching(/^coder-refarch:proxyRegions\.0\.zones: eu-west-1c is not an available zone of eu-west-1 in this account/)]);
        const regionsAsked = asked.filter((x) => x.token === NETWORK_READS.awsQuota).map((x) => x.args.region).sort();
        expect(regionsAsked).toEqual(["ap-southeast-1", "eu-west-1", "us-east-1"]);
    });

    it("offline, one warning says the reads happen under pulumi preview", async () => {
        const r = await outcome("aws-3k", {});
        expect(r.rendered!.warnings.filter((w) => w === PREFLIGHT_OFFLINE)).toHaveLength(1);
        const online = await outcome("aws-3k", awsReads());
        expect(online.rendered!.warnings).not.toContain(PREFLIGHT_OFFLINE);
    });
});

// ---- GCP: machine types a zone, the project's CPU quotas ----

const quotaInfo = (metric: string, byRegion: Record<string, number>, fallback?: number) => ({
    metric,
    dimensions: ["region"],
    dimensionsInfos: [
        ...Object.entries(byRegion).map(([region, v]) => ({ dimensions: { region }, details: [{ value: String(v) }], applicableLocations: [region] })),
        ...(fallback === undefined ? [] : [{ dimensions: {}, details: [{ value: String(fallback) }], applicableLocations: [] }]),
    ],
});

const gcpReads = (o: { missing?: string[]; quotas?: Obj[] } = {}): CloudReads => ({
    [NETWORK_READS.gcpMachineTypes]: (a: Obj) => {
        const names = [...(a.filter as string).matchAll(/name = "([^"]+)"/g)].map((m) => m[1]!);
        return { machineTypes: names.filter((n) => !o.missing?.includes(`${n}@${a.zone}`)).map((name) => ({ name })), zone: a.zone, project: a.project };
    },
    [NETWORK_READS.gcpQuotas]: () => ({ quotaInfos: o.quotas ?? [] }),
});

describe("GCP pre-flight", () => {
    it("a machine type a zone does not offer is a config error; each zone is asked for every pool's type", async () => {
        const ok = await outcome("gcp-3k", gcpReads());
        const plan = ok.rendered!.plan;
        const workspaces = plan.pools.workspaces.machine.name;
        const zone = plan.zones[1]!;
        const { problems, registered } = await outcome("gcp-3k", gcpReads({ missing: [`${workspaces}@${zone}`] }));
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^coder-refarch:zones: ${workspaces} \\(.*workspaces.*\\) is not offered in ${zone}; choose zones of ${plan.region}`))]);
        expect(registered).toEqual([]);
        const zonesAsked = ok.asked.filter((x) => x.token === NETWORK_READS.gcpMachineTypes).map((x) => x.args.zone);
        expect(zonesAsked.sort()).toEqual([...plan.zones].sort());
        const filter = ok.asked.find((x) => x.token === NETWORK_READS.gcpMachineTypes)!.args.filter as string;
        for (const p of Object.values(plan.pools)) expect(filter).toContain(`name = "${p.machine.name}"`);
    });

    it("the region's CPUS quota below the first up is an error; a family's below the maximum a warning", async () => {
        const ok = await outcome("gcp-3k", gcpReads());
        const plan = ok.rendered!.plan;
        const fp = footprint(plan);
        const fam = fp.families.find((f) => f.vcpusMax > f.vcpusInitial)!;
        const low = await outcome("gcp-3k", gcpReads({ quotas: [quotaInfo("compute.googleapis.com/cpus", { [plan.region]: 24 }, 1000000)] }));
        expect(low.problems).toEqual([expect.stringMatching(new RegExp(`^coder-refarch:sizing: the first pulumi up starts ${fp.vcpusInitial} vCPUs of node pools; quota CPUS in ${plan.region} is 24\\.`))]);

        // the entry without a region applies to every region not listed
        const family = await outcome("gcp-3k", gcpReads({
            quotas: [quotaInfo(`compute.googleapis.com/${fam.family.toLowerCase()}_cpus`, { "asia-east1": 1000000 }, fam.vcpusMax - 1)],
        }));
        expect(family.problems).toEqual([]);
        expect(family.rendered!.warnings).toContainEqual(expect.stringMatching(
            new RegExp(`^quota ${fam.family}_CPUS in ${plan.region} is ${fam.vcpusMax - 1} vCPUs: enough for the first up \\(${fam.vcpusInitial}\\)`)));
    });

    it("several regions count against the project's vCPUs of all regions too", async () => {
        const ok = await outcome("gcp-10k", gcpReads());
        const plan = ok.rendered!.plan;
        const first = [footprint(plan, false), ...plan.proxies.map((r) => footprint({ ...plan, pools: r.pools, region: r.region, zones: r.zones, proxies: [] }, false))]
            .reduce((n, f) => n + f.vcpusInitial, 0);
        const allRegions = { metric: "compute.googleapis.com/cpus_all_regions", dimensions: [], dimensionsInfos: [{ dimensions: {}, details: [{ value: String(first - 1) }], applicableLocations: ["global"] }] };
        const { problems } = await outcome("gcp-10k", gcpReads({ quotas: [allRegions] }));
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^coder-refarch:sizing: the first pulumi up starts ${first} vCPUs of node pools in 3 regions; quota CPUS_ALL_REGIONS in project acme-coder-prod is ${first - 1}\\.`))]);
    });

    it("quotas that cannot be read are a warning naming the API and the command", async () => {
        const r = await outcome("gcp-3k", { ...gcpReads(), [NETWORK_READS.gcpQuotas]: () => { throw new Error("SERVICE_DISABLED: Cloud Quotas API has not been used"); } });
        expect(r.problems).toEqual([]);
        expect(r.rendered!.warnings).toContainEqual(expect.stringMatching(/cloudquotas\.googleapis\.com.*gcloud compute regions describe/));
    });
});
