/**
 * The footprint is visible before it is bought: vCPUs by machine family and boot disks at
 * the first `pulumi up` and with every pool at its maximum, figured here by hand from the
 * tier's pools (seed 001 for 3k) and the vendors' machine sizes.
 */
import { describe, expect, it } from "vitest";
import { previewJson } from "../preview/output";
import { footprintText } from "../preview/sizing-table";
import { render } from "./helpers";

describe("footprint", () => {
    it("gcp-3k: N4 and T2D vCPUs, SSD and Hyperdisk, the quotas and the command to compare", async () => {
        const r = await render("gcp-3k");
        const f = previewJson(r).footprint;
        // system 3 x n4-standard-4 (a node a zone, 4 vCPU / 16 GiB with the observability bundle); coderd 4 x n4-standard-8 (seed 001's 4 nodes, the
        // current generation of its 8 vCPU / 32 GB); provisioners 8 x t2d-standard-8 (240 at 30 a node); workspaces 3 .. 256 x t2d-standard-8.
        // The first pulumi up: GKE starts coderd at a node a zone and the provisioners at 2 a zone, and
        // the autoscaler adds at once what their pending replicas need (4 and 8 nodes): the quota must hold those.
        expect(f.families).toEqual([
            { family: "N4", vcpusInitial: 3 * 4 + 4 * 8, vcpusMax: 3 * 4 + 4 * 8 },
            { family: "T2D", vcpusInitial: 8 * 8 + 3 * 8, vcpusMax: 8 * 8 + 256 * 8 },
        ]);
        expect([f.vcpusInitial, f.vcpusMax]).toEqual([132, 2156]);
        // boot disks (tiers/system.ts): 100 GB system and coderd, 200 GB provisioners (SSD) and workspaces
        expect(f.disks).toEqual(expect.arrayContaining([
            { type: "hyperdisk-balanced", gbInitial: 3 * 100 + 4 * 100, gbMax: 3 * 100 + 4 * 100 },
            { type: "pd-ssd", gbInitial: 8 * 200, gbMax: 8 * 200 },
            { type: "pd-balanced", gbInitial: 3 * 200, gbMax: 256 * 200 },
        ]));
        expect(f.database).toEqual({ machine: "db-custom-8-30720", vcpus: 8, storageGb: 1500, instances: 2 });
        expect(f.quotas.map((q) => q.quota)).toEqual(expect.arrayContaining(["CPUS (region europe-west1)", "T2D_CPUS (region europe-west1)", "SSD_TOTAL_GB (pd-balanced and pd-ssd)"]));
        expect(f.check[0]).toBe('gcloud compute regions describe europe-west1 --format="table(quotas.metric,quotas.limit,quotas.usage)"');
        expect(footprintText(r.plan)).toMatch(/^Footprint: 132 vCPUs at the first pulumi up, 2156 with every pool at its maximum/);
    });

    it("aws-3k: vCPUs against the On-Demand Standard quota, gp3 storage, the largest node group", async () => {
        const r = await render("aws-3k");
        const f = previewJson(r).footprint;
        // system 3 x m8i.xlarge (with the observability bundle); coderd 4, provisioners 8 (from the start) and workspaces 3 .. 256 x m8i.2xlarge
        // (seed 001's 8 vCPU / 32 GB in the current generation)
        expect(f.families).toEqual([
            { family: "m8i", vcpusInitial: 3 * 4 + 4 * 8 + 8 * 8 + 3 * 8, vcpusMax: 3 * 4 + 4 * 8 + 8 * 8 + 256 * 8 },
        ]);
        expect(f.disks).toEqual([{ type: "gp3", gbInitial: 300 + 400 + 8 * 200 + 3 * 200, gbMax: 300 + 400 + 8 * 200 + 256 * 200 }]);
        const need = Object.fromEntries(f.quotas.map((q) => [q.quota, q.need]));
        expect(need["EC2: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A), vCPUs"]).toBe("132 at the first up, 2156 at the pools' maximum");
        // the workspaces pool is a group a zone: 256 / 3 rounded up
        expect(need["EKS: Nodes per managed node group"]).toBe("86 in the largest group");
        expect(f.check[0]).toContain("--quota-code L-1216C47A");
    });
});
