ALTER TABLE `sessions` ADD `agent_session_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `lost_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `restored_at` integer;