CREATE TABLE `derivation_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `deployed_apps` ADD `display_name` text;--> statement-breakpoint
ALTER TABLE `runtimes` ADD `module_auth_token_generated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runtimes` ADD `max_concurrent_tasks` integer DEFAULT 1 NOT NULL;