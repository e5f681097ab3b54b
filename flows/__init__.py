"""Prefect 3 flows over the corpusclean library: thin wrappers, one task per shard of pages."""
