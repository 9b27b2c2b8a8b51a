"""The inbox (通知): every account's notices, newest first, read and unread."""
