"""The report (BRIEF §6): the computed report and its analyses kept beside the store, the chapters that render them,
the printed page and the charts."""
