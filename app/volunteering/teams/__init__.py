"""Volunteer teams (志愿服务队) in three levels, their leaders and members."""
