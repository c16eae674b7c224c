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

-- In HTML a table sizes its columns by their content, as the built-in renderer's HTML does: the relative widths
-- of a pipe table's separator are measured for an A4 page set at 8 pt (chapters.output.column_widths) and, as
-- HTML percentages at screen type size, would wrap headers one word per line.
function Table(el)
  if not FORMAT:match("html") then
    return nil
  end
  for i, spec in ipairs(el.colspecs) do
    el.colspecs[i] = { spec[1], pandoc.ColWidthDefault }
  end
  return el
end
