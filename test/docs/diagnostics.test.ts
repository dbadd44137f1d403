import { readFileSync } from "node:fs";
import { expect } from "chai";
import { KNOWN_ONTAP_CODES } from "../../provider/diagnostics/codes";
import {
  DIAGNOSTICS_COMMAND,
  DIAGNOSTICS_PAGE,
  diagnosticsPage,
  exampleMessage,
} from "../../tools/docs/diagnostics";

describe("docs/diagnostics.md", () => {
  const page = diagnosticsPage();

  it("is what the generator writes from the code table today", () => {
    const current = readFileSync(DIAGNOSTICS_PAGE, "utf8");
    if (current !== page) {
      const at = [...current].findIndex((ch, i) => ch !== page[i]);
      const line = current.slice(0, at).split("\n").length;
      expect.fail(
        `docs/diagnostics.md is stale (first difference on line ${line}): regenerate it with \`${DIAGNOSTICS_COMMAND}\``,
      );
    }
  });

  it("has a row for every ONTAP code of the table", () => {
    const missing = KNOWN_ONTAP_CODES.filter((code) => !page.includes(`\n| ${code} |`));
    expect(missing).to.deep.equal([]);
  });

  it("shows a message exactly as the renderer writes it: summary, meaning, fix", () => {
    const message = exampleMessage();
    expect(message.split("\n")).to.have.length(3);
    expect(message).to.match(
      /^ONTAP refused to create the iSCSI service on SVM "svm1" \(cluster cluster1\.example\.com\)/,
    );
    expect(message).to.include("[ONTAP 2621507, POST /api/protocols/san/iscsi/services]");
    expect(message).to.match(/\nFix: vserver add-protocols -vserver svm1 -protocols iscsi$/);
    expect(page).to.include(`\`\`\`\n${message}\n\`\`\``);
  });

  it("keeps every table row on one line, with no stray cell separator", () => {
    const rows = page.split("\n").filter((line) => /^\| \d+ \|/.test(line));
    expect(rows).to.have.length(KNOWN_ONTAP_CODES.length);
    for (const row of rows) expect(row.split(/(?<!\\)\|/), row).to.have.length(6);
  });
});
