"""The Telegram channel: translation of updates, and the python-telegram-bot runner."""
