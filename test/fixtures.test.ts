/** The chart values files the program and the tests check Helm values against are Coder's, unchanged. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const here = path.join(__dirname, "../components/k8s/charts");
const shared = path.resolve(__dirname, "../../shared/reference/coder-helm");
const sha256 = (f: string) => createHash("sha256").update(fs.readFileSync(f)).digest("hex");

describe.each(["coder-values.yaml", "provisioner-values.yaml"])("%s", (file) => {
    it("has the sha256 its provenance note records", () => {
        const note = fs.readFileSync(path.join(here, "README.txt"), "utf8");
        const block = note.slice(note.indexOf(file));
        expect(block).toContain(`sha256      : ${sha256(path.join(here, file))}`);
    });

    it.skipIf(!fs.existsSync(shared))("is identical to the shared reference copy", () => {
        expect(sha256(path.join(here, file))).toBe(sha256(path.join(shared, file)));
    });
});
