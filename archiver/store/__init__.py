"""The store: engine and migrate-on-open, models, and the SQL for blobs, captures, bands, matches and edges,
pages and site paragraphs. No policy lives here; every function takes a Session and the caller commits."""
