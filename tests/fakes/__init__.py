"""Small fake servers the tests start on 127.0.0.1 (Telegram Bot API, Slack Web API)."""
