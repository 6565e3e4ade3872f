ALTER TABLE `sessions` ADD `lost_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `restored_at` integer;