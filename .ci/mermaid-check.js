// Browser side of .ci/mermaid-check: renders every chart in window.MERMAID_CHECK_CHARTS with the
// real Mermaid library (loaded by the page before this script) and writes one JSON report into
// <pre id="mermaid-check-result">, which `chromium --dump-dom` prints.
// For each chart: ok, the error message, and the texts a reader sees in the drawn SVG (title,
// section titles with their <br> line breaks as "\n", task labels in order).
(async () => {
  const out = { done: false, version: null, results: [] };
  const report = () => {
    // ASCII-only JSON: nothing in it can be mangled by the DOM dump or its HTML escaping.
    const json = JSON.stringify(out).replace(/[\u007f-\uffff]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    document.getElementById("mermaid-check-result").textContent = json;
  };
  const texts = (root, selector) => Array.from(root.querySelectorAll(selector), (node) => {
    const rows = node.querySelectorAll("tspan");
    return rows.length ? Array.from(rows, (row) => row.textContent).join("\n") : node.textContent;
  });
  try {
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    out.version = (mermaid.version && mermaid.version()) || null;
    const charts = window.MERMAID_CHECK_CHARTS;
    for (let i = 0; i < charts.length; i++) {
      const result = { name: charts[i].name, ok: false, error: null, title: null, sections: [],
                       tasks: [] };
      try {
        await mermaid.parse(charts[i].source);
        const { svg } = await mermaid.render("mermaid-check-" + i, charts[i].source);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        document.body.appendChild(holder);
        const title = holder.querySelector("text.titleText");
        result.title = title ? title.textContent : null;
        result.sections = texts(holder, "text.sectionTitle");
        result.tasks = texts(holder,
          "text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft");
        holder.remove();
        result.ok = true;
      } catch (error) {
        result.error = String((error && (error.message || error.str)) || error);
      }
      out.results.push(result);
    }
    out.done = true;
  } catch (error) {
    out.fatal = String((error && error.message) || error);
  }
  report();
})();
