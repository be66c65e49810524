"""The read side: one capture resolver, then show, lineage, compare, history, search, export, check, schema.
Each function returns plain data; `archiver.render` formats it."""
