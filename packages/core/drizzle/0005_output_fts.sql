-- Full-text index over sessions' output, one row per output_chunks row (rowid = its id).
-- Contentless (content=''): the text stays in the log files and is read back from there
-- for snippets, so the index costs a small fraction of the text. detail=none keeps no
-- positions (phrases are checked on the few candidate chunks at query time);
-- contentless_delete=1 lets a row be deleted by rowid alone.
CREATE VIRTUAL TABLE `output_fts` USING fts5(
	`text`,
	content='',
	contentless_delete=1,
	detail=none,
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `output_chunks_fts_delete` AFTER DELETE ON `output_chunks` BEGIN
	DELETE FROM `output_fts` WHERE rowid = old.`id`;
END;
