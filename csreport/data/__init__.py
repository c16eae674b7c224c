"""Reading, mapping, validating and storing the data (BRIEF §3): readers of files and databases, the ingest into a
validated store, the store's SQL, the checks of periods and units, and the units' calendars."""
