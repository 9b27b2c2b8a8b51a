"""Notice settings (通知设置): each account's outside channels per kind of notice,
its quiet hours and its email address."""
