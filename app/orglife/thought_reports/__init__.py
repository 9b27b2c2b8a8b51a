"""Mobile members' thought reports (思想汇报): recorded by the secretary or the admin,
scored through the automatic source, and the list of who is overdue."""
