-- Colours of the table marks (chapters.output.Mark) in Typst: a span with a cs-<tone> class becomes
-- #text(fill: ...)[...]. marks.css gives HTML the same colours. Used by both PDF paths (pandoc and Quarto).
local colours = {
  ["cs-good"] = "#047857", ["cs-met"] = "#047857",
  ["cs-risk"] = "#b45309",
  ["cs-bad"] = "#b91c1c", ["cs-missed"] = "#b91c1c",
  ["cs-neutral"] = "#57606a",
}

function Span(el)
  if not FORMAT:match("typst") then
    return nil
  end
  for _, class in ipairs(el.classes) do
    local colour = colours[class]
    if colour then
      local out = { pandoc.RawInline("typst", '#text(fill: rgb("' .. colour .. '"))[') }
      for _, inline in ipairs(el.content) do
        table.insert(out, inline)
      end
      table.insert(out, pandoc.RawInline("typst", "]"))
      return out
    end
  end
end
