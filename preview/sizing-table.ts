/** The sizing summary of a plan: as rows for `--json` and as a text table. */
import { Plan, PlannedWorkload, PoolPlan, deployedNodes, fmt, footprint, planOfRegion } from "../sizing";
import { CloudName, POOL_ROLES, PoolRole } from "../tiers";
import { textTable } from "./text-table";

export function sizingSummary(plan: Plan) {
    return {
        tier: plan.tier.name,
        page: plan.tier.page,
        cloud: plan.cloud,
        region: plan.region,
        zones: plan.zones,
        limits: { ...plan.tier.limits, cite: undefined },
        replicas: {
            coderd: workloadRow(plan.coderd),
            provisioners: workloadRow(plan.provisioners),
            ...(plan.proxies.length ? { proxy: workloadRow(plan.proxy) } : {}),
        },
        pools: poolRows(plan.cloud, plan.pools),
        /** proxy regions: each with its own pools (the coderd pool holds the workspace proxies) */
        proxyRegions: plan.proxies.map((r) => ({
            name: r.name, displayName: r.displayName, region: r.region, zones: r.zones,
            accessUrl: r.accessUrl, wildcardAccessUrl: r.wildcardAccessUrl, pools: poolRows(plan.cloud, r.pools),
        })),
        database: {
            machineType: plan.database.machine.name,
            vcpu: plan.database.machine.vcpu,
            memoryGiB: plan.database.machine.memoryGiB,
            storageGb: plan.database.storageGb,
            highAvailability: plan.database.highAvailability,
            postgres: plan.database.version,
            maxConnections: plan.database.maxConnections,
            machineSource: plan.database.machineSource,
            sources: plan.database.sources,
        },
        warnings: plan.warnings,
    };
}

/** The footprint as text, region by region (quotas are regional): what to compare with the account's quotas before `pulumi up`. */
export function footprintText(plan: Plan): string {
    const one = (p: Plan, title: string, withDatabase: boolean) => {
        const f = footprint(p, withDatabase);
        return [
            `${title}: ${f.vcpusInitial} vCPUs at the first pulumi up, ${f.vcpusMax} with every pool at its maximum ` +
                `(${f.families.map((x) => `${x.family} ${x.vcpusInitial}-${x.vcpusMax}`).join(", ")}); ` +
                `boot disks ${f.disks.map((d) => `${d.type} ${d.gbInitial}-${d.gbMax} GB`).join(", ")}` +
                (f.database ? `; database ${f.database.instances} x ${f.database.machine}, ${f.database.storageGb} GB` : ""),
            table([["quota", "need"], ...f.quotas.map((q) => [q.quota, q.need])]),
            ...f.check.map((c) => `  check: ${c}`),
        ].join("\n");
    };
    return [
        one(plan, plan.proxies.length ? `Footprint (primary region ${plan.region})` : "Footprint", true),
        ...plan.proxies.map((r) => one(planOfRegion(plan, r), `Footprint (proxy region ${r.name}, ${r.region})`, false)),
    ].join("\n\n");
}

/** A region's pools as rows. */
function poolRows(cloud: CloudName, pools: Record<PoolRole, PoolPlan>) {
    return POOL_ROLES.map((role) => {
        const p = pools[role];
        return {
            pool: role,
            machineType: p.machine.name,
            vcpu: p.machine.vcpu,
            memoryGiB: p.machine.memoryGiB,
            machineSource: p.machineSource,
            autoscaling: p.autoscaling,
            /** the instance types the pool's groups may launch (same shape), the planned one first */
            instanceTypes: p.instanceTypes,
            /** node counts over every zone, and what the first pulumi up starts (as the cloud layer deploys it: sizing.ts deployedNodes) */
            nodes: p.total,
            initialNodes: deployedNodes(cloud, p).initial,
            podsPerNode: p.workload?.perNode ?? null,
            pods: p.workload ? `${p.workload.replicas} ${p.workload.name}` : "cluster add-ons",
            maxPodsPerNode: p.maxPodsPerNode,
            allocatable: fmt(p.allocatable),
            /** workspaces: each workspace's share of a full node */
            roomPerWorkspace: p.room ? fmt(p.room) : null,
            sources: p.sources,
        };
    });
}

