CREATE TABLE `request_journal` (
	`sequence` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`service` text NOT NULL,
	`request_id` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`status` integer NOT NULL,
	`duration_ms` real NOT NULL,
	`principal` text,
	`client_id` text,
	`grant_type` text,
	`oauth_error` text
);
--> statement-breakpoint
CREATE INDEX `jobs_status_sequence` ON `jobs` (`status`,`sequence`);