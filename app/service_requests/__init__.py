"""Service requests (诉求): a need logged for a person, with a category whose SLA the
district sets ("水坏不过夜，电坏不过天"), a status flow, an escalation chain and the
person's satisfaction. `requests/` logs them and moves them along the flow, `settings/`
holds the categories and the escalation levels, `compliance/` reports the SLA kept;
the models, the clock (`sla`, `words`) and who sees what (`queries`) are shared by the
three, and `jobs` records escalations."""
