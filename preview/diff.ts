/**
 * The offline diff: `npm run preview -- --stack NAME --diff OLD.json` compares a saved
 * `--json` render with the render of now, as a reviewer of a pull request wants to see
 * it: resources added, removed and changed, each change down to the input (Helm values
 * included), with the changes that replace a resource and the ones that touch a protected
 * (stateful) resource marked, and the cost delta. Secrets are "[secret]" on both sides of
 * the JSON: they are masked, and a change of a secret's value is not seen.
 */
import * as fs from "node:fs";
import { CostEstimate, usd } from "../cost";
import { forcesReplacement, knowsReplacement } from "./replacement";

/** A resource as `--json` prints it (protect, ignoreChanges and custom: absent in older files). */
export interface SnapshotResource {
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    custom?: boolean;
    protect?: boolean;
    ignoreChanges?: string[];
    /** the provider it is managed by (a `pulumi:providers:*` resource's name) */
    provider?: string | null;
    /** parents' types, type and name: the URN less stack and project */
    urn?: string;
    /** the resources (`type::name`) each input takes an output of */
    inputDependencies?: Record<string, string[]>;
}

/** The parts of a `--json` render the diff reads. */
export interface Snapshot {
    stack: string;
    resources: SnapshotResource[];
    sizing?: { tier?: string };
    cost?: unknown;
}

export interface InputChange {
    /** dot path; list elements as [n], or [name=X] where the list's objects are named */
    path: string;
    old: unknown;
    new: unknown;
    /** the provider replaces the resource for this change */
    replaces: boolean;
    /** the program ignores this input after creation (ignoreChanges): `pulumi up` leaves it */
    ignored: boolean;
}

/** `ignored`: only inputs the program leaves to the cloud after creation change; pulumi up changes nothing */
export type Operation = "create" | "delete" | "update" | "replace" | "ignored";

export interface ResourceDiff {
    op: Operation;
    type: string;
    name: string;
    /** a protected (stateful) resource: `pulumi up` refuses to delete or replace it */
    protect: boolean;
    changes: InputChange[];
    /** why it is replaced, where no single input says so (its parent changed: a new URN) */
    reason?: string;
    /** changed inputs of a type whose replacement rules are not known offline */
    replacementUnknown?: boolean;
}

/** A change of the estimated monthly cost (USD): the total, and each line that changes. */
export interface CostDelta {
    total: { initial: Amounts; max: Amounts };
    /** region/item lines whose cost or what they count changes; added and removed lines too */
    lines: { region: string; item: string; what: { old?: string; new?: string }; initial: Amounts; max: Amounts }[];
    /** why the delta is partial or missing (an old render without a cost, a line without a price) */
    notes: string[];
}

/** Old and new amounts; null: not priced on that side. */
export interface Amounts { old: number | null; new: number | null }

export interface StackDiff {
    stack: string;
    from: { file: string; tier?: string };
    to: { tier?: string };
    resources: ResourceDiff[];
    unchanged: number;
    cost: CostDelta;
}

const MISSING = Symbol("absent");

/** Reads a saved `--json` render; a file that is not one gets a message naming it and how to make one. */
export function readSnapshot(file: string): Snapshot {
    const how = `make one with: npm run --silent preview -- --stack NAME --json > ${file}`;
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new DiffInputError(`--diff ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)}); ${how}`);
    }
    // `npm run preview` without --silent puts npm's banner (lines starting "> ") before the JSON.
    const banner = /^(?:\s*\n|> [^\n]*\n)+(?=\{)/.exec(text);
    if (banner) text = text.slice(banner[0].length);
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new DiffInputError(`--diff ${file}: not JSON (${(e as Error).message}); ${how}`);
    }
    const d = doc as Partial<Snapshot> | null;
    if (!d || typeof d !== "object" || typeof d.stack !== "string" || !Array.isArray(d.resources)
        || !d.resources.every((r) => r && typeof r.type === "string" && typeof r.name === "string" && typeof r.inputs === "object")) {
        throw new DiffInputError(`--diff ${file}: not a saved preview (no "stack" and "resources" of type, name and inputs); ${how}`);
    }
    return d as Snapshot;
}

