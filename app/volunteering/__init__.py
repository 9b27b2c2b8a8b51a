"""Volunteering (志愿服务): teams in three levels, activities with hours that feed
points, totals, and the volunteer service record certificate with its public check."""
