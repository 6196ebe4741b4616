"""Dialogue engine and channel adapters (console, Telegram, Slack)."""
