"""The durable job queue: jobs in the database, claimed atomically, retried with backoff."""
