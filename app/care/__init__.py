"""Care (关怀): the care calendar (political birthdays with their five gifts, birthdays,
golden and diamond weddings, collective birthday parties), condolence money on visits,
hardship aid from a fund, after-care (善后), the care contact card (亲情服务卡) and the
anonymous satisfaction survey (不记名调查)."""
