ALTER TABLE `sessions` ADD `agent_session_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `hook_token_hash` text;