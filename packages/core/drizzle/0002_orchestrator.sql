ALTER TABLE `orchestrators` ADD `deleted_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `orchestrators_master_idx` ON `orchestrators` (`user_id`) WHERE kind = 'master' AND deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `orchestrators_folder_idx` ON `orchestrators` (`user_id`,`folder_id`) WHERE kind = 'folder' AND deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `insights_open_idx` ON `insights` (`session_id`,`type`) WHERE resolved = 0;--> statement-breakpoint
CREATE INDEX `insights_user_idx` ON `insights` (`user_id`,`resolved`,`created_at`);