function workloadRow(w: PlannedWorkload) {
    return { replicas: w.replicas, requests: fmt(w.requests), limits: fmt(w.limits), sources: w.sources };
}

/** One source column from a figure → source map: the common source once, or each figure's. */
function sourceText(sources: Record<string, string>): string {
    const values = [...new Set(Object.values(sources))];
    return values.length === 1 ? values[0]! : Object.entries(sources).map(([k, v]) => `${k}: ${v}`).join(", ");
}

const table = (rows: string[][]) => textTable(rows);

export function sizingTable(plan: Plan): string {
    const s = sizingSummary(plan);
    const range = (r: { min: number; max: number }) => (r.min === r.max ? `${r.max}` : `${r.min}-${r.max}`);
    // Counts over every zone; "start" is what the first pulumi up runs (sizing.ts deployedNodes: on GKE
    // the same count in each zone, then what the pending replicas scale the pool to).
    const poolTable = (rows: ReturnType<typeof poolRows>) => table([
        ["pool", "machine", "vCPU/GiB", "nodes", "start", "pods/node", "pods", "max pods", "source"],
        ...rows.map((p) => [
            p.pool, p.machineType, `${p.vcpu}/${p.memoryGiB}`,
            range(p.nodes) + (p.autoscaling ? " (auto)" : ""), String(p.initialNodes), p.podsPerNode === null ? "-" : String(p.podsPerNode), p.pods,
            String(p.maxPodsPerNode), sourceText(p.podsPerNode === null ? { machine: p.sources.machine, nodes: p.sources.nodes } : p.sources),
        ]),
    ]);
    const pools = poolTable(s.pools);
    const ws = s.pools.find((p) => p.pool === "workspaces");
    const d = s.database;
    const l = plan.tier.limits;
    return [
        `Tier ${s.tier} (${plan.tier.title}) on ${s.cloud}, ${s.region} [${s.zones.join(", ")}] from ${s.page}`,
        `Limits: ${l.users} users, ${l.runningWorkspaces ?? "?"} running workspaces, ${l.concurrentBuilds ?? "?"} concurrent builds, ` +
            `${l.apiRps ? `${l.apiRps} API RPS` : "no API RPS target"}`,
        "",
        table([
            ["workload", "replicas", "requests", "limits", "source"],
            ...(["coderd", "provisioners", "proxy"] as const).flatMap((w) => {
                const r = s.replicas[w as keyof typeof s.replicas];
                return r ? [[w === "proxy" ? "proxy (each region)" : w, String(r.replicas), r.requests, r.limits, sourceText(r.sources)]] : [];
            }),
        ]),
        "",
        pools,
        ...(ws?.roomPerWorkspace ? [`  each workspace gets ${ws.roomPerWorkspace} of a full ${ws.machineType} node (${ws.podsPerNode} a node)`] : []),
        ...s.pools.filter((p) => p.instanceTypes.length > 1)
            .map((p) => `  ${p.pool}: also launches ${p.instanceTypes.slice(1).join(", ")} (same vCPUs, memory and architecture) where ${p.machineType} is short`),
        "",
        table([
            ["database", "vCPU/GiB", "storage", "HA", "postgres", "max_connections", "source"],
            [d.machineType, `${d.vcpu}/${d.memoryGiB}`, `${d.storageGb} GB`, d.highAvailability ? "yes (standby)" : "no",
                String(d.postgres), String(d.maxConnections), sourceText(d.sources)],
        ]),
        ...s.pools.filter((p) => !p.machineSource.startsWith("named")).map((p) => `  ${p.pool}: ${p.machineType}: ${p.machineSource}`),
        ...(d.machineSource.startsWith("named") ? [] : [`  database: ${d.machineType}: ${d.machineSource}`]),
        ...s.proxyRegions.flatMap((r) => [
            "",
            `Proxy region ${r.name} (${r.displayName}) in ${r.region} [${r.zones.join(", ")}]: ${r.accessUrl}` +
                `${r.wildcardAccessUrl ? `, ${r.wildcardAccessUrl}` : ""}; its coderd pool holds the workspace proxies`,
            poolTable(r.pools),
        ]),
    ].join("\n");
}
