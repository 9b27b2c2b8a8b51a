"""Notifications (通知): telling people what needs them — in the inbox of every account,
by email, SMS and WeChat — exactly once per notice and channel. See README.md."""
