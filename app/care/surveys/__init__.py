"""The anonymous satisfaction survey (不记名调查): participation and answers kept apart."""
