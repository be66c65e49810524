"""The pipeline: composes the stages. `prepare` (clean, credits, fingerprint: in workers), `add` (store,
verify, lineage: the one writer), `reclean` (the one re-clean path), `reprocess`, `site_templates`."""
