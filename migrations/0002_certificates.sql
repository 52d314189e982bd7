CREATE TABLE `certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`certificate_pem` text NOT NULL,
	`private_key_pem` text NOT NULL,
	`subject_alt_names` text NOT NULL,
	`not_after` integer NOT NULL,
	`created_at` integer NOT NULL
);
