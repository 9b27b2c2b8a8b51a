"""Logging a service request and moving it along its flow (assign, start, resolve, the
person's answer, reopen), with the lists, a request's page, a member's own requests
and the counts the dashboards show."""
