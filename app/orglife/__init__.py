"""Organisational life (组织生活): meetings, attendance that feeds points, study
delivered home (送学上门), and mobile members' thought reports (思想汇报)."""
