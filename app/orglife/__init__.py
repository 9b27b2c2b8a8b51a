"""Organisational life (组织生活): meetings, attendance that feeds points, study
delivered home (送学上门), and mobile members' thought reports (思想汇报)."""

# Importing the capability subscribes it to the visits that answer its 送学上门 items
# (grid stands below and announces them: app.grid.events).
from app.orglife import home_study as _home_study  # noqa: F401
