"""Condolence money and gifts (慰问金 / 慰问品): the year's figures from the visit log."""
