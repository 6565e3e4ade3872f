CREATE TABLE `folder_hooks` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`folder_id` text NOT NULL,
	`name` text NOT NULL,
	`events` text NOT NULL,
	`argv` text NOT NULL,
	`timeout_ms` integer DEFAULT 30000 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`folder_id`) REFERENCES `folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `folder_hooks_folder_idx` ON `folder_hooks` (`folder_id`);--> statement-breakpoint
CREATE TABLE `hook_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`hook_id` text NOT NULL,
	`user_id` text NOT NULL,
	`session_id` text,
	`event` text NOT NULL,
	`exit_code` integer,
	`signal` text,
	`timed_out` integer DEFAULT false NOT NULL,
	`error` text,
	`stdout` text DEFAULT '' NOT NULL,
	`stderr` text DEFAULT '' NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`hook_id`) REFERENCES `folder_hooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `hook_runs_hook_idx` ON `hook_runs` (`hook_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `knowledge_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`folder_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`tags` text DEFAULT '' NOT NULL,
	`author_kind` text NOT NULL,
	`author_name` text NOT NULL,
	`author_session_id` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`folder_id`) REFERENCES `folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_folder_idx` ON `knowledge_entries` (`folder_id`);--> statement-breakpoint
CREATE INDEX `knowledge_user_idx` ON `knowledge_entries` (`user_id`);--> statement-breakpoint
CREATE TABLE `session_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`session_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_notes_session_idx` ON `session_notes` (`session_id`);--> statement-breakpoint
-- Full-text index over knowledge entries (hand-written): title, body and tags, with the
-- entry's id unindexed to join back. It keeps its own copy of the text, so snippet() and
-- bm25() work without reading the entries table; the triggers keep it in step.
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(
	`entry_id` UNINDEXED,
	`title`,
	`body`,
	`tags`,
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_insert` AFTER INSERT ON `knowledge_entries` BEGIN
	INSERT INTO `knowledge_fts` (`entry_id`, `title`, `body`, `tags`) VALUES (new.`id`, new.`title`, new.`body`, new.`tags`);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_update` AFTER UPDATE ON `knowledge_entries` BEGIN
	DELETE FROM `knowledge_fts` WHERE `entry_id` = old.`id`;
	INSERT INTO `knowledge_fts` (`entry_id`, `title`, `body`, `tags`) VALUES (new.`id`, new.`title`, new.`body`, new.`tags`);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_entries_fts_delete` AFTER DELETE ON `knowledge_entries` BEGIN
	DELETE FROM `knowledge_fts` WHERE `entry_id` = old.`id`;
END;
