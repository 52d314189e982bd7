ALTER TABLE `jobs` ADD `submitted_scopes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `submitted_client_id` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `dispatch_token_id` text;