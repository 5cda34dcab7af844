"""facilitation: live events and workshops."""
