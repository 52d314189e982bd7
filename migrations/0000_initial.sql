CREATE TABLE `principals` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`email` text,
	`given_name` text,
	`family_name` text,
	`realm` text NOT NULL,
	`organization_rid` text,
	`attributes` text DEFAULT '{}' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `principals_kind_username` ON `principals` (`kind`,`username`);--> statement-breakpoint
CREATE INDEX `principals_origin` ON `principals` (`origin`);--> statement-breakpoint
CREATE TABLE `oauth_client_secrets` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `oauth_clients`(`client_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oauth_client_secrets_client` ON `oauth_client_secrets` (`client_id`);--> statement-breakpoint
CREATE TABLE `oauth_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`name` text,
	`confidential` integer NOT NULL,
	`redirect_uris` text NOT NULL,
	`grant_types` text NOT NULL,
	`allowed_scopes` text NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `authorization_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`principal_id` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`redirect_uri_sent` integer NOT NULL,
	`scopes` text NOT NULL,
	`code_challenge` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer,
	`grant_id` text
);
--> statement-breakpoint
CREATE INDEX `authorization_codes_expires` ON `authorization_codes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `authorization_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`redirect_uri_sent` integer NOT NULL,
	`scopes` text NOT NULL,
	`state` text,
	`code_challenge` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `authorization_requests_expires` ON `authorization_requests` (`expires_at`);--> statement-breakpoint
CREATE TABLE `access_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'oauth' NOT NULL,
	`grant_id` text,
	`principal_id` text NOT NULL,
	`client_id` text,
	`scopes` text NOT NULL,
	`token_hash` text,
	`label` text,
	`origin` text DEFAULT 'runtime' NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`grant_id`) REFERENCES `grants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `access_tokens_grant` ON `access_tokens` (`grant_id`);--> statement-breakpoint
CREATE INDEX `access_tokens_expires` ON `access_tokens` (`expires_at`);--> statement-breakpoint
CREATE INDEX `access_tokens_token_hash` ON `access_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`grant_type` text NOT NULL,
	`client_id` text NOT NULL,
	`principal_id` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_reason` text
);
--> statement-breakpoint
CREATE INDEX `grants_principal` ON `grants` (`principal_id`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`grant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`rotated_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`grant_id`) REFERENCES `grants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `refresh_tokens_grant` ON `refresh_tokens` (`grant_id`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`algorithm` text NOT NULL,
	`private_jwk` text NOT NULL,
	`public_jwk` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deployed_apps` (
	`rid` text NOT NULL,
	`branch` text NOT NULL,
	`runtime_id` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`rid`, `branch`)
);
--> statement-breakpoint
CREATE TABLE `function_schemas` (
	`runtime_id` text NOT NULL,
	`function_name` text NOT NULL,
	`specification` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`runtime_id`, `function_name`)
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`sequence` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`runtime_id` text NOT NULL,
	`deployed_app_rid` text,
	`deployed_app_branch` text,
	`query_type` text NOT NULL,
	`query` text NOT NULL,
	`submitted_by` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_expires_at` integer,
	`created_at` integer NOT NULL,
	`dispatched_at` integer,
	`finished_at` integer,
	`result` blob,
	`failure_name` text,
	`failure_message` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_id_unique` ON `jobs` (`id`);--> statement-breakpoint
CREATE INDEX `jobs_runtime_status_sequence` ON `jobs` (`runtime_id`,`status`,`sequence`);--> statement-breakpoint
CREATE INDEX `jobs_status_lease` ON `jobs` (`status`,`lease_expires_at`);--> statement-breakpoint
CREATE INDEX `jobs_finished` ON `jobs` (`finished_at`);--> statement-breakpoint
CREATE TABLE `runtimes` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text,
	`module_auth_token_hash` text NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_poll_at` integer
);
