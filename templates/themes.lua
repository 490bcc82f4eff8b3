-- templates/themes.lua: the report's design tokens (report.md §6). Four
-- built-in themes, each with a dark and a light variant of the 12 CSS
-- variables. --text and --text-dim reach 4.5:1 contrast on --bg and
-- --surface-card (tests/lua/test_report_themes.lua checks it). A custom
-- palette in report.theme overrides single variables; the missing ones come
-- from lattice. Loaded by lua/unentropy/report/render.lua (a data file: no
-- dependencies, returns a table).
return {
  order = { "lattice", "flux", "halftone", "specimen" },
  vars = { "--bg", "--surface", "--surface-card", "--border", "--border-soft", "--text",
    "--text-dim", "--text-muted", "--accent", "--up", "--down", "--warn" },
  -- The extra multi-metric series colours after --accent, --up, --warn, --down.
  series = { "#7fbbb3", "#a89bc8", "#7c9eb2", "#bab098" },

  -- Default: blue accent.
  lattice = {
    dark = {
      ["--bg"] = "#0f1419", ["--surface"] = "#141a21", ["--surface-card"] = "#19202a",
      ["--border"] = "#2b3542", ["--border-soft"] = "#212a35", ["--text"] = "#e6edf3",
      ["--text-dim"] = "#a9b4c0", ["--text-muted"] = "#7d8896", ["--accent"] = "#5b9cf5",
      ["--up"] = "#4fbf7f", ["--down"] = "#e5636b", ["--warn"] = "#e0b04a",
    },
    light = {
      ["--bg"] = "#f6f8fa", ["--surface"] = "#eef1f4", ["--surface-card"] = "#ffffff",
      ["--border"] = "#d0d7de", ["--border-soft"] = "#e4e8ec", ["--text"] = "#1f2328",
      ["--text-dim"] = "#4e5864", ["--text-muted"] = "#6e7781", ["--accent"] = "#2563c9",
      ["--up"] = "#1a7f47", ["--down"] = "#c7333d", ["--warn"] = "#9a6700",
    },
  },

  -- Amber accent.
  flux = {
    dark = {
      ["--bg"] = "#14110d", ["--surface"] = "#1a1611", ["--surface-card"] = "#211c16",
      ["--border"] = "#3a3127", ["--border-soft"] = "#2b241c", ["--text"] = "#efe6da",
      ["--text-dim"] = "#bfb2a1", ["--text-muted"] = "#8e8272", ["--accent"] = "#f0a53a",
      ["--up"] = "#8cc265", ["--down"] = "#e86b5a", ["--warn"] = "#e8c547",
    },
    light = {
      ["--bg"] = "#faf7f2", ["--surface"] = "#f3eee6", ["--surface-card"] = "#ffffff",
      ["--border"] = "#e0d6c8", ["--border-soft"] = "#ece5da", ["--text"] = "#2a2118",
      ["--text-dim"] = "#5c4f40", ["--text-muted"] = "#857766", ["--accent"] = "#b86e00",
      ["--up"] = "#3d7d1f", ["--down"] = "#c0392b", ["--warn"] = "#8a6d00",
    },
  },

  -- Purple accent.
  halftone = {
    dark = {
      ["--bg"] = "#121017", ["--surface"] = "#17141e", ["--surface-card"] = "#1e1a27",
      ["--border"] = "#342d42", ["--border-soft"] = "#272133", ["--text"] = "#ebe6f3",
      ["--text-dim"] = "#b3aac2", ["--text-muted"] = "#857b95", ["--accent"] = "#a98bf5",
      ["--up"] = "#5fc29a", ["--down"] = "#ee6d85", ["--warn"] = "#e4b860",
    },
    light = {
      ["--bg"] = "#f7f5fb", ["--surface"] = "#efecf5", ["--surface-card"] = "#ffffff",
      ["--border"] = "#dcd5e8", ["--border-soft"] = "#e9e4f1", ["--text"] = "#221c2e",
      ["--text-dim"] = "#52486a", ["--text-muted"] = "#786e8c", ["--accent"] = "#6d45d8",
      ["--up"] = "#1f7a55", ["--down"] = "#c22f52", ["--warn"] = "#8f6500",
    },
  },

  -- Green accent.
  specimen = {
    dark = {
      ["--bg"] = "#0e1311", ["--surface"] = "#131916", ["--surface-card"] = "#19211d",
      ["--border"] = "#2a3630", ["--border-soft"] = "#202a25", ["--text"] = "#e3ede7",
      ["--text-dim"] = "#a7b8ae", ["--text-muted"] = "#7a8c82", ["--accent"] = "#3fbf8f",
      ["--up"] = "#86d36b", ["--down"] = "#ef6f5e", ["--warn"] = "#e3b94f",
    },
    light = {
      ["--bg"] = "#f4f7f5", ["--surface"] = "#ebf0ed", ["--surface-card"] = "#ffffff",
      ["--border"] = "#d2ddd6", ["--border-soft"] = "#e3eae6", ["--text"] = "#18211c",
      ["--text-dim"] = "#46564d", ["--text-muted"] = "#6b7a71", ["--accent"] = "#13845a",
      ["--up"] = "#2f7d1c", ["--down"] = "#c0392b", ["--warn"] = "#8a6a00",
    },
  },
}
