"""Meetings owed: each branch's count per kind this year against what its frequency asks
for, the shortfall in words, the admin's overview of every branch, and a branch's
calendar of planned and held meetings."""
