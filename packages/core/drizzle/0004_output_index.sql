CREATE TABLE `output_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`start_offset` integer NOT NULL,
	`end_offset` integer NOT NULL,
	`written_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `output_chunks_session_idx` ON `output_chunks` (`session_id`,`start_offset`);--> statement-breakpoint
CREATE INDEX `output_chunks_written_idx` ON `output_chunks` (`written_at`);--> statement-breakpoint
CREATE TABLE `output_index_state` (
	`session_id` text PRIMARY KEY NOT NULL,
	`indexed_offset` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
