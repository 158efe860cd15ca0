"""Fleet updates: signed release bundles, slots, switch, health check and rollback."""
