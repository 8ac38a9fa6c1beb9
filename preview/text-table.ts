/** Plain-text tables for the preview's output: columns padded to their widest cell, two spaces apart. */

/**
 * `rows[0]` is the head. `right`: the columns aligned right (amounts); `rule`: a line of dashes
 * under the head. Trailing spaces are cut.
 */
export function textTable(rows: string[][], opts: { right?: ReadonlySet<number>; rule?: boolean } = {}): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) => r.map((c, i) => (opts.right?.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
    const [head, ...body] = rows;
    return [line(head!), ...(opts.rule ? [line(widths.map((w) => "-".repeat(w)))] : []), ...body.map(line)].join("\n");
}
