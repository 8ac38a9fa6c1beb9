import { CloudName } from "./types";

/**
 * The regions of each cloud and how their names and zones are formed: vendor facts,
 * used to refuse a region or zone the cloud does not have before anything is created.
 * Regions open every year: a name of the right form that is missing here is a warning,
 * not an error (the cloud has the last word); a name of the wrong form is an error.
 * Listed 2026-11 from the vendors' region pages.
 */
export interface RegionCatalogue {
    /** the form of a region name */
    pattern: RegExp;
    example: string;
    /** the zone names of a region, from its name */
    zonePattern(region: string): RegExp;
    zoneExample(region: string): string;
    regions: readonly string[];
    /** where the list comes from */
    source: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const REGIONS: Record<CloudName, RegionCatalogue> = {
    gcp: {
        pattern: /^[a-z]+-[a-z]+\d+$/,
        example: "us-east1",
        // us-east1-b: the region, a dash, a zone letter
        zonePattern: (r) => new RegExp(`^${escape(r)}-[a-z]$`),
        zoneExample: (r) => `${r}-b`,
        regions: [
            "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
            "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "asia-southeast3",
            "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-north2",
            "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
            "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1",
            "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
            "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1",
            "us-west2", "us-west3", "us-west4",
        ],
        source: "cloud.google.com/compute/docs/regions-zones",
    },
    aws: {
        // us-east-1, us-gov-west-1, eusc-de-east-1 (European Sovereign Cloud)
        pattern: /^[a-z]{2,4}(-[a-z]+)+-\d$/,
        example: "us-east-1",
        // us-east-1a: the region and a zone letter (zone IDs such as use1-az1 are not names)
        zonePattern: (r) => new RegExp(`^${escape(r)}[a-z]$`),
        zoneExample: (r) => `${r}a`,
        regions: [
            "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2",
            "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
            "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
            "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1",
            "sa-east-1", "us-gov-east-1", "us-gov-west-1",
        ],
        source: "docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
    },
    azure: {
        pattern: /^[a-z]+\d?$/,
        example: "eastus2",
        // AKS and Flexible Server take zone numbers
        zonePattern: () => /^[1-3]$/,
        zoneExample: () => "1",
        regions: [
            "eastus", "eastus2", "centralus", "northcentralus", "southcentralus", "westcentralus", "westus", "westus2",
            "westus3", "canadacentral", "canadaeast", "brazilsouth", "mexicocentral", "northeurope", "westeurope",
            "uksouth", "ukwest", "francecentral", "germanywestcentral", "italynorth", "polandcentral", "spaincentral",
            "swedencentral", "switzerlandnorth", "norwayeast", "uaenorth", "qatarcentral", "israelcentral",
            "southafricanorth", "centralindia", "southindia", "eastasia", "southeastasia", "japaneast", "japanwest",
            "koreacentral", "australiaeast", "australiasoutheast", "newzealandnorth", "indonesiacentral", "malaysiawest",
        ],
        source: "learn.microsoft.com/azure/reliability/availability-zones-region-support",
    },
};

/** Edit distance (insertions, deletions, substitutions): for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) {
            cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = cur;
    }
    return prev[b.length]!;
}

/** The closest of `candidates` to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[], maxDistance = 3): string | undefined {
    let best: { c: string; d: number } | undefined;
    for (const c of candidates) {
        const d = editDistance(word, c);
        if (d <= maxDistance && (!best || d < best.d)) best = { c, d };
    }
    return best?.c;
}
