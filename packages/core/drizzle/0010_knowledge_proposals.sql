CREATE TABLE `knowledge_proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`folder_id` text NOT NULL,
	`session_id` text,
	`session_name` text,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`evidence` text DEFAULT '' NOT NULL,
	`hash` text NOT NULL,
	`status` text DEFAULT 'proposed' NOT NULL,
	`entry_id` text,
	`decided_by` text,
	`decided_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`folder_id`) REFERENCES `folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knowledge_proposals_folder_hash_idx` ON `knowledge_proposals` (`folder_id`,`hash`);--> statement-breakpoint
CREATE INDEX `knowledge_proposals_user_status_idx` ON `knowledge_proposals` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `knowledge_proposals_session_idx` ON `knowledge_proposals` (`session_id`);--> statement-breakpoint
CREATE TABLE `learning_cursors` (
	`session_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`offset` integer DEFAULT 0 NOT NULL,
	`inputs` text DEFAULT '[]' NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `knowledge_entries` ADD `source_proposal_id` text;--> statement-breakpoint
ALTER TABLE `knowledge_entries` ADD `source_session_id` text;--> statement-breakpoint
ALTER TABLE `knowledge_entries` ADD `source_session_name` text;