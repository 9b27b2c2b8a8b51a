"""Publication (公示) of a branch's half-year ranking: when a half-year may be put up
and published and who sees it (states), opening, the page and publishing (service),
members' objections and the secretary's answers (objections), with their forms,
routes and templates."""
