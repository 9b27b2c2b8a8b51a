"""SLA compliance: of the requests logged in a period, the share resolved in time, per
category, per grid worker and per escalation level."""
