CREATE TABLE `hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`destination` text NOT NULL,
	`port` integer,
	`identity_file` text,
	`known_hosts_file` text,
	`remote_home` text,
	`token_sealed` text NOT NULL,
	`last_state` text DEFAULT 'connecting' NOT NULL,
	`last_error` text,
	`version` text,
	`last_connected_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hosts_user_name_idx` ON `hosts` (`user_id`,`name`);