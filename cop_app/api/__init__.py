"""Client of the verification API (session, retries, sync by cursor)."""
