(() => {
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
    return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.bottom))).size; };
  const out = {heads: [], cells: [], wide: []};
  for (const t of document.querySelectorAll("main table, body > table, .jp-RenderedMarkdown table")) {
    const box = t.parentElement.getBoundingClientRect();
    if (t.getBoundingClientRect().right > box.right + 1) out.wide.push(t.rows[0].cells[0].textContent);
    for (const th of t.querySelectorAll("thead th")) { const n = lines(th); if (n > 2) out.heads.push([th.textContent.trim(), n]); }
    for (const td of t.querySelectorAll("tbody td")) {
      if (getComputedStyle(td).textAlign === "right" && lines(td) > 1) out.cells.push(td.textContent.trim());
    }
  }
  return out;
})()