/** A problem of the --diff input: said as such, without a stack trace. */
export class DiffInputError extends Error {}

/**
 * A resource's identity: its URN (parents' types, type and name) where both renders carry it;
 * in a render saved before URNs were written, its type and name (a new parent is then said
 * as a possible new URN).
 */
const keyOf = (r: SnapshotResource, urns: boolean) => (urns ? r.urn! : `${r.type}::${r.name}`);

/** The strings a resource's replacement changes in its dependents' inputs: its ID and its generated name, as the mocks make them. */
const mockRefs = (name: string) => [`${name}-id`, `${name}-mock`].map((ref) =>
    new RegExp(`(^|[^A-Za-z0-9-])${ref.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9-])`));

/** Paths and values of the inputs that hold one of `refs`. */
function referencing(v: unknown, refs: RegExp[], path = ""): [string, unknown][] {
    if (typeof v === "string") return refs.some((r) => r.test(v)) ? [[path.replace(/^\./, ""), v]] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => referencing(x, refs, `${path}[${i}]`));
    if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => referencing(x, refs, path + segment(k)));
    return [];
}

/** Compares two renders of a stack. */
export function diffSnapshots(old: Snapshot, now: Snapshot, file = "OLD.json"): StackDiff {
    const urns = [...old.resources, ...now.resources].every((r) => typeof r.urn === "string");
    const before = new Map(old.resources.map((r) => [keyOf(r, urns), r]));
    const after = new Map(now.resources.map((r) => [keyOf(r, urns), r]));
    const diffs = new Map<string, ResourceDiff>();
    let unchanged = 0;
    for (const [k, r] of after) {
        const was = before.get(k);
        if (!was) {
            diffs.set(k, { op: "create", type: r.type, name: r.name, protect: r.protect === true, changes: [] });
            continue;
        }
        const changes = changesBetween(was, r);
        // Without URNs: a new parent may be a new URN (a new parent type), or not.
        const parentMoved = !urns && (was.parent ?? null) !== (r.parent ?? null);
        const applied = changes.filter((c) => !c.ignored);
        if (!parentMoved && applied.length === 0) {
            if (changes.length === 0) unchanged++;
            else diffs.set(k, { op: "ignored", type: r.type, name: r.name, protect: r.protect === true, changes });
            continue;
        }
        const replaced = parentMoved || applied.some((c) => c.replaces);
        diffs.set(k, {
            op: replaced ? "replace" : "update",
            type: r.type,
            name: r.name,
            protect: r.protect === true || was.protect === true,
            changes,
            ...(parentMoved ? { reason: `its parent changes (${was.parent ?? "none"} → ${r.parent ?? "none"}): a new URN if the parent's type differs (the render has no URNs)` } : {}),
            ...(applied.length > 0 && !knowsReplacement(r.type) && (r.custom ?? was.custom ?? true) ? { replacementUnknown: true } : {}),
        });
    }
    for (const [k, r] of before) {
        if (!after.has(k)) diffs.set(k, { op: "delete", type: r.type, name: r.name, protect: r.protect === true, changes: [] });
    }
    unchanged -= propagate(after, diffs);
    if (urns) foldMoves(before, after, diffs);
    const order: Record<Operation, number> = { replace: 0, delete: 1, create: 2, update: 3, ignored: 4 };
    const out = [...diffs.values()].sort((a, b) => order[a.op] - order[b.op] || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    return {
        stack: now.stack, from: { file, tier: old.sizing?.tier }, to: { tier: now.sizing?.tier }, resources: out, unchanged,
        cost: costDelta(old.cost, now.cost),
    };
}

/**
 * What a replacement does to the resources that use the replaced one. Their inputs that take
 * its outputs (the SDK's property dependencies, in the render) are unknown until it is
 * replaced, which may replace them in turn: the paths that hold its ID or generated name where
 * the mocks show them, else the whole input. A replaced provider replaces every resource it
 * manages. A resource deleted and created under a new URN counts as replaced. Repeated until
 * nothing more changes. Renders saved without dependencies fall back on the IDs and names
 * alone. Returns how many unchanged resources it turned into changes.
 */
function propagate(after: Map<string, SnapshotResource>, diffs: Map<string, ResourceDiff>): number {
    let touched = 0;
    const deleted = new Set([...diffs.values()].filter((d) => d.op === "delete").map((d) => `${d.type}::${d.name}`));
    const isReplaced = (d: ResourceDiff) => d.op === "replace" || (d.op === "create" && deleted.has(`${d.type}::${d.name}`));
    const done = new Set<string>();
    for (;;) {
        const replaced = [...diffs.entries()].filter(([k, d]) => isReplaced(d) && !done.has(k));
        if (replaced.length === 0) return touched;
        for (const [key, d] of replaced) {
            done.add(key);
            const id = `${d.type}::${d.name}`;
            const refs = mockRefs(d.name);
            const isProvider = d.type.startsWith("pulumi:providers:");
            for (const [k, r] of after) {
                if (k === key) continue;
                let paths: [string, unknown][];
                if (r.inputDependencies) {
                    paths = Object.entries(r.inputDependencies).filter(([, on]) => on.includes(id)).flatMap(([input]): [string, unknown][] => {
                        const exact = referencing(r.inputs[input], refs, segment(input));
                        return exact.length ? exact : [[input, r.inputs[input]]];
                    });
                } else {
                    paths = referencing(r.inputs, refs);
                }
                const managed = isProvider && r.provider === d.name;
                if (paths.length === 0 && !managed) continue;
                let rd = diffs.get(k);
                if (rd?.op === "create") continue;
                if (!rd) {
                    // an update once a change pulumi up applies is added (below); until then only ignored ones
                    rd = { op: "ignored", type: r.type, name: r.name, protect: r.protect === true, changes: [] };
                    diffs.set(k, rd);
                    touched++;
                }
                const unknown = `(known after ${d.name} is replaced)`;
                for (const [p, value] of paths) {
                    if (rd.changes.some((c) => c.path === p)) continue;
                    const ignored = (r.ignoreChanges ?? []).some((i) => underPath(p, i));
                    const replaces = !ignored && forcesReplacement(r.type, normalized(p));
                    rd.changes.push({ path: p, old: value, new: unknown, replaces, ignored });
                    if (replaces && rd.op !== "replace") {
                        rd.op = "replace";
                        rd.reason ??= `${p} takes an output of ${d.type} ${d.name}, which its replacement changes`;
                    } else if (!ignored && rd.op === "ignored") rd.op = "update";
                }
                if (managed && rd.op !== "replace") {
                    rd.op = "replace";
                    rd.reason ??= `its provider ${d.name} is replaced`;
                }
            }
        }
    }
}

/**
 * A resource deleted under one URN and created under another of the same type and name (its
 * parent's type changed): one replacement, said as such, with its input changes. An alias
 * (the `aliases` option, naming the old parent) would keep it, which matters most for a
 * protected resource: pulumi up refuses to replace it, it was not removed from the program.
 */
function foldMoves(before: Map<string, SnapshotResource>, after: Map<string, SnapshotResource>, diffs: Map<string, ResourceDiff>): void {
    // only where one resource of the type and name goes and one comes: otherwise which is which is a guess
    const byId = (op: Operation) => {
        const m = new Map<string, string[]>();
        for (const [k, d] of diffs) if (d.op === op) m.set(`${d.type}::${d.name}`, [...(m.get(`${d.type}::${d.name}`) ?? []), k]);
        return m;
    };
    const deletes = byId("delete");
    for (const [id, [k, ...more]] of byId("create")) {
        const olds = deletes.get(id);
        if (!k || more.length || olds?.length !== 1) continue;
        const oldKey = olds[0]!;
        const was = before.get(oldKey)!;
        const now = after.get(k)!;
        diffs.delete(oldKey);
        diffs.set(k, {
            ...diffs.get(k)!, op: "replace", protect: now.protect === true || was.protect === true, changes: changesBetween(was, now),
            reason: `its URN changes (${was.urn} → ${now.urn}): a new parent type; the aliases option naming the old URN would keep it ` +
                "(this diff does not read aliases; pulumi preview does)",
        });
    }
}

/**
 * The inputs that change between two versions of a resource, each marked ignored (the
 * program's ignoreChanges) or replacing. A dynamic resource's `__provider` (its provider's
 * code) is ignored: the dynamic provider host leaves the decision to the provider's own diff
 * (@pulumi/pulumi cmd/dynamic-provider), which every provider of the program implements.
 */
function changesBetween(was: SnapshotResource, now: SnapshotResource): InputChange[] {
    const ignore = [...(now.ignoreChanges ?? was.ignoreChanges ?? []), ...(now.type.startsWith("pulumi-nodejs:dynamic") ? ["__provider"] : [])];
    const changes: InputChange[] = [];
    inputChanges(was.inputs, now.inputs, "", changes);
    for (const c of changes) {
        c.ignored = ignore.some((p) => underPath(c.path, p));
        c.replaces = !c.ignored && forcesReplacement(now.type, normalized(c.path));
    }
    return changes;
}

const isCost = (c: unknown): c is CostEstimate =>
    !!c && typeof c === "object" && Array.isArray((c as CostEstimate).regions) && typeof (c as CostEstimate).total?.max === "number";

/** What the cost estimate of each render says, line by line (keyed by region and item). */
export function costDelta(old: unknown, now: unknown): CostDelta {
    const notes: string[] = [];
    const none = { old: null, new: null };
    if (!isCost(now)) return { total: { initial: none, max: none }, lines: [], notes: ["no cost estimate in the render of now"] };
    if (!isCost(old)) {
        notes.push("the saved render has no cost estimate (made before the estimate existed): the cost of now only");
    } else if (old.priceDate !== now.priceDate) {
        notes.push(`prices of ${old.priceDate} → ${now.priceDate}: part of the change is the price table's`);
    }
    for (const [side, c] of [["saved", old], ["now", now]] as const) {
        if (isCost(c) && !c.complete) notes.push(`the ${side} estimate leaves out lines without a price`);
    }
    const lines = (c: unknown) => new Map(isCost(c)
        ? c.regions.flatMap((r) => r.lines.map((l) => [`${r.name}\u0000${l.item}`, { region: r.name, ...l }] as const)) : []);
    const before = lines(old);
    const after = lines(now);
    const changed: CostDelta["lines"] = [];
    for (const k of new Set([...before.keys(), ...after.keys()])) {
        const a = before.get(k);
        const b = after.get(k);
        const initial = { old: a ? a.monthly.initial : null, new: b ? b.monthly.initial : null };
        const max = { old: a ? a.monthly.max : null, new: b ? b.monthly.max : null };
        if (a && b && a.what === b.what && same(initial) && same(max)) continue;
        changed.push({ region: (b ?? a)!.region, item: (b ?? a)!.item, what: { old: a?.what, new: b?.what }, initial, max });
    }
    return {
        total: {
            initial: { old: isCost(old) ? old.total.initial : null, new: now.total.initial },
            max: { old: isCost(old) ? old.total.max : null, new: now.total.max },
        },
        lines: changed,
        notes,
    };
}

/** Equal to the cent: a difference below it is the floating point's, not the change's. */
const same = (a: Amounts) => a.old === a.new || (a.old !== null && a.new !== null && Math.abs(a.old - a.new) < 0.005);

/** `$1,234.00 → $2,468.00 (+$1,234.00)`. */
function amountChange(a: Amounts): string {
    if (a.old === null || a.new === null) return `${usd(a.old)} → ${usd(a.new)}`;
    if (same(a)) return `${usd(a.new)} (no change)`;
    const d = a.new - a.old;
    return `${usd(a.old)} → ${usd(a.new)} (${d < 0 ? "-" : "+"}${usd(Math.abs(d))})`;
}

function costText(c: CostDelta): string[] {
    const out = ["Cost a month (USD list prices; tiers/prices.ts):",
        `  at the first pulumi up:   ${amountChange(c.total.initial)}`,
        `  every pool at its maximum: ${amountChange(c.total.max)}`];
    for (const l of c.lines) {
        const what = l.what.old === l.what.new ? l.what.new ?? "" : `${l.what.old ?? "(none)"} → ${l.what.new ?? "(none)"}`;
        out.push(`  ${l.region} ${l.item} (${what}): first up ${amountChange(l.initial)}; max ${amountChange(l.max)}`);
    }
    for (const n of c.notes) out.push(`  note: ${n}`);
    return out;
}

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Lists whose objects all carry a distinct `name` are matched by name, so an insertion is one change, not a shifted list. */
function namedList(a: unknown[], b: unknown[]): boolean {
    const named = (xs: unknown[]) => xs.length > 0 && xs.every((x) => isPlain(x) && typeof x.name === "string")
        && new Set(xs.map((x) => (x as { name: string }).name)).size === xs.length;
    return named(a) && named(b);
}

const segment = (k: string) => (/^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

function inputChanges(a: unknown, b: unknown, path: string, out: InputChange[]): void {
    if (a === b) return;
    if (isPlain(a) && isPlain(b)) {
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
            inputChanges(k in a ? a[k] : MISSING, k in b ? b[k] : MISSING, path + segment(k), out);
        }
        return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        if (namedList(a, b)) {
            const byName = (xs: unknown[]) => new Map(xs.map((x) => [(x as { name: string }).name, x]));
            const ma = byName(a);
            const mb = byName(b);
            for (const n of new Set([...ma.keys(), ...mb.keys()])) {
                inputChanges(ma.has(n) ? ma.get(n) : MISSING, mb.has(n) ? mb.get(n) : MISSING, `${path}[name=${n}]`, out);
            }
        } else {
            for (let i = 0; i < Math.max(a.length, b.length); i++) inputChanges(i < a.length ? a[i] : MISSING, i < b.length ? b[i] : MISSING, `${path}[${i}]`, out);
        }
        return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    out.push({ path: path.replace(/^\./, ""), old: a === MISSING ? undefined : a, new: b === MISSING ? undefined : b, replaces: false, ignored: false });
}

/** The path as the replacement rules write it: dots, list elements as [n]. */
function normalized(path: string): string {
    return path.replace(/\[name=[^\]]*\]/g, "[0]").replace(/\["([^"]*)"\]/g, ".$1").replace(/^\./, "");
}

/** True when `path` is `ignored` (Pulumi's ignoreChanges syntax: dots, [n] or [*]) or lies under it. */
function underPath(path: string, ignored: string): boolean {
    const p = normalized(path).split(/\.|(?=\[)/);
    const q = ignored.split(/\.|(?=\[)/);
    if (q.length > p.length) return false;
    return q.every((s, i) => s === p[i] || (s === "[*]" && /^\[\d+\]$/.test(p[i] ?? "")));
}

/** A value as the diff shows it: JSON, cut short; an absent input as (none). */
function shown(v: unknown): string {
    if (v === undefined) return "(none)";
    const t = JSON.stringify(v);
    return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}

const SIGN: Record<Operation, string> = { create: "+", delete: "-", update: "~", replace: "+-", ignored: "=" };

/** The title and the counts. */
function summary(d: StackDiff): [string, string] {
    const count = (op: Operation) => d.resources.filter((r) => r.op === op).length;
    const tiers = d.from.tier && d.to.tier ? ` (tier ${d.from.tier} → ${d.to.tier})` : "";
    return [
        `Offline diff of stack ${d.stack}: ${d.from.file} → now${tiers}`,
        `${count("create")} to create, ${count("delete")} to delete, ${count("replace")} to replace, ${count("update")} to update, ${d.unchanged} unchanged` +
            (count("ignored") ? ` (${count("ignored")} more change only inputs pulumi up leaves to the cloud)` : ""),
    ];
}

/** What needs a reviewer's eye first: protected resources touched, replacement not known offline. */
function attention(d: StackDiff): string[] {
    const out: string[] = [];
    for (const r of d.resources) {
        if (r.protect && (r.op === "delete" || r.op === "replace")) {
            out.push(`! ${r.type} ${r.name} is protected: pulumi up refuses to ${r.op} it (${r.op === "replace" ? replacedBy(r) : "removed from the program"})`);
        } else if (r.protect && r.op === "update" && r.changes.some((c) => !c.ignored)) {
            out.push(`! ${r.type} ${r.name} is protected (stateful) and changes in place: ${r.changes.filter((c) => !c.ignored).map((c) => c.path).join(", ")}`);
        }
        if (r.replacementUnknown) out.push(`? ${r.type} ${r.name}: whether these changes replace it is not known offline; pulumi preview says`);
    }
    return out;
}

function resourceLines(d: StackDiff): string[] {
    if (d.resources.length === 0) return ["No changes."];
    const out: string[] = [];
    for (const r of d.resources) {
        out.push(`${SIGN[r.op].padEnd(2)} ${r.op.padEnd(7)} ${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
        if (r.reason) out.push(`       ${r.reason}`);
        for (const c of r.changes) {
            const mark = c.ignored ? "  (ignored after creation: the live value stays)" : c.replaces ? "  (forces replacement)" : "";
            out.push(`       ${c.path}: ${shown(c.old)} → ${shown(c.new)}${mark}`);
        }
    }
    return out;
}

const FOOTER = ["Secrets are masked ([secret]) on both sides and not compared. A change the program's cloud reads or",
    "the live state would show (drift, a read of an existing network) needs pulumi preview."];

/** The diff as text: a summary, what needs attention, resource by resource, then the cost. */
export function diffText(d: StackDiff): string {
    const notes = attention(d);
    return [...summary(d), ...(notes.length ? ["", ...notes] : []), "", ...resourceLines(d).flatMap((l) => (/^\S/.test(l) ? ["", l] : [l])).slice(1),
        "", ...costText(d.cost), "", ...FOOTER].join("\n");
}

/** The diff as a Markdown section for a pull request's comment: the cost up front, the resources in a diff block. */
export function diffMarkdown(d: StackDiff): string {
    const [title, counts] = summary(d);
    const notes = attention(d);
    const body = [...(notes.length ? [...notes, ""] : []), ...resourceLines(d)];
    // A fence longer than any run of backticks in the text keeps the block closed.
    const fence = "`".repeat(Math.max(2, ...(body.join("\n").match(/`+/g) ?? []).map((m) => m.length)) + 1);
    return [`### ${title}`, "", `**${counts}**`, "", ...costText(d.cost).map((l) => (l.startsWith("  ") ? `- ${l.trim()}` : l)), "",
        `${fence}diff`, ...body, fence, "", `<sub>${FOOTER.join(" ")}</sub>`, ""].join("\n");
}

function replacedBy(r: ResourceDiff): string {
    const inputs = r.changes.filter((c) => c.replaces).map((c) => c.path);
    return inputs.length ? `replaced for ${inputs.join(", ")}` : r.reason ?? "replaced";
}
