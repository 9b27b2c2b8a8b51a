"""Hardship aid (帮扶): applications, the leader's decision, payments from the fund."""
