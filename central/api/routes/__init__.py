"""Route modules: enroll (stations join), sync (signed station requests), admin (staff)."""
