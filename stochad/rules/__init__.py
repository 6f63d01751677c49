"""The primitive table: every deterministic operation's rules, side by side."""
