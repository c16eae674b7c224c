"""The report pipeline (BRIEF §6): papermill runs of the chapter notebooks, merging, rendering with Quarto or
the built-in renderer, batches in parallel, and the index of all reports."""
