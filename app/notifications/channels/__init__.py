"""The outside channels behind one interface (`Sender`): email over SMTP, and SMS and
WeChat template messages through signed webhooks to a gateway."""